//! The workbench's words in Chinese (first) and English.

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Lang {
        if code.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language of the reply scripts to offer on a page in this language.
    pub fn scripts(self) -> kesu_domain::scripts::Language {
        match self {
            Lang::Zh => kesu_domain::scripts::Language::Zh,
            Lang::En => kesu_domain::scripts::Language::En,
        }
    }

    /// The word for `key`; the key itself when it has no translation (visible in review).
    pub fn t(self, key: &'static str) -> &'static str {
        match TEXTS.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => key,
        }
    }

    /// A code's label: the domain's Chinese label, or the code in words.
    pub fn code_label(self, zh: &str, code: &str) -> String {
        match self {
            Lang::Zh => zh.to_owned(),
            Lang::En => {
                let words = code.replace('_', " ");
                let mut c = words.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            }
        }
    }
}

const TEXTS: &[(&str, &str, &str)] = &[
    ("reports", "统计报表", "Reports"),
    ("improvements", "改进措施", "Improvement actions"),
    ("improvements_hint", "把结案经验转为改进措施，并对比措施生效前后每周同类根因的投诉量", "Lessons turned into actions, with the weekly complaints of their root cause before and after they took effect"),
    ("weeks", "周", "weeks"),
    ("improvement_title", "措施", "Action"),
    ("owner", "负责人", "Owner"),
    ("due_on", "截止日期", "Due"),
    ("before_per_week", "生效前（件/周）", "Before (per week)"),
    ("after_per_week", "生效后（件/周）", "After (per week)"),
    ("change", "变化", "Change"),
    ("linked_cases", "个关联案件", "linked cases"),
    ("update", "更新", "Update"),
    ("no_improvements", "还没有改进措施", "No improvement actions yet"),
    ("new_improvement", "新增改进措施", "New improvement action"),
    ("linked_case_numbers", "关联案件编号（空格分隔）", "Linked case numbers (space-separated)"),
    ("refunds_money", "退款", "refunds"),
    ("chart_timeline", "投诉量趋势（按渠道）", "Complaints over time, by channel"),
    ("chart_category", "投诉类别分布", "Complaints by category"),
    ("chart_causes", "根因帕累托", "Root causes (Pareto)"),
    ("chart_liability", "责任方帕累托", "Liability (Pareto)"),
    ("chart_carriers", "承运商投诉量", "Complaints by carrier"),
    ("chart_products", "商品投诉量（前十）", "Complaints by product (top 10)"),
    ("chart_ratings", "回访评分分布", "Follow-up ratings"),
    ("chart_departments", "责任部门投诉量", "Complaints by department"),
    ("from", "开始日期", "From"),
    ("to", "结束日期", "To"),
    ("shop", "店铺", "Shop"),
    ("apply", "查询", "Apply"),
    ("export_report", "导出报表", "Export report"),
    ("export_register", "导出投诉登记表", "Export complaint register"),
    ("previous_period", "上期", "previous"),
    ("period", "统计期间", "Period"),
    ("compared_with", "对比上期", "compared with"),
    ("kpi_cases", "投诉量", "Complaints"),
    ("kpi_rate", "每千单投诉", "Per 1,000 orders"),
    ("kpi_first_response", "首次响应（中位数）", "First response (median)"),
    ("kpi_resolution", "解决时长（中位数）", "Resolution (median)"),
    ("kpi_sla", "时效达成率", "SLA met"),
    ("kpi_reopen", "重开率", "Reopened"),
    ("kpi_satisfaction", "回访满意率", "Satisfied at follow-up"),
    ("kpi_money", "退款与赔偿", "Refunds and compensation"),
    ("kpi_repeat", "重复投诉人", "Repeat complainants"),
    ("minutes", "分钟", "min"),
    ("cases_unit", "件", "cases"),
    ("average_rating", "平均评分", "average"),
    ("ratings_unit", "条评价", "ratings"),
    ("compensation", "赔偿", "compensation"),
    ("recovered", "理赔追回", "recovered"),
    ("of_cases", "的投诉", "of complaints"),
    ("workload_agents", "客服工作量", "Agents' workload"),
    ("open", "未结", "Open"),
    ("closed", "已结", "Closed"),
    ("share", "占比", "Share"),
    ("cumulative", "累计占比", "Cumulative"),
    ("by_shop", "店铺投诉量", "Complaints by shop"),
    ("app", "客诉工作台", "Complaint desk"),
    ("sign_in", "登录", "Sign in"),
    ("sign_out", "退出", "Sign out"),
    ("username", "用户名", "Username"),
    ("password", "密码", "Password"),
    (
        "wrong_login",
        "用户名或密码错误，或账号已停用。",
        "Wrong username or password, or the account is disabled.",
    ),
    ("queue", "投诉队列", "Queue"),
    ("register", "登记投诉", "Register complaint"),
    ("language", "English", "中文"),
    ("search", "搜索", "Search"),
    (
        "search_hint",
        "单号、订单号、运单号、描述、姓名、电话",
        "Case, order or tracking number, text, name, phone",
    ),
    ("all", "全部", "All"),
    ("status", "状态", "Status"),
    ("category", "类别", "Category"),
    ("channel", "渠道", "Channel"),
    ("demand", "诉求", "Demand"),
    ("department", "责任部门", "Department"),
    ("assignee", "处理人", "Assignee"),
    ("deadline", "时限", "Deadline"),
    ("overdue", "已超时", "Overdue"),
    ("due_soon", "即将超时", "Due soon"),
    ("mine", "我的", "Mine"),
    ("unassigned", "未分配", "Unassigned"),
    ("filter", "筛选", "Filter"),
    ("number", "编号", "Number"),
    ("customer", "顾客", "Customer"),
    ("received", "受理时间", "Received"),
    ("no_cases", "没有符合条件的投诉。", "No cases match."),
    ("prev", "上一页", "Previous"),
    ("next", "下一页", "Next"),
    ("page", "页", "page"),
    ("total", "共", "Total"),
    ("complainant_name", "顾客姓名", "Customer name"),
    ("phone", "联系电话", "Phone"),
    ("email", "电子邮箱", "E-mail"),
    ("order_no", "订单号", "Order number"),
    ("tracking_no", "运单号", "Tracking number"),
    ("description", "投诉内容", "Complaint"),
    ("received_at", "投诉时间", "Complained at"),
    ("tags", "标签（逗号分隔）", "Tags (comma-separated)"),
    ("required", "必填", "required"),
    ("checklist", "登记清单", "Checklist"),
    (
        "checklist_hint",
        "全部完成后才能保存。",
        "Complete every item to continue.",
    ),
    ("review", "复述确认", "Read back"),
    (
        "readback_hint",
        "请向顾客逐项复述以下内容，确认完整准确后再提交。",
        "Read this back to the customer and confirm it is complete and accurate before saving.",
    ),
    (
        "readback_confirmed",
        "已向顾客复述，顾客确认无误",
        "Read back to the customer, who confirmed it",
    ),
    ("edit", "返回修改", "Edit"),
    ("save_case", "确认并登记", "Confirm and register"),
    ("continue", "下一步：复述确认", "Next: read back"),
    (
        "contact_needed",
        "请至少填写一种联系方式",
        "Give at least one way to reach the customer",
    ),
    ("steps", "处理进度", "Progress"),
    ("step_register", "登记", "Register"),
    ("step_judge", "判定", "Judge"),
    ("step_route", "分派", "Route"),
    ("step_analyse", "分析", "Analyse"),
    ("step_propose", "方案", "Propose"),
    ("step_approve", "审批", "Approve"),
    ("step_execute", "执行", "Execute"),
    ("step_follow_up", "回访", "Follow up"),
    ("actions", "可执行操作", "Actions"),
    (
        "no_actions",
        "当前没有您可执行的操作。",
        "Nothing for you to do now.",
    ),
    ("history", "处理记录", "History"),
    ("order", "订单", "Order"),
    ("no_order", "订单不在系统中。", "The order is not in kesu."),
    ("lines", "商品", "Lines"),
    ("discounts", "优惠", "Discounts"),
    ("shipments", "物流", "Shipments"),
    ("refunds", "退款记录", "Refunds"),
    ("refundable", "可退金额", "Refundable"),
    ("paid", "实付", "Paid"),
    ("points", "积分抵扣", "Points"),
    ("shipping", "运费", "Shipping"),
    ("quantity", "数量", "Qty"),
    ("unit_price", "单价", "Unit price"),
    ("submit", "提交", "Submit"),
    ("valid", "投诉成立", "Complaint stands"),
    ("invalid", "投诉不成立", "Complaint does not stand"),
    (
        "reason",
        "理由（不成立时需委婉说明）",
        "Reason (tactful, if it does not stand)",
    ),
    ("liability", "责任方", "Liable party"),
    ("root_cause", "根本原因", "Root cause"),
    ("findings", "调查结论", "Findings"),
    ("option", "方案", "Option"),
    ("kind", "方式", "Kind"),
    ("amount_yuan", "金额（元）", "Amount (yuan)"),
    ("note", "备注", "Note"),
    ("comment", "意见", "Comment"),
    ("satisfied", "顾客满意", "Customer satisfied"),
    (
        "not_satisfied",
        "顾客不满意，重新协商",
        "Not satisfied: renegotiate",
    ),
    ("rating", "评分", "Rating"),
    ("summary", "总结", "Summary"),
    ("lessons", "经验教训", "Lessons"),
    ("user", "处理人", "User"),
    ("text", "内容", "Text"),
    (
        "internal",
        "内部备注（顾客不可见）",
        "Internal note (not shown to the customer)",
    ),
    ("public_reply", "回复顾客", "Reply to customer"),
    ("internal_note", "内部备注", "Internal note"),
    (
        "forbidden",
        "您没有权限执行此操作。",
        "You may not do this.",
    ),
    (
        "csrf",
        "表单已过期，请刷新页面后重试。",
        "The form has expired: reload the page and try again.",
    ),
    ("not_found", "找不到该页面。", "Page not found."),
    ("error", "出错了", "Something went wrong"),
    ("back_to_queue", "返回队列", "Back to the queue"),
    ("masked", "（已脱敏）", "(masked)"),
    ("created_by", "登记人", "Registered by"),
    ("suggested", "建议", "suggested"),
    ("carrier", "快递公司", "Carrier"),
    ("result", "验货结果", "Inspection result"),
    ("outcome", "包裹结果", "Parcel outcome"),
    ("parcel_status", "包裹状态", "Parcel status"),
    ("method", "退款方式", "Refund method"),
    (
        "photos",
        "照片链接（每行一个）",
        "Photo links (one per line)",
    ),
    (
        "spec_matches",
        "数量规格与申请一致",
        "Quantity and spec match the request",
    ),
    (
        "accepted_lines",
        "验收数量（行号:数量，逗号分隔）",
        "Accepted units (line:qty, comma-separated)",
    ),
    (
        "option_lines",
        "商品（行号:数量，逗号分隔，空=全部）",
        "Lines (line:qty, comma-separated; empty = all)",
    ),
    ("include_shipping", "含运费", "Include shipping"),
    ("chosen", "已选方案", "Chosen"),
    (
        "customer_link",
        "生成顾客查询链接",
        "New link for the customer",
    ),
    (
        "customer_link_new",
        "请把此链接发给顾客（之前的链接已失效）：",
        "Send this link to the customer (earlier links no longer work):",
    ),
    ("approvals", "待审批", "Approvals"),
    (
        "no_approvals",
        "没有待审批的方案。",
        "Nothing waits for approval.",
    ),
    ("overdue_cases", "超时案件", "Overdue"),
    ("department_inbox", "部门收件箱", "Department inbox"),
    ("admin", "系统管理", "Admin"),
    ("users", "用户与角色", "Users and roles"),
    ("role", "角色", "Role"),
    ("add_user", "新建用户", "Add user"),
    ("disable", "停用", "Disable"),
    ("enable", "启用", "Enable"),
    ("disabled", "已停用", "disabled"),
    ("active", "正常", "active"),
    ("departments", "部门", "Departments"),
    ("add_department", "新增部门", "Add department"),
    ("code", "代码", "Code"),
    ("name", "名称", "Name"),
    ("policy", "审批与分派规则", "Approval and routing policy"),
    (
        "approval_limit",
        "超过此金额需主管审批（元）",
        "Supervisor approval above (yuan)",
    ),
    (
        "always_approve",
        "以下方式一律需审批",
        "Always needs approval",
    ),
    (
        "routing",
        "类别 → 建议部门",
        "Category → suggested department",
    ),
    (
        "first_response_minutes",
        "首次响应时限（分钟）",
        "First response (minutes)",
    ),
    ("resolve_hours", "解决时限（小时）", "Resolution (hours)"),
    (
        "ca_days",
        "消协案件时限（天）",
        "Consumer-association cases (days)",
    ),
    ("time_zone", "店铺时区", "Shop time zone"),
    ("save", "保存", "Save"),
    ("saved", "已保存。", "Saved."),
    ("prefill", "从订单带入", "Fill from order"),
    (
        "prefilled",
        "已从订单带入顾客信息和运单号，请核对。",
        "Filled in from the order: please check.",
    ),
    ("quote", "退款试算", "Refund quote"),
    (
        "quote_lines",
        "商品（行号:数量，逗号分隔）",
        "Lines (line:qty, comma-separated)",
    ),
    ("calculate", "试算", "Calculate"),
    ("getting_started", "开始使用", "Getting started"),
    ("gs_users", "在“系统管理”中为团队创建账号：坐席（agent）、主管（supervisor）、责任部门（department）。", "In Admin, create accounts for your team: agents, supervisors and department users."),
    ("gs_register", "坐席登录后点击“登记投诉”，按清单填写并向顾客复述确认。", "Agents sign in and use Register complaint: fill in the checklist and read it back to the customer."),
    ("gs_handle", "在案件页按顺序处理：判定、分派、分析、方案、审批、执行、回访、结案。", "On each case page, take the steps in turn: judge, route, analyse, propose, approve, execute, follow up, close."),
    ("admin_no_cases_hint", "管理员不处理案件；请用坐席或主管账号登录处理。", "Admins do not handle cases: sign in as an agent or supervisor to work on it."),
    ("cash", "退现金", "Cash"),
    ("wait_reason", "需要顾客提供什么", "What the customer is asked for"),
    ("referral_body", "转办消协", "Forwarding association"),
    ("jurisdiction", "层级", "Level"),
    ("referral_reference", "消协编号", "Association reference"),
    ("filed_on", "受理日期", "Filed on"),
    ("appraiser", "鉴定机构", "Appraiser"),
    ("appraisal_cost", "鉴定费用（元）", "Appraisal cost (yuan)"),
    ("appraisal_payer", "费用承担方", "Paid by"),
    ("payer_from_analysis", "按责任认定", "The party found liable"),
    ("conclusion", "鉴定结论", "Conclusion"),
    ("clock_stopped", "已暂停", "Stopped"),
    ("sla", "服务时限", "Service levels"),
    ("first_response", "首次响应", "First response"),
    ("responded_at", "已响应于", "Answered at"),
    ("step_deadline", "本环节时限", "This step due"),
    ("resolve_deadline", "解决时限", "Resolution due"),
    ("priority", "优先级", "Priority"),
    ("paused_waiting", "等待顾客中，计时已暂停。", "Waiting on the customer: the clock is stopped."),
    ("sla_warnings", "预警", "Warnings"),
    ("sla_breaches", "超时", "Breaches"),
    ("sla_reminders", "催办", "Reminders"),
    ("referral", "消协转办", "Consumer association"),
    ("appraisal", "技术鉴定", "Technical appraisal"),
    ("logistics_board", "物流看板", "Logistics board"),
    ("triage_suggests", "系统建议类别：", "Suggested category:"),
    ("triage_urgent", "紧急", "urgent"),
    ("triage_use", "采用建议", "Use it"),
    ("triage_first_reply", "首次回复话术", "First reply script"),
    ("reply_scripts", "话术", "Reply scripts"),
    ("script_pick", "选择话术填入回复框…", "Insert a script…"),
    ("script_missing", "有待补充的内容", "has blanks to fill"),
    ("templates", "话术库", "Reply scripts"),
    ("template_id", "编号", "Id"),
    ("template_title", "标题", "Title"),
    ("template_body", "内容", "Text"),
    ("template_scenario", "场景", "Scenario"),
    ("template_language", "语言", "Language"),
    ("template_any_category", "所有类别", "Any category"),
    ("template_variables", "可用变量", "Variables"),
    ("template_save", "保存话术", "Save script"),
    ("template_delete", "删除", "Delete"),
    ("template_new", "新增话术", "New script"),
    ("rules", "回复检查与分诊词库", "Reply checker and triage words"),
    ("rules_hint", "JSON 格式；保存后立即生效，每个词都会检查（空词会处处命中，因此不允许）。", "JSON; in force as soon as saved; every word is checked (a blank one would match everywhere)."),
    ("reply_rules", "回复检查词库", "Reply checker words"),
    ("triage_rules", "分诊词库", "Triage words"),
    ("override_check", "主管放行（回复检查未通过也发送，将记录在案）", "Supervisor override: send although the checker blocks it (recorded)"),
    ("reply_ok", "回复检查通过", "The reply checker finds nothing"),
    ("reply_blocked", "这条回复不能发送：请按提示修改", "This reply cannot be sent: change what is marked"),
    ("finding_contact", "站外联系方式", "Off-platform contact"),
    ("finding_phone", "电话号码", "Phone number"),
    ("finding_address", "详细地址", "Address"),
    ("finding_link", "站外链接", "Link elsewhere"),
    ("finding_tone", "语气生硬", "Stiff tone"),
    ("finding_greeting", "缺少问候", "No greeting"),
    ("finding_apology", "缺少安抚致歉", "No apology"),
    ("finding_thanks", "缺少致谢", "No thanks"),
    ("finding_personal", "顾客个人信息", "Customer's personal data"),
    ("escalations", "超时升级", "Escalated: past a deadline"),
    ("no_escalations", "没有超时未办的案件。", "No case is past a deadline."),
    ("sla_clock", "时限", "Clock"),
    ("step_hours", "每个环节时限（工作小时）", "Each step within (working hours)"),
    ("warn_at_percent", "预警点（已用时限 %）", "Warn at (% of the budget used)"),
    ("remind_every_minutes", "超时后催办间隔（分钟）", "Remind every (minutes) after a breach"),
    ("sla_rules", "细分时限规则", "Service-level rules"),
    ("sla_rules_hint", "按渠道、类别、优先级覆盖上面的时限，越具体的规则越优先；留空的时限沿用上面的值，三项都留空则删除该规则。", "Override the targets above by channel, category and priority; the most specific rule wins. Empty targets keep the values above; a row with no target is removed."),
    ("any", "任意", "any"),
    ("pickup_warning_hours", "揽收超时预警（小时）", "Pickup warning after (hours)"),
    ("pickup_exception_hours", "揽收超时异常（小时）", "Pickup exception after (hours)"),
    ("no_tracking_hours", "无物流信息异常（小时）", "No tracking after (hours)"),
    ("stalled_hours", "物流停滞异常（小时）", "Stalled after (hours)"),
    ("referral_legend", "消协转办（仅消费者协会渠道）", "Consumer association referral (that channel only)"),
    ("hours", "小时", "h"),
    ("days", "天", "days"),
    ("open_exceptions", "未处理异常", "Open exceptions"),
    ("open_warnings", "预警", "Warnings"),
    ("open_claims", "进行中的索赔", "Claims in progress"),
    ("claimed_total", "索赔总额", "Claimed"),
    ("recovered_total", "已追回", "Recovered"),
    ("no_exceptions", "暂无物流异常。", "No logistics exceptions."),
    ("exception_kind", "异常类型", "Exception"),
    ("age", "已持续", "Age"),
    ("detail", "详情", "Detail"),
    ("case", "案件", "Case"),
    ("warning", "预警", "warning"),
    ("mark_resolved", "标记已处理", "Mark handled"),
    ("carrier_claims", "承运商索赔", "Carrier claims"),
    ("no_claims", "暂无索赔。", "No claims."),
    ("claim_reason", "索赔原因", "Reason"),
    ("amount_claimed", "索赔金额", "Claimed"),
    ("amount_recovered", "实际赔付", "Recovered"),
    ("claim_deadline", "答复期限", "Answer due"),
    ("amount_recovered_yuan", "实际赔付（元，赔付时填写）", "Recovered (yuan, when paid)"),
    ("update_claim", "更新索赔", "Update claim"),
    ("file_claim", "向承运商索赔", "Claim against the carrier"),
    ("amount_claimed_yuan", "索赔金额（元）", "Amount claimed (yuan)"),
    ("evidence_photos", "照片（每行一个文件或链接）", "Photos (one file or link per line)"),
    ("evidence_delivery", "签收凭证", "Proof of delivery"),
    ("evidence_tracking", "附物流轨迹", "Attach the tracking record"),
    ("evidence_kind_photo", "照片", "Photo"),
    ("evidence_kind_tracking", "物流轨迹", "Tracking"),
    ("evidence_kind_delivery", "签收凭证", "Proof of delivery"),
    ("evidence_kind_invoice", "发票", "Invoice"),
    ("evidence_kind_other", "其他", "Other"),
];

#[cfg(test)]
mod tests {
    use super::TEXTS;

    /// Every `t("key")` the pages use has both languages.
    #[test]
    fn every_key_the_pages_use_is_translated() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("login.rs"),
            include_str!("queue.rs"),
            include_str!("register.rs"),
            include_str!("case.rs"),
            include_str!("customer.rs"),
            include_str!("supervisor.rs"),
            include_str!("admin.rs"),
            include_str!("session.rs"),
            include_str!("logistics.rs"),
            include_str!("reports.rs"),
            include_str!("improvements.rs"),
        ];
        let mut missing = Vec::new();
        for src in sources {
            for part in src.split(".t(\"").skip(1) {
                let key = part.split('"').next().unwrap_or("");
                if !TEXTS.iter().any(|(k, _, _)| *k == key) {
                    missing.push(key.to_owned());
                }
            }
        }
        assert!(missing.is_empty(), "untranslated: {missing:?}");
        let mut keys: Vec<_> = TEXTS.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "a key is listed twice");
    }
}
