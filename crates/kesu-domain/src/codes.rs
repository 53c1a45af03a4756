//! The fixed code lists of docs/interface.md §3, with their Chinese labels.

use serde::{Deserialize, Serialize};

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $zh:literal;)+ }) => {
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

            /// The label agents see in the workbench.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
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
        Chat => "chat", "在线客服";
        Phone => "phone", "电话";
        Email => "email", "邮件";
        App => "app", "App";
        Platform => "platform", "平台工单";
        WebForm => "web_form", "网页表单";
        ConsumerAssociation => "consumer_association", "消费者协会";
    }
);

code_enum!(
    /// What the complaint is about.
    Category {
        Logistics => "logistics", "物流";
        Damaged => "damaged", "破损";
        WrongItem => "wrong_item", "错发漏发";
        Quality => "quality", "质量问题";
        NotAsDescribed => "not_as_described", "与描述不符";
        Price => "price", "价格";
        Refund => "refund", "退款";
        Service => "service", "服务态度";
        Other => "other", "其他";
    }
);

code_enum!(
    /// What the customer asks for.
    Demand {
        Refund => "refund", "退款";
        ReturnRefund => "return_refund", "退货退款";
        Exchange => "exchange", "换货";
        Reship => "reship", "补发";
        Repair => "repair", "维修";
        Compensation => "compensation", "赔偿";
        Apology => "apology", "道歉";
        Explanation => "explanation", "解释说明";
        Other => "other", "其他";
    }
);

code_enum!(
    /// Who is found liable.
    Liability {
        Customer => "customer", "顾客";
        Merchant => "merchant", "商家";
        Carrier => "carrier", "承运商";
        Supplier => "supplier", "供应商";
        Shared => "shared", "共同责任";
    }
);

code_enum!(
    /// Why it happened.
    RootCause {
        Process => "process", "流程缺陷";
        Staff => "staff", "人员失误";
        Product => "product", "产品设计";
        Carrier => "carrier", "承运商";
        Customer => "customer", "顾客使用不当";
        Other => "other", "其他";
    }
);

code_enum!(
    /// What is offered to settle it.
    ResolutionKind {
        Refund => "refund", "全额退款";
        PartialRefund => "partial_refund", "部分退款";
        ReturnRefund => "return_refund", "退货退款";
        Exchange => "exchange", "换货";
        Reship => "reship", "补发";
        Repair => "repair", "维修";
        Discount => "discount", "折价";
        Compensation => "compensation", "补偿";
        Apology => "apology", "道歉";
        Guidance => "guidance", "使用指导";
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

/// The Chinese name of a carrier's code (kuaidi100's codes), for people to read.
pub fn carrier_name_zh(code: &str) -> Option<&'static str> {
    Some(match code {
        "sf" | "shunfeng" => "顺丰速运",
        "zto" | "zhongtong" => "中通快递",
        "yto" | "yuantong" => "圆通速递",
        "sto" | "shentong" => "申通快递",
        "yunda" => "韵达快递",
        "jd" => "京东物流",
        "ems" => "EMS",
        "best" | "huitongkuaidi" => "百世快递",
        "jtexpress" | "jt" => "极兔速递",
        "deppon" | "debangwuliu" => "德邦快递",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
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
        Normal => "normal", "普通";
        High => "high", "紧急";
        Urgent => "urgent", "特急";
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
        County => "county", "县级";
        City => "city", "市级";
        Province => "province", "省级";
    }
);
