//! Departments and the policy document: small, admin-edited configuration.

use kesu_domain::after_sales_policy::AfterSalesPolicy;
use kesu_domain::codes::DepartmentCode;
use kesu_domain::reply_check::ReplyRules;
use kesu_domain::scripts::ReplyTemplate;
use kesu_domain::triage::TriageRules;
use kesu_domain::Policy;
use serde::Serialize;
use sqlx::Row;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use kesu_domain::audit_kind::AuditKind;
use serde_json::json;

use crate::audit::By;
use crate::{millis, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    pub code: DepartmentCode,
    pub name: String,
}

const POLICY_KEY: &str = "policy";

/// How long a read policy is reused. Another process sharing the database sees a change
/// after at most this long; this process sees its own changes at once.
const POLICY_TTL: Duration = Duration::from_secs(5);

pub(crate) type PolicyCache = Arc<RwLock<Option<(Instant, Policy)>>>;

impl Store {
    pub async fn departments(&self) -> Result<Vec<Department>> {
        let rows = sqlx::query("SELECT code, name FROM departments ORDER BY created_at, code")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                Ok(Department {
                    code: DepartmentCode::parse(&code).map_err(StoreError::Corrupt)?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    pub async fn department_exists(&self, code: &DepartmentCode) -> Result<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM departments WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&self.read)
            .await?;
        Ok(row.is_some())
    }

    pub async fn add_department(
        &self,
        code: &DepartmentCode,
        name: &str,
        by: By<'_>,
    ) -> Result<Department> {
        let mut tx = self.write.begin().await?;
        let res =
            sqlx::query("INSERT INTO departments (code, name, created_at) VALUES ($1, $2, $3)")
                .bind(code.as_str())
                .bind(name)
                .bind(millis(by.at))
                .execute(&mut *tx)
                .await;
        if res.is_ok() {
            let detail = json!({"department": code.as_str(), "name": name});
            self.commit_audited(tx, by, AuditKind::PolicyChanged, detail)
                .await?;
        }
        match res {
            Ok(_) => Ok(Department {
                code: code.clone(),
                name: name.to_owned(),
            }),
            Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Duplicate(format!(
                "department `{code}` already exists"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// The policy in force: the stored one, or the defaults on a new database.
    pub async fn policy(&self) -> Result<Policy> {
        if let Some((at, policy)) = self.policy_cache.read().ok().and_then(|c| c.clone()) {
            if at.elapsed() < POLICY_TTL {
                return Ok(policy);
            }
        }
        let policy = self.read_policy().await?;
        if let Ok(mut cache) = self.policy_cache.write() {
            *cache = Some((Instant::now(), policy.clone()));
        }
        Ok(policy)
    }

    async fn read_policy(&self) -> Result<Policy> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(POLICY_KEY)
            .fetch_optional(&self.read)
            .await?;
        match row {
            None => Ok(Policy::default()),
            Some(r) => {
                let v: String = r.try_get("value")?;
                serde_json::from_str(&v).map_err(|e| StoreError::Corrupt(format!("policy: {e}")))
            }
        }
    }

    pub async fn set_policy(&self, policy: &Policy, by: By<'_>) -> Result<()> {
        let value =
            serde_json::to_string(policy).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write.begin().await?;
        let before: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(POLICY_KEY)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("value"))
            .transpose()?;
        let detail = json!({"changed": changed_sections(before.as_deref(), &value)});
        by.record(&mut tx, self.backend, AuditKind::PolicyChanged, detail)
            .await?;
        upsert_setting(&mut tx, POLICY_KEY, &value).await?;
        // Every other server drops its cached policy through the change log.
        let mark = self.log_change(&mut tx, crate::Topic::Policy, &[]).await?;
        tx.commit().await?;
        if let Ok(mut cache) = self.policy_cache.write() {
            *cache = Some((Instant::now(), policy.clone()));
        }
        self.committed(mark);
        Ok(())
    }

    pub(crate) fn forget_policy(&self) {
        if let Ok(mut cache) = self.policy_cache.write() {
            *cache = None;
        }
    }
}

impl Store {
    /// A plain setting (integration secrets and the like).
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| r.try_get("value"))
            .transpose()
            .map_err(Into::into)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let mut conn = self.write.acquire().await?;
        upsert_setting(&mut conn, key, value).await
    }
}

/// The reply-script library (话术), kept whole under one settings key: tens of templates, edited
/// by admins now and then.
const TEMPLATES_KEY: &str = "reply_templates";

/// The library as stored, with the stored text to compare against when saving.
pub struct TemplateLibrary {
    pub templates: Vec<ReplyTemplate>,
    stored: Option<String>,
}

impl Store {
    /// The reply scripts: the admins' library, or the built-in one until they change it.
    pub async fn reply_templates(&self) -> Result<TemplateLibrary> {
        let stored = self.setting(TEMPLATES_KEY).await?;
        let templates = match &stored {
            None => kesu_domain::scripts::builtin(),
            Some(v) => serde_json::from_str(v)
                .map_err(|e| StoreError::Corrupt(format!("reply templates: {e}")))?,
        };
        Ok(TemplateLibrary { templates, stored })
    }

    /// Saves `library` if nobody saved since it was read; false when somebody did (read again
    /// and retry).
    pub async fn save_reply_templates(
        &self,
        library: &TemplateLibrary,
        by: By<'_>,
    ) -> Result<bool> {
        let value = serde_json::to_string(&library.templates)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write.begin().await?;
        let done = match &library.stored {
            None => sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(TEMPLATES_KEY)
            .bind(&value)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            Some(old) => {
                sqlx::query("UPDATE settings SET value = $1 WHERE key = $2 AND value = $3")
                    .bind(&value)
                    .bind(TEMPLATES_KEY)
                    .bind(old)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
        };
        if done != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let detail = json!({"changed": ["reply_templates"], "templates": library.templates.len()});
        self.commit_audited(tx, by, AuditKind::PolicyChanged, detail)
            .await?;
        Ok(true)
    }
}

/// The reply checker's and triage's words as admins extended them; the built-in ones until then.
const REPLY_RULES_KEY: &str = "reply_rules";
const TRIAGE_RULES_KEY: &str = "triage_rules";
const KNOWLEDGE_EDITORS_KEY: &str = "knowledge_editors";
const INCIDENT_SETTINGS_KEY: &str = "incident_settings";
const QUALITY_SETTINGS_KEY: &str = "quality_settings";
const AFTER_SALES_POLICY_KEY: &str = "after_sales_policy";

impl Store {
    async fn json_setting<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.setting(key)
            .await?
            .map(|v| {
                serde_json::from_str(&v).map_err(|e| StoreError::Corrupt(format!("{key}: {e}")))
            })
            .transpose()
    }

    async fn set_json_setting<T: Serialize>(&self, key: &str, value: &T, by: By<'_>) -> Result<()> {
        let v = serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write.begin().await?;
        upsert_setting(&mut tx, key, &v).await?;
        self.commit_audited(tx, by, AuditKind::PolicyChanged, json!({"changed": [key]}))
            .await?;
        Ok(())
    }

    pub async fn reply_rules(&self) -> Result<ReplyRules> {
        Ok(self
            .json_setting(REPLY_RULES_KEY)
            .await?
            .unwrap_or_else(ReplyRules::builtin))
    }

    pub async fn set_reply_rules(&self, rules: &ReplyRules, by: By<'_>) -> Result<()> {
        self.set_json_setting(REPLY_RULES_KEY, rules, by).await
    }

    /// The after-sales policy the shop publishes; the built-in one until admins write theirs.
    pub async fn after_sales_policy(&self) -> Result<AfterSalesPolicy> {
        Ok(self
            .json_setting(AFTER_SALES_POLICY_KEY)
            .await?
            .unwrap_or_else(AfterSalesPolicy::builtin))
    }

    pub async fn set_after_sales_policy(
        &self,
        policy: &AfterSalesPolicy,
        by: By<'_>,
    ) -> Result<()> {
        self.set_json_setting(AFTER_SALES_POLICY_KEY, policy, by)
            .await
    }

    /// How incidents are found and escalated; the defaults until the admin changes them.
    pub async fn incident_settings(&self) -> Result<kesu_domain::incident::IncidentSettings> {
        Ok(self
            .json_setting(INCIDENT_SETTINGS_KEY)
            .await?
            .unwrap_or_default())
    }

    pub async fn set_incident_settings(
        &self,
        settings: &kesu_domain::incident::IncidentSettings,
        by: By<'_>,
    ) -> Result<()> {
        self.set_json_setting(INCIDENT_SETTINGS_KEY, settings, by)
            .await
    }

    /// How quality checks sample and score; the defaults until the admin changes them.
    pub async fn quality_settings(&self) -> Result<kesu_domain::quality::QualitySettings> {
        Ok(self
            .json_setting(QUALITY_SETTINGS_KEY)
            .await?
            .unwrap_or_default())
    }

    pub async fn set_quality_settings(
        &self,
        settings: &kesu_domain::quality::QualitySettings,
        by: By<'_>,
    ) -> Result<()> {
        self.set_json_setting(QUALITY_SETTINGS_KEY, settings, by)
            .await
    }

    /// The roles the admin allowed to edit knowledge; `None` until they chose.
    pub async fn knowledge_editors(&self) -> Result<Option<Vec<kesu_domain::Role>>> {
        self.json_setting(KNOWLEDGE_EDITORS_KEY).await
    }

    pub async fn set_knowledge_editors(
        &self,
        roles: &[kesu_domain::Role],
        by: By<'_>,
    ) -> Result<()> {
        self.set_json_setting(KNOWLEDGE_EDITORS_KEY, &roles, by)
            .await
    }

    pub async fn triage_rules(&self) -> Result<TriageRules> {
        Ok(self
            .json_setting(TRIAGE_RULES_KEY)
            .await?
            .unwrap_or_else(TriageRules::builtin))
    }

    pub async fn set_triage_rules(&self, rules: &TriageRules, by: By<'_>) -> Result<()> {
        self.set_json_setting(TRIAGE_RULES_KEY, rules, by).await
    }
}

/// Stores `value` under `key`, replacing what was there.
async fn upsert_setting(conn: &mut sqlx::AnyConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

/// The top-level sections of the policy that differ between two stored versions (all of
/// them when there was none), for the audit trail.
fn changed_sections(before: Option<&str>, after: &str) -> Vec<String> {
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or_default();
    let after = parse(after);
    let before = before.map(parse).unwrap_or_default();
    let Some(sections) = after.as_object() else {
        return Vec::new();
    };
    let mut changed: Vec<String> = sections
        .iter()
        .filter(|(k, v)| before.get(k.as_str()) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    changed.sort();
    changed
}

#[cfg(test)]
mod audit_tests {
    use super::changed_sections;

    #[test]
    fn only_the_sections_that_differ_are_named() {
        let before = r#"{"sla": {"a": 1}, "refunds": {"limit": 5}}"#;
        let after = r#"{"sla": {"a": 1}, "refunds": {"limit": 6}, "access": {}}"#;
        assert_eq!(changed_sections(Some(before), after), ["access", "refunds"]);
        assert_eq!(changed_sections(None, before), ["refunds", "sla"]);
    }
}
