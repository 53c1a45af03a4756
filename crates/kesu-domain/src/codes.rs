//! The fixed code lists of docs/interface.md §3. Their labels are in the locale files
//! (crate `kesu-i18n`).

use serde::{Deserialize, Serialize};

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code used in the API, the database and the command line.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum!(
    /// Where a complaint came in.
    Channel {
        Chat => "chat";
        Phone => "phone";
        Email => "email";
        App => "app";
        Platform => "platform";
        WebForm => "web_form";
        ConsumerAssociation => "consumer_association";
    }
);

code_enum!(
    /// What the complaint is about.
    Category {
        Logistics => "logistics";
        Damaged => "damaged";
        WrongItem => "wrong_item";
        Quality => "quality";
        NotAsDescribed => "not_as_described";
        Price => "price";
        Refund => "refund";
        Service => "service";
        Other => "other";
    }
);

code_enum!(
    /// What the customer asks for.
    Demand {
        Refund => "refund";
        ReturnRefund => "return_refund";
        Exchange => "exchange";
        Reship => "reship";
        Repair => "repair";
        Compensation => "compensation";
        Apology => "apology";
        Explanation => "explanation";
        Other => "other";
    }
);

code_enum!(
    /// Who is found liable.
    Liability {
        Customer => "customer";
        Merchant => "merchant";
        Carrier => "carrier";
        Supplier => "supplier";
        Shared => "shared";
    }
);

code_enum!(
    /// Why it happened.
    RootCause {
        Process => "process";
        Staff => "staff";
        Product => "product";
        Carrier => "carrier";
        Customer => "customer";
        Other => "other";
    }
);

code_enum!(
    /// What is offered to settle it.
    ResolutionKind {
        Refund => "refund";
        PartialRefund => "partial_refund";
        ReturnRefund => "return_refund";
        Exchange => "exchange";
        Reship => "reship";
        Repair => "repair";
        Discount => "discount";
        Compensation => "compensation";
        Apology => "apology";
        Guidance => "guidance";
    }
);

impl ResolutionKind {
    /// Kinds whose substance is an amount of money: an option of these kinds must state it.
    pub fn requires_amount(self) -> bool {
        matches!(
            self,
            ResolutionKind::PartialRefund | ResolutionKind::Discount | ResolutionKind::Compensation
        )
    }
}

impl Demand {
    /// The resolution that gives the customer what they asked for: the option a proposal
    /// starts from (the agent may change it or add others).
    pub fn resolution(self) -> Option<ResolutionKind> {
        use ResolutionKind as R;
        Some(match self {
            Demand::Refund => R::Refund,
            Demand::ReturnRefund => R::ReturnRefund,
            Demand::Exchange => R::Exchange,
            Demand::Reship => R::Reship,
            Demand::Repair => R::Repair,
            Demand::Compensation => R::Compensation,
            Demand::Apology => R::Apology,
            Demand::Explanation => R::Guidance,
            Demand::Other => return None,
        })
    }
}

impl Category {
    /// Who is usually liable for this kind of complaint, and why: what the analysis form
    /// starts from (the department confirms or changes it; nothing is decided by it).
    pub fn usual_cause(self) -> Option<(Liability, RootCause)> {
        use Liability as L;
        use RootCause as C;
        Some(match self {
            // Lost, late, marked delivered but not received, crushed in transit.
            Category::Logistics | Category::Damaged => (L::Carrier, C::Carrier),
            // Picked or packed wrong in the shop's own warehouse.
            Category::WrongItem => (L::Merchant, C::Process),
            Category::Quality => (L::Supplier, C::Product),
            Category::NotAsDescribed | Category::Price | Category::Refund => {
                (L::Merchant, C::Process)
            }
            Category::Service => (L::Merchant, C::Staff),
            Category::Other => return None,
        })
    }
}

/// A department code such as `logistics`; admins may add their own, so it is not an enum.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct DepartmentCode(String);

impl DepartmentCode {
    pub fn parse(code: &str) -> Result<Self, String> {
        let ok = !code.is_empty()
            && code.len() <= 32
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(DepartmentCode(code.to_owned()))
        } else {
            Err(format!(
                "`{code}` is not a department code: use 1–32 lowercase letters, digits or _, starting with a letter"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DepartmentCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DepartmentCode::parse(&value)
    }
}

impl From<DepartmentCode> for String {
    fn from(value: DepartmentCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for DepartmentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The departments every new database starts with, and their Chinese names.
pub const DEFAULT_DEPARTMENTS: &[(&str, &str)] = &[
    ("logistics", "储运部"),
    ("quality", "质量管理部"),
    ("service", "客服部"),
    ("operations", "运营部"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn a_proposal_starts_from_what_the_customer_asked_for() {
        assert_eq!(Demand::Reship.resolution(), Some(ResolutionKind::Reship));
        assert_eq!(
            Demand::Explanation.resolution(),
            Some(ResolutionKind::Guidance)
        );
        assert_eq!(Demand::Other.resolution(), None);
        for d in Demand::ALL.iter().filter(|d| **d != Demand::Other) {
            assert!(d.resolution().is_some(), "{d:?}");
        }
    }

    #[test]
    fn a_lost_parcel_is_usually_the_carriers_doing() {
        assert_eq!(
            Category::Logistics.usual_cause(),
            Some((Liability::Carrier, RootCause::Carrier))
        );
        assert_eq!(Category::Other.usual_cause(), None);
    }

    use super::*;

    #[test]
    fn codes_round_trip_through_serde_and_parse() {
        for c in Category::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
            assert_eq!(Category::parse(c.code()), Some(*c));
        }
        assert_eq!(
            Channel::parse("consumer_association"),
            Some(Channel::ConsumerAssociation)
        );
        assert_eq!(Channel::parse("fax"), None);
    }

    #[test]
    fn department_codes_are_checked() {
        assert!(DepartmentCode::parse("logistics").is_ok());
        assert!(DepartmentCode::parse("after_sales2").is_ok());
        assert!(DepartmentCode::parse("").is_err());
        assert!(DepartmentCode::parse("Logistics").is_err());
        assert!(DepartmentCode::parse("储运部").is_err());
    }
}

code_enum!(
    /// How urgently a case must be handled; SLA rules may depend on it.
    Priority {
        Normal => "normal";
        High => "high";
        Urgent => "urgent";
    }
);

// The variants come from the macro, which cannot mark one `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for Priority {
    fn default() -> Self {
        Priority::Normal
    }
}

code_enum!(
    /// The level of the consumer association that forwarded a complaint: the respondent's
    /// county, the common higher level across counties, the province across cities.
    Jurisdiction {
        County => "county";
        City => "city";
        Province => "province";
    }
);
