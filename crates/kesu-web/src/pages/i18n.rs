//! The workbench's words come from the locale files of `kesu-i18n`; this module only
//! checks that every key a page asks for is there, in both languages.

pub use kesu_i18n::Lang;

#[cfg(test)]
mod tests {
    use super::Lang;

    /// Every `t("key")` the pages use has both languages.
    #[test]
    fn every_key_the_pages_use_is_translated() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("login.rs"),
            include_str!("queue/mod.rs"),
            include_str!("queue/badge.rs"),
            include_str!("queue/owners.rs"),
            include_str!("register.rs"),
            include_str!("case/mod.rs"),
            include_str!("case/action_forms.rs"),
            include_str!("case/panels.rs"),
            include_str!("case/cards.rs"),
            include_str!("case/submit.rs"),
            include_str!("case/reply_check.rs"),
            include_str!("case/evidence.rs"),
            include_str!("case/parcels.rs"),
            include_str!("case/platform.rs"),
            include_str!("case/platform_answers.rs"),
            include_str!("case/call_card.rs"),
            include_str!("case/accountability.rs"),
            include_str!("case/reveal.rs"),
            include_str!("case/returns.rs"),
            include_str!("case/reviews.rs"),
            include_str!("case/lscpa.rs"),
            include_str!("customer.rs"),
            include_str!("customer_files.rs"),
            include_str!("supervisor.rs"),
            include_str!("admin.rs"),
            include_str!("carriers.rs"),
            include_str!("session.rs"),
            include_str!("../gatekeeper.rs"),
            include_str!("logistics.rs"),
            include_str!("reports.rs"),
            include_str!("improvements.rs"),
            include_str!("notices.rs"),
            include_str!("knowledge.rs"),
            include_str!("incidents.rs"),
            include_str!("quality.rs"),
            include_str!("team_reports.rs"),
            include_str!("posted.rs"),
            include_str!("account.rs"),
            include_str!("two_factor.rs"),
            include_str!("sso.rs"),
            include_str!("login.rs"),
            include_str!("templates.rs"),
            include_str!("after_sales.rs"),
            include_str!("outbox.rs"),
            include_str!("audit.rs"),
            include_str!("personal_data.rs"),
            include_str!("records_audits.rs"),
            include_str!("mailbox.rs"),
            include_str!("platforms.rs"),
            include_str!("orders/mod.rs"),
            include_str!("orders/view.rs"),
            include_str!("orders/edit.rs"),
            include_str!("rules.rs"),
            include_str!("triage_model.rs"),
        ];
        let mut missing = Vec::new();
        for src in sources {
            for part in src.split(".t(\"").skip(1) {
                let key = part.split('"').next().unwrap_or("");
                if Lang::ALL.iter().any(|l| l.lookup(key).is_none()) {
                    missing.push(key.to_owned());
                }
            }
        }
        assert!(missing.is_empty(), "untranslated: {missing:?}");
    }
}
