//! The shop's after-sales policy as it is published to customers (on `/complain`, the case's
//! status page and `/policy`): what the admins write about returns, warranty and how to
//! complain, and the times kesu itself promises, read from the deadline policy so that what
//! the page says is what the clocks enforce.
//!
//! The law asks the shop to make these terms known: 电子商务法 Art. 17 (full, true, timely
//! information), 网络购买商品七日无理由退货暂行办法 Art. 5 and 10 (publish the return rules and
//! the goods excluded), 消费者权益保护法 Art. 25 (seven days) and Order 90 Art. 13 (refund within
//! seven days of receiving the returned goods).

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Problem};
use crate::policy::DeadlinePolicy;

/// The longest section, in characters.
pub const MAX_SECTION_CHARS: usize = 5000;

/// The admins' words, one text per section; paragraphs separated by blank lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AfterSalesPolicy {
    /// 退换货: seven-day returns, what is excluded, how to send goods back, who pays freight.
    pub returns: String,
    /// 保修与三包: warranty and repairs.
    pub warranty: String,
    /// 投诉渠道: how to complain and to whom.
    pub how_to_complain: String,
    /// 处理时限: anything to add to the times kesu promises (may be empty).
    #[serde(default)]
    pub times_note: String,
}

impl AfterSalesPolicy {
    /// What a shop publishes until its admins write their own: the legal minimum, plainly.
    pub fn builtin() -> AfterSalesPolicy {
        AfterSalesPolicy {
            returns: "签收商品次日起七天内，商品完好的，可申请七天无理由退货（消费者权益保护法第二十五条）。\n\n\
                      定制商品、鲜活易腐商品、已下载或拆封的数字化商品、报纸期刊，以及购买时页面已提示并经您确认不适用七天无理由退货的商品除外。\n\n\
                      因商品质量问题退换货的，运费由本店承担；无理由退货的退回运费由您承担，已购买运费险的按保险理赔。"
                .into(),
            warranty: "商品自签收之日起享受国家三包规定及商品页面承诺的保修服务。保修期内出现性能故障，可申请维修、换货或退货。".into(),
            how_to_complain: "您可以通过本页面在线提交投诉，也可以联系平台在线客服。请尽量提供订单号、问题照片或视频，便于我们尽快核实。".into(),
            times_note: String::new(),
        }
    }

    /// Every section 1–5000 characters (the note may be empty), no control characters.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let sections = [
            ("returns", &self.returns, true),
            ("warranty", &self.warranty, true),
            ("how_to_complain", &self.how_to_complain, true),
            ("times_note", &self.times_note, false),
        ];
        let mut errors = Vec::new();
        for (field, text, required) in sections {
            let chars = text.trim().chars().count();
            if required && chars == 0 {
                errors.push(FieldError::new(field, Problem::Empty));
            } else if chars > MAX_SECTION_CHARS {
                errors.push(FieldError::new(
                    field,
                    Problem::TooLong {
                        max: MAX_SECTION_CHARS as i64,
                    },
                ));
            } else if text
                .chars()
                .any(|c| c != '\n' && c != '\r' && c != '\t' && crate::text::is_refused_control(c))
            {
                errors.push(FieldError::new(field, Problem::ControlCharacter));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One promise of the published times, as the customer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimePromise {
    /// `first_response`, `resolution`, `refund_before_shipping`, `refund_after_return`.
    pub code: &'static str,
    pub text: String,
}

/// The times kesu's clocks hold the shop to, in the customer's words.
pub fn time_promises(d: &DeadlinePolicy) -> Vec<TimePromise> {
    let duration = |minutes: i64| {
        if minutes % 60 == 0 {
            format!("{}小时", minutes / 60)
        } else {
            format!("{minutes}分钟")
        }
    };
    vec![
        TimePromise {
            code: "first_response",
            text: format!(
                "收到投诉后{}内首次答复（工作时间内）",
                duration(d.first_response_minutes)
            ),
        },
        TimePromise {
            code: "resolution",
            text: format!("{}内给出处理结果", duration(d.resolve_hours * 60)),
        },
        TimePromise {
            code: "refund_before_shipping",
            text: format!(
                "未发货订单同意退款后{}内退款",
                duration(d.refund_before_shipping_hours * 60)
            ),
        },
        TimePromise {
            code: "refund_after_return",
            text: format!(
                "收到退回商品后{}天内退款（网络购买商品七日无理由退货暂行办法第十三条）",
                d.refund_after_return_days
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_policy_is_valid_and_a_bad_one_names_its_fields() {
        assert_eq!(AfterSalesPolicy::builtin().validate(), Ok(()));
        let bad = AfterSalesPolicy {
            returns: " ".into(),
            warranty: "x".repeat(MAX_SECTION_CHARS + 1),
            how_to_complain: "请拨打\u{0}".into(),
            times_note: String::new(),
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["returns", "warranty", "how_to_complain"]);
    }

    /// Order 90 Art. 13: the refund within seven days of receiving the goods back.
    #[test]
    fn the_published_times_are_the_clocks_own() {
        let mut d = crate::Policy::default().deadlines;
        d.first_response_minutes = 90;
        d.resolve_hours = 48;
        let texts: Vec<String> = time_promises(&d).into_iter().map(|p| p.text).collect();
        assert_eq!(
            texts,
            [
                "收到投诉后90分钟内首次答复（工作时间内）",
                "48小时内给出处理结果",
                "未发货订单同意退款后24小时内退款",
                "收到退回商品后7天内退款（网络购买商品七日无理由退货暂行办法第十三条）",
            ]
        );
    }
}
