//! Single sign-on: who a person signed in at the shop's identity provider is in kesu. Their
//! username is the provider's `preferred_username`; their role comes from one claim (a role
//! code, or a group the admin maps to a role); department users also need a department claim.
//! The provider is the source of truth: each sign-in brings the role it says now.

use crate::account::Username;
use crate::codes::DepartmentCode;
use crate::role::Role;

/// How claims become a kesu account (the admin's `--oidc-*` options).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimMapping {
    /// The claim holding the role, or groups (default `kesu_role`).
    pub role_claim: String,
    /// The claim holding a department user's department code (default `kesu_department`).
    pub department_claim: String,
    /// Claim value → role (`cs-leads=supervisor`). Empty: the values are role codes.
    pub role_map: Vec<(String, Role)>,
}

impl Default for ClaimMapping {
    fn default() -> Self {
        ClaimMapping {
            role_claim: "kesu_role".into(),
            department_claim: "kesu_department".into(),
            role_map: Vec::new(),
        }
    }
}

impl ClaimMapping {
    /// Reads a map written `value=role,value=role`.
    pub fn parse_role_map(raw: &str) -> Result<Vec<(String, Role)>, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (value, role) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("`{pair}` is not value=role"))?;
                let role = Role::parse(role.trim()).ok_or_else(|| {
                    format!(
                        "`{}` is not a role (admin, supervisor, agent, department, auditor)",
                        role.trim()
                    )
                })?;
                Ok((value.trim().to_owned(), role))
            })
            .collect()
    }
}

/// Who the person is in kesu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub username: Username,
    pub role: Role,
    pub department: Option<DepartmentCode>,
}

/// Why a verified sign-in does not make a kesu account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `preferred_username`, or one kesu cannot take as a username.
    NoUsername(String),
    /// The role claim names no role kesu knows.
    NoRole,
    /// A department user without a (valid) department claim.
    NoDepartment,
}

/// The claim's values: a string, or a list of strings (groups).
fn values(claim: Option<&serde_json::Value>) -> Vec<String> {
    match claim {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The kesu identity of the verified `claims` of an ID token. Of several values that map to
/// roles, the role of most power wins (a team lead is in the leads' group and the team's).
pub fn identity(claims: &serde_json::Value, mapping: &ClaimMapping) -> Result<Identity, Refusal> {
    let raw_name = claims
        .get("preferred_username")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_lowercase();
    let username =
        Username::parse(&raw_name).map_err(|e| Refusal::NoUsername(e.message.clone()))?;
    let roles: Vec<Role> = values(claims.get(&mapping.role_claim))
        .iter()
        .filter_map(|v| {
            if mapping.role_map.is_empty() {
                Role::parse(v)
            } else {
                mapping
                    .role_map
                    .iter()
                    .find(|(m, _)| m == v)
                    .map(|(_, r)| *r)
            }
        })
        .collect();
    // Role::ALL runs from most to least power.
    let role = Role::ALL
        .iter()
        .copied()
        .find(|r| roles.contains(r))
        .ok_or(Refusal::NoRole)?;
    let department = match role {
        Role::Department => {
            let code = values(claims.get(&mapping.department_claim))
                .into_iter()
                .next()
                .ok_or(Refusal::NoDepartment)?;
            Some(DepartmentCode::parse(&code).map_err(|_| Refusal::NoDepartment)?)
        }
        _ => None,
    };
    Ok(Identity {
        username,
        role,
        department,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_role_code_claim_makes_the_account() {
        let m = ClaimMapping::default();
        let id = identity(
            &json!({"preferred_username": "Lily", "kesu_role": "supervisor"}),
            &m,
        )
        .unwrap();
        assert_eq!(id.username.as_str(), "lily");
        assert_eq!(id.role, Role::Supervisor);
        assert_eq!(
            identity(
                &json!({"preferred_username": "x1", "kesu_role": "boss"}),
                &m
            ),
            Err(Refusal::NoRole)
        );
        assert!(matches!(
            identity(&json!({"kesu_role": "agent"}), &m),
            Err(Refusal::NoUsername(_))
        ));
        assert!(matches!(
            identity(
                &json!({"preferred_username": "customer", "kesu_role": "agent"}),
                &m
            ),
            Err(Refusal::NoUsername(_))
        ));
    }

    #[test]
    fn groups_map_to_roles_and_the_most_power_wins() {
        let m = ClaimMapping {
            role_claim: "groups".into(),
            role_map: ClaimMapping::parse_role_map("cs-leads=supervisor, cs=agent,wh=department")
                .unwrap(),
            ..ClaimMapping::default()
        };
        let id = identity(
            &json!({"preferred_username": "olga", "groups": ["staff", "cs", "cs-leads"]}),
            &m,
        )
        .unwrap();
        assert_eq!(id.role, Role::Supervisor);
        let id = identity(
            &json!({"preferred_username": "wu", "groups": ["wh"], "kesu_department": "logistics"}),
            &m,
        )
        .unwrap();
        assert_eq!(id.department.unwrap().as_str(), "logistics");
        assert_eq!(
            identity(&json!({"preferred_username": "wu", "groups": ["wh"]}), &m),
            Err(Refusal::NoDepartment)
        );
        assert!(ClaimMapping::parse_role_map("x=king").is_err());
        assert!(ClaimMapping::parse_role_map("nopair").is_err());
    }
}
