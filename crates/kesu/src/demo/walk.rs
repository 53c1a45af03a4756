//! How the generator takes a case through the real lifecycle: the commands a team would send
//! at each step, with the gaps between them, and the options it would propose.

use chrono::Duration;
use kesu_domain::case::{Case, ResolutionOption};
use kesu_domain::codes::{Demand, DepartmentCode, ResolutionKind};
use kesu_domain::money::Cents;
use kesu_domain::role::{Actor, Role};
use kesu_domain::{decide, evolve, CaseStatus, Command};
use kesu_store::ImportedEvent;
use rand::Rng;

use super::generate::{minutes, pick, weighted, Generator};
use super::texts;

impl Generator {
    /// Takes the case through the lifecycle as far as its age allows.
    pub(super) fn walk(
        &mut self,
        mut case: Case,
        agent: &Actor,
        paid: i64,
        history: &mut Vec<ImportedEvent>,
    ) -> Case {
        let supervisor_name = pick(&mut self.rng, &self.staff.supervisors).clone();
        let supervisor = Actor::staff(&supervisor_name, Role::Supervisor, None);
        let mut t = case.received_at;
        let mut renegotiated = false;
        // Recent cases stop somewhere on the way; a few older ones linger.
        let age_days = (self.now - case.received_at).num_days();
        let lingering = self.rng.gen_range(0..1000)
            < if age_days > 20 {
                3
            } else {
                150 + 40 * (10 - age_days.min(10))
            };
        let stop_at = if lingering {
            self.rng.gen_range(1..9)
        } else {
            99
        };
        let mut step = 0;
        loop {
            step += 1;
            if step > stop_at {
                return case;
            }
            let (gap, actor, cmd): (i64, Actor, Command) = match case.status {
                CaseStatus::Registered => {
                    let valid = self.rng.gen_range(0..100) >= 9;
                    let reason = if valid {
                        "情况属实，已核实订单".to_owned()
                    } else {
                        "经核实商品在签收后七天外且无质量问题，已委婉说明".to_owned()
                    };
                    (
                        minutes(&mut self.rng, 25.0),
                        agent.clone(),
                        Command::Judge {
                            valid,
                            reason: Some(reason),
                        },
                    )
                }
                CaseStatus::Validated if case.assignee.is_none() => (
                    1,
                    supervisor.clone(),
                    Command::Assign {
                        user: agent.name().to_owned(),
                        user_role: Some(Role::Agent),
                        user_department: None,
                    },
                ),
                CaseStatus::Validated => {
                    let dept = self
                        .policy
                        .suggest_department(case.category)
                        .unwrap_or_else(|| DepartmentCode::parse("service").expect("code"));
                    (
                        minutes(&mut self.rng, 20.0),
                        agent.clone(),
                        Command::Route { department: dept },
                    )
                }
                CaseStatus::Routed => {
                    let dept = case.department.clone();
                    let actor = Actor::staff(
                        &format!("dept.{}", dept.as_ref().map_or("service", |d| d.as_str())),
                        Role::Department,
                        dept,
                    );
                    let (root_cause, liability, findings) =
                        texts::analysis(case.category, self.rng.gen_range(0..3));
                    (
                        minutes(&mut self.rng, 300.0),
                        actor,
                        Command::Analyse {
                            liability,
                            root_cause,
                            findings: findings.into(),
                        },
                    )
                }
                CaseStatus::Analysed => {
                    let options = self.options(case.demand, paid, renegotiated);
                    (
                        minutes(&mut self.rng, 40.0),
                        agent.clone(),
                        Command::Propose { options },
                    )
                }
                CaseStatus::Proposed => (
                    minutes(&mut self.rng, 120.0),
                    agent.clone(),
                    Command::Choose { option: 0 },
                ),
                CaseStatus::AwaitingApproval => (
                    minutes(&mut self.rng, 90.0),
                    supervisor.clone(),
                    Command::Approve {
                        comment: Some("同意".into()),
                    },
                ),
                CaseStatus::Approved => (
                    minutes(&mut self.rng, 600.0),
                    agent.clone(),
                    Command::Execute {
                        note: "已按方案处理并通知顾客".into(),
                    },
                ),
                CaseStatus::Executed => {
                    let satisfied = renegotiated || self.rng.gen_range(0..100) < 88;
                    let rating = if satisfied {
                        weighted(&mut self.rng, &[(5, 60), (4, 28), (3, 12)])
                    } else {
                        weighted(&mut self.rng, &[(1, 40), (2, 45), (3, 15)])
                    };
                    if !satisfied {
                        renegotiated = true;
                    }
                    let comment = if satisfied {
                        "问题已解决，谢谢"
                    } else {
                        "方案不满意，希望重新处理"
                    };
                    (
                        minutes(&mut self.rng, 1500.0),
                        agent.clone(),
                        Command::FollowUp {
                            satisfied,
                            rating: Some(rating),
                            comment: Some(comment.into()),
                            way: None,
                        },
                    )
                }
                CaseStatus::Resolved => {
                    let lessons = (self.rng.gen_range(0..100) < 35)
                        .then(|| (*pick(&mut self.rng, texts::LESSONS)).to_owned());
                    (
                        minutes(&mut self.rng, 60.0),
                        agent.clone(),
                        Command::Close {
                            summary: "已按顾客选择的方案处理完毕，顾客满意".into(),
                            lessons,
                        },
                    )
                }
                CaseStatus::Closed => return case,
            };
            t += Duration::minutes(gap);
            if t >= self.now {
                return case;
            }
            match decide(&case, &actor, &cmd, case.version, t, &self.policy) {
                Ok(event) => {
                    history.push(ImportedEvent {
                        at: event.at,
                        author: event.author.clone(),
                        entry: event.entry(),
                    });
                    case = evolve(&case, &event);
                }
                // The generator asks only for what the lifecycle allows; stop if it refuses.
                Err(_) => return case,
            }
        }
    }

    fn options(&mut self, demand: Demand, paid: i64, second_round: bool) -> Vec<ResolutionOption> {
        let option = |kind, amount_cents: Option<i64>, note: &str| ResolutionOption {
            kind,
            amount_cents: amount_cents.map(Cents::new),
            note: Some(note.to_owned()),
            lines: Vec::new(),
            include_shipping: false,
            goodwill: Vec::new(),
        };
        let paid = paid.max(100);
        let mut list = match demand {
            Demand::Refund | Demand::ReturnRefund => vec![
                option(ResolutionKind::PartialRefund, Some(paid), "全额退款"),
                option(
                    ResolutionKind::Discount,
                    Some(paid / 5),
                    "保留商品，补偿差价",
                ),
            ],
            Demand::Exchange => vec![
                option(ResolutionKind::Exchange, None, "换新"),
                option(ResolutionKind::PartialRefund, Some(paid), "退款"),
            ],
            Demand::Reship => vec![
                option(ResolutionKind::Reship, None, "补发"),
                option(ResolutionKind::PartialRefund, Some(paid), "退款"),
            ],
            Demand::Repair => vec![option(ResolutionKind::Repair, None, "免费维修")],
            Demand::Compensation => vec![option(
                ResolutionKind::Compensation,
                Some(self.rng.gen_range(5..60) * 100),
                "现金补偿",
            )],
            Demand::Apology | Demand::Explanation | Demand::Other => vec![
                option(ResolutionKind::Apology, None, "致歉并说明原因"),
                option(ResolutionKind::Guidance, None, "使用指导"),
            ],
        };
        if second_round {
            list.insert(
                0,
                option(
                    ResolutionKind::Compensation,
                    Some(self.rng.gen_range(10..50) * 100),
                    "再补偿一张无门槛券",
                ),
            );
        }
        list
    }
}
