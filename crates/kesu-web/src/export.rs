//! Files for people who read reports in a spreadsheet: the dashboard's tables and the
//! complaint register (投诉登记表), as CSV (UTF-8 with a byte-order mark, so Excel reads
//! the Chinese) or XLSX. Personal data is masked unless the exporter's role may see it.

use chrono_tz::Tz;
use kesu_domain::codes::{Category, Channel};
use kesu_domain::money::format_yuan;
use kesu_domain::report::{Count, ParetoItem, Report, Spread, Workload};
use kesu_store::CaseRecord;
use rust_xlsxwriter::Workbook;

use crate::error::ApiError;

/// Exports are read by Chinese-speaking staff: their labels are the Chinese ones.
const ZH: kesu_i18n::Lang = kesu_i18n::Lang::Zh;

/// A table: a sheet of the workbook, a section of the CSV.
pub struct Table {
    pub title: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(raw: Option<&str>) -> Result<Format, ApiError> {
        match raw.unwrap_or("csv") {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(ApiError::from(kesu_domain::FieldError::explained(
                "format",
                kesu_domain::Problem::NotOneOf {
                    allowed: "csv, xlsx".into(),
                },
                format!("`{other}` is not a format: csv or xlsx"),
            ))),
        }
    }

    pub fn content_type(&self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The tables as one file.
pub fn render(tables: &[Table], format: &Format) -> Result<Vec<u8>, ApiError> {
    match format {
        Format::Csv => csv(tables),
        Format::Xlsx => xlsx(tables),
    }
}

fn csv(tables: &[Table]) -> Result<Vec<u8>, ApiError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    for (i, t) in tables.iter().enumerate() {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        let fail = |e: csv::Error| ApiError::Internal(e.to_string());
        if tables.len() > 1 {
            if i > 0 {
                w.write_record([""]).map_err(fail)?;
            }
            w.write_record([t.title]).map_err(fail)?;
        }
        w.write_record(&t.header).map_err(fail)?;
        for r in &t.rows {
            w.write_record(r.iter().map(|cell| neutralise(cell).into_owned()))
                .map_err(fail)?;
        }
        out.extend(
            w.into_inner()
                .map_err(|e| ApiError::Internal(e.to_string()))?,
        );
    }
    Ok(out)
}

/// A cell a spreadsheet will not run as a formula (OWASP's advice on CSV injection): text
/// starting with `=`, `+`, `-`, `@`, a tab or a line break gets a leading `'`, which the
/// spreadsheet shows as text. Plain numbers (`-12.50`) stay numbers.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']);
    let number = {
        let digits = cell.strip_prefix('-').unwrap_or(cell);
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            && digits.chars().filter(|c| *c == '.').count() <= 1
            && !digits.starts_with('.')
            && !digits.ends_with('.')
    };
    if risky && !number {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn xlsx(tables: &[Table]) -> Result<Vec<u8>, ApiError> {
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(e.to_string());
    let mut book = Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(t.title).map_err(fail)?;
        for (c, h) in t.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *h, &bold)
                .map_err(fail)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                // Figures stay numbers so the sheet can sum them; numbers with leading
                // zeros or many digits (order and phone numbers) stay text.
                let numeric = v
                    .parse::<f64>()
                    .ok()
                    .filter(|_| !v.starts_with('0') || v == "0" || v.starts_with("0."))
                    .filter(|_| v.len() < 12);
                match numeric {
                    Some(n) => sheet.write_number(r as u32 + 1, c as u16, n),
                    None => sheet.write_string(r as u32 + 1, c as u16, v),
                }
                .map_err(fail)?;
            }
        }
        sheet.autofit();
    }
    book.save_to_buffer().map_err(fail)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn spread(s: &Spread) -> [String; 2] {
    [opt(s.median), opt(s.p90)]
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_default()
}

fn counts(title: &'static str, what: &'static str, list: &[Count]) -> Table {
    Table {
        title,
        header: vec![what, "投诉量"],
        rows: list
            .iter()
            .map(|c| vec![c.key.clone(), c.cases.to_string()])
            .collect(),
    }
}

fn pareto(title: &'static str, list: &[ParetoItem]) -> Table {
    Table {
        title,
        header: vec!["代码", "名称", "投诉量", "占比", "累计占比"],
        rows: list
            .iter()
            .map(|p| {
                vec![
                    p.key.clone(),
                    p.label_zh.clone(),
                    p.cases.to_string(),
                    percent(Some(p.share)),
                    percent(Some(p.cumulative_share)),
                ]
            })
            .collect(),
    }
}

fn workload(title: &'static str, who: &'static str, list: &[Workload]) -> Table {
    Table {
        title,
        header: vec![
            who,
            "投诉量",
            "未结",
            "已结",
            "解决时长中位数(小时)",
            "解决时长P90(小时)",
        ],
        rows: list
            .iter()
            .map(|w| {
                let [m, p] = spread(&w.resolution_hours);
                vec![
                    w.key.clone(),
                    w.cases.to_string(),
                    w.open.to_string(),
                    w.closed.to_string(),
                    m,
                    p,
                ]
            })
            .collect(),
    }
}

/// The dashboard's figures as tables: the summary beside the previous period, then each
/// breakdown.
pub fn report_tables(r: &Report) -> Vec<Table> {
    let (s, p) = (&r.summary, &r.previous);
    let row = |name: &str, a: String, b: String| vec![name.to_owned(), a, b];
    let [frm, frp] = spread(&s.first_response_minutes);
    let [pfrm, pfrp] = spread(&p.first_response_minutes);
    let [rhm, rhp] = spread(&s.resolution_hours);
    let [prhm, prhp] = spread(&p.resolution_hours);
    let summary = Table {
        title: "汇总",
        header: vec!["指标", "本期", "上期"],
        rows: vec![
            row(
                "期间",
                format!("{} ~ {}", s.from, s.to),
                format!("{} ~ {}", p.from, p.to),
            ),
            row("投诉量", s.cases.to_string(), p.cases.to_string()),
            row("未结", s.open.to_string(), p.open.to_string()),
            row("已结", s.closed.to_string(), p.closed.to_string()),
            row("不成立", s.invalid.to_string(), p.invalid.to_string()),
            row(
                "每千单投诉",
                opt(s.complaints_per_1000_orders),
                opt(p.complaints_per_1000_orders),
            ),
            row("首次响应中位数(分钟)", frm, pfrm),
            row("首次响应P90(分钟)", frp, pfrp),
            row("解决时长中位数(小时)", rhm, prhm),
            row("解决时长P90(小时)", rhp, prhp),
            row(
                "SLA达成率",
                percent(s.sla_compliance),
                percent(p.sla_compliance),
            ),
            row("重开率", percent(s.reopen_rate), percent(p.reopen_rate)),
            row(
                "评价数",
                s.satisfaction.rated.to_string(),
                p.satisfaction.rated.to_string(),
            ),
            row(
                "平均评分",
                opt(s.satisfaction.average),
                opt(p.satisfaction.average),
            ),
            row(
                "回访满意率",
                percent(s.satisfaction.satisfied_share),
                percent(p.satisfaction.satisfied_share),
            ),
            row(
                "退款(元)",
                format_yuan(s.refunds_cents),
                format_yuan(p.refunds_cents),
            ),
            row(
                "赔偿(元)",
                format_yuan(s.compensation_cents),
                format_yuan(p.compensation_cents),
            ),
            row(
                "承运商理赔追回(元)",
                format_yuan(s.claims_recovered_cents),
                format_yuan(p.claims_recovered_cents),
            ),
            row(
                "重复投诉人",
                s.repeat.repeat_complainants.to_string(),
                p.repeat.repeat_complainants.to_string(),
            ),
            row(
                "重复投诉占比",
                percent(s.repeat.repeat_share),
                percent(p.repeat.repeat_share),
            ),
        ],
    };
    let mut header = vec!["开始日期", "投诉量"];
    header.extend(Channel::ALL.iter().map(|c| ZH.label(c)));
    header.extend(Category::ALL.iter().map(|c| ZH.label(c)));
    let timeline = Table {
        title: "趋势",
        header,
        rows: r
            .timeline
            .iter()
            .map(|t| {
                let mut row = vec![t.start.to_string(), t.cases.to_string()];
                row.extend(
                    Channel::ALL
                        .iter()
                        .map(|c| t.by_channel.get(c.code()).copied().unwrap_or(0).to_string()),
                );
                row.extend(Category::ALL.iter().map(|c| {
                    t.by_category
                        .get(c.code())
                        .copied()
                        .unwrap_or(0)
                        .to_string()
                }));
                row
            })
            .collect(),
    };
    vec![
        summary,
        timeline,
        counts("部门", "部门", &r.by_department),
        counts("承运商", "承运商", &r.by_carrier),
        counts("商品", "商品", &r.by_product),
        counts("店铺", "店铺", &r.by_shop),
        pareto("根因", &r.root_causes),
        pareto("责任方", &r.liability),
        workload("客服工作量", "处理人", &r.agents),
        workload("部门工作量", "部门", &r.departments),
    ]
}

/// The complaint register: one row per case with every field recorded.
pub fn register_table(records: &[CaseRecord], unmasked: bool, zone: Tz) -> Table {
    let time = |t: chrono::DateTime<chrono::Utc>| crate::pages::local_time(t, zone);
    let header = vec![
        "案件编号",
        "登记时间",
        "渠道",
        "投诉人",
        "电话",
        "邮箱",
        "订单号",
        "运单号",
        "类别",
        "诉求",
        "优先级",
        "投诉内容",
        "标签",
        "状态",
        "责任部门",
        "处理人",
        "是否成立",
        "判定说明",
        "责任方",
        "根因",
        "调查结论",
        "处理方案",
        "金额(元)",
        "审批",
        "执行说明",
        "回访满意",
        "评分",
        "回访意见",
        "重开次数",
        "结案时间",
        "结案总结",
        "经验教训",
        "登记人",
    ];
    let rows = records
        .iter()
        .map(|r| {
            let c = &r.case;
            let who = r.complainant.view(unmasked);
            let chosen = c.chosen.as_ref().map(|ch| &ch.option);
            vec![
                c.number.clone(),
                time(c.received_at),
                ZH.label(c.channel).to_owned(),
                who.name,
                who.phone.unwrap_or_default(),
                who.email.unwrap_or_default(),
                opt(c.order_no.as_ref()),
                opt(c.tracking_no.as_ref()),
                ZH.label(c.category).to_owned(),
                ZH.label(c.demand).to_owned(),
                ZH.label(c.priority).to_owned(),
                c.description.clone(),
                c.tags.join(" "),
                ZH.label(c.status).to_owned(),
                opt(c.department.as_ref().map(|d| d.as_str())),
                opt(c.assignee.as_ref()),
                opt(c
                    .validity
                    .as_ref()
                    .map(|v| if v.valid { "成立" } else { "不成立" })),
                opt(c.validity.as_ref().and_then(|v| v.reason.as_ref())),
                opt(c.analysis.as_ref().map(|a| ZH.label(a.liability))),
                opt(c.analysis.as_ref().map(|a| ZH.label(a.root_cause))),
                opt(c.analysis.as_ref().map(|a| &a.findings)),
                opt(chosen.map(|o| ZH.label(o.kind))),
                opt(chosen.and_then(|o| o.amount_cents).map(|a| a.to_string())),
                opt(c
                    .decision
                    .as_ref()
                    .map(|d| match (d.approved, d.automatic) {
                        (true, true) => "无需审批".to_owned(),
                        (true, false) => format!("{} 批准", d.by),
                        (false, _) => format!("{} 驳回", d.by),
                    })),
                opt(c.execution.as_ref().map(|e| match c.steps_done.last() {
                    Some(step) if e.note.is_empty() => ZH.label(step.step).to_owned(),
                    _ => e.note.clone(),
                })),
                opt(c
                    .follow_up
                    .as_ref()
                    .map(|f| if f.satisfied { "满意" } else { "不满意" })),
                opt(c.follow_up.as_ref().and_then(|f| f.rating)),
                opt(c.follow_up.as_ref().and_then(|f| f.comment.as_ref())),
                c.renegotiations.to_string(),
                opt(c.closing.as_ref().map(|x| time(x.at))),
                opt(c.closing.as_ref().map(|x| &x.summary)),
                opt(c.closing.as_ref().and_then(|x| x.lessons.as_ref())),
                c.created_by.clone(),
            ]
        })
        .collect();
    Table {
        title: "投诉登记表",
        header,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        for cell in [
            "=HYPERLINK(\"http://x\",\"a\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
            "-",
        ] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn ordinary_text_and_numbers_are_left_alone() {
        for cell in [
            "王小明",
            "-12.50",
            "-3",
            "12",
            "a=b",
            "KS-20261123-0001",
            "",
        ] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
        }
    }
}
