//! Who pays to send goods back (谁过错谁承担): the party at fault. 消费者权益保护法 Art. 24: a
//! return for a quality problem is at the shop's cost ("经营者应当承担运输等必要费用"), and the
//! shop answers to the customer for its supplier and the carrier it chose (it claims from
//! them itself); Art. 25 and 网络购买商品七日无理由退货暂行办法 Art. 13: a no-reason return is at
//! the customer's cost, unless the shop agreed otherwise. Return-shipping insurance (运费险)
//! bought with the order pays the customer's part, up to what it covers.

use serde::{Deserialize, Serialize};

use crate::codes::Liability;

/// Return-shipping insurance bought with the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FreightInsurance {
    /// Who insures it (e.g. 华泰保险), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurer: Option<String>,
    /// The most it pays for one return.
    pub max_cents: i64,
}

/// Who bears the return freight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FreightPayer {
    /// The shop: reimbursed to the customer with the refund.
    Shop,
    /// The customer (a no-reason return without insurance).
    Customer,
    /// The customer's 运费险: claimed from the insurer.
    Insurance,
}

impl FreightPayer {
    pub fn code(self) -> &'static str {
        match self {
            FreightPayer::Shop => "shop",
            FreightPayer::Customer => "customer",
            FreightPayer::Insurance => "insurance",
        }
    }
}

/// What the return freight comes to: who pays, and what the shop reimburses or the insurer
/// is claimed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnFreight {
    /// What the customer paid to send the goods back.
    pub cents: i64,
    pub payer: FreightPayer,
    /// The shop's reimbursement (payer shop) or the insurer's claim (payer insurance).
    pub covered_cents: i64,
}

/// Who pays `cents` of return freight, given the liability found and the order's insurance.
/// With no liability found yet, the shop pays: the customer is not made to wait for it.
pub fn settle(
    cents: i64,
    liability: Option<Liability>,
    insurance: Option<&FreightInsurance>,
) -> ReturnFreight {
    match (liability, insurance) {
        (Some(Liability::Customer), None) => ReturnFreight {
            cents,
            payer: FreightPayer::Customer,
            covered_cents: 0,
        },
        (Some(Liability::Customer), Some(i)) => ReturnFreight {
            cents,
            payer: FreightPayer::Insurance,
            covered_cents: cents.min(i.max_cents),
        },
        _ => ReturnFreight {
            cents,
            payer: FreightPayer::Shop,
            covered_cents: cents,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 消费者权益保护法 Art. 24: a faulty product goes back at the shop's cost.
    #[test]
    fn the_party_at_fault_pays_the_shop_answering_for_supplier_and_carrier() {
        for l in [
            Liability::Merchant,
            Liability::Supplier,
            Liability::Carrier,
            Liability::Shared,
        ] {
            assert_eq!(
                settle(1200, Some(l), None),
                ReturnFreight {
                    cents: 1200,
                    payer: FreightPayer::Shop,
                    covered_cents: 1200
                }
            );
        }
    }

    /// Order 90 Art. 13: a no-reason return at the customer's cost; 运费险 pays up to its cover.
    #[test]
    fn a_change_of_mind_is_the_customers_unless_insured() {
        assert_eq!(
            settle(1200, Some(Liability::Customer), None).payer,
            FreightPayer::Customer
        );
        let insured = FreightInsurance {
            insurer: Some("华泰保险".into()),
            max_cents: 1000,
        };
        assert_eq!(
            settle(1200, Some(Liability::Customer), Some(&insured)),
            ReturnFreight {
                cents: 1200,
                payer: FreightPayer::Insurance,
                covered_cents: 1000
            }
        );
        assert_eq!(
            settle(800, Some(Liability::Customer), Some(&insured)).covered_cents,
            800
        );
    }
}
