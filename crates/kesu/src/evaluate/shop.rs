//! `kesu evaluate triage --data DIR | --database-url URL`: the shop's model in use on the
//! shop's own held-out cases (never learned from), against the built-in model and the rules.

use kesu_app::triage::ModelInUse;
use kesu_domain::triage::Urgency;
use kesu_domain::triage_model::TriageModel;
use kesu_domain::triage_shop::held_out;

use super::triage::compare;
use super::LabelledComplaint;
use crate::DbArgs;

pub(super) async fn shop_report(db: DbArgs, verbose: bool) -> anyhow::Result<String> {
    let store = db.open().await?;
    let examples = store.triage_examples().await?;
    let rules = store.triage_rules().await?;
    let policy = store.policy().await?;
    let in_use = kesu_app::triage::model_in_use(&store)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the shop's model: {e}"))?;
    store.close().await;
    let closed = examples.len();
    let items: Vec<LabelledComplaint> = examples
        .into_iter()
        .filter(|e| held_out(e.case_id))
        .map(|e| LabelledComplaint {
            source: format!("case {}", e.case_id),
            text: e.example.text,
            category: e.example.category,
            urgency: if e.example.urgent {
                Urgency::High
            } else {
                Urgency::Normal
            },
        })
        .collect();
    let items: Vec<&LabelledComplaint> = items.iter().collect();
    let builtin = TriageModel::builtin();
    let models: Vec<(String, &TriageModel)> = match &in_use {
        ModelInUse::BuiltIn => vec![(
            format!(
                "the built-in model (in use: the shop has no model of its own yet; {} examples)",
                builtin.examples
            ),
            builtin,
        )],
        ModelInUse::Shop { training, model } => vec![
            (
                format!(
                    "the shop's model (in use, training {training}, learned from {} cases)",
                    model.examples
                ),
                model.as_ref(),
            ),
            (
                format!("the built-in model ({} examples)", builtin.examples),
                builtin,
            ),
        ],
    };
    let name = format!(
        "the shop's held-out cases: {} of {closed} closed cases, never learned from",
        items.len()
    );
    if items.is_empty() {
        return Ok(format!(
            "No held-out closed cases yet ({closed} closed cases in all).\n"
        ));
    }
    Ok(compare(&name, &items, verbose, &models, &rules, &policy))
}
