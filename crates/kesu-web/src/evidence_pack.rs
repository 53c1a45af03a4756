//! A claim's evidence pack as one ZIP for the carrier: a summary sheet (索赔说明.txt), the
//! photos and documents in a folder by what they show, and the parcel's tracking record
//! (物流轨迹.csv). Words are the shop's language (Chinese): the pack goes to a carrier.

use std::io::Write;

use chrono::{DateTime, Datelike, Timelike, Utc};
use kesu_app::claims::ClaimEvidence;
use kesu_domain::carriers::Carriers;
use kesu_domain::claims::EvidenceKind;
use kesu_i18n::Lang;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::pages::local_time;

/// The pack's file name: `索赔材料-KS-20261123-0001-3.zip`.
pub fn file_name(evidence: &ClaimEvidence) -> String {
    format!(
        "索赔材料-{}-{}.zip",
        evidence.case.case.number, evidence.claim.id
    )
}

fn folder(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Photo => "照片",
        EvidenceKind::DeliveryProof => "签收凭证",
        EvidenceKind::Invoice => "发票",
        EvidenceKind::Tracking | EvidenceKind::Other => "其他材料",
    }
}

/// The ZIP's bytes. Pictures and videos are stored as they are (they are compressed
/// already); the texts are deflated.
pub fn build(
    evidence: &ClaimEvidence,
    carriers: &Carriers,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> zip::result::ZipResult<Vec<u8>> {
    let local = now.with_timezone(&zone);
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(local.year()).unwrap_or(1980),
        u8::try_from(local.month()).unwrap_or(1),
        u8::try_from(local.day()).unwrap_or(1),
        u8::try_from(local.hour()).unwrap_or(0),
        u8::try_from(local.minute()).unwrap_or(0),
        u8::try_from(local.second()).unwrap_or(0),
    )
    .unwrap_or_default();
    let text = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(stamp);
    let stored = text.compression_method(CompressionMethod::Stored);
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut listed = Vec::new();
    for (i, (kind, file)) in evidence.files.iter().enumerate() {
        let path = format!(
            "{}/{:02}-{}",
            folder(*kind),
            i + 1,
            file.attachment.name.replace(['/', '\\'], "_")
        );
        let options = if file.kind.is_image() || file.kind.is_video() {
            stored
        } else {
            text
        };
        zip.start_file(path.as_str(), options)?;
        zip.write_all(&file.bytes)?;
        listed.push(path);
    }
    zip.start_file("物流轨迹.csv", text)?;
    zip.write_all(tracking_csv(evidence, zone).as_bytes())?;
    zip.start_file("索赔说明.txt", text)?;
    zip.write_all(summary(evidence, carriers, zone, now, &listed).as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

/// A CSV cell: quoted when it holds a separator, a quote or a line break; a leading
/// formula character is neutralised (spreadsheets would run it).
fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The tracking record, oldest first, with a BOM so spreadsheet programs read it as UTF-8.
fn tracking_csv(evidence: &ClaimEvidence, zone: chrono_tz::Tz) -> String {
    let mut csv = String::from("\u{feff}时间,状态,地点,承运商描述\r\n");
    for e in &evidence.tracking {
        let row = [
            local_time(e.at, zone),
            Lang::Zh.label(e.status).to_owned(),
            e.location.clone().unwrap_or_default(),
            e.text.clone().unwrap_or_default(),
        ];
        let row: Vec<String> = row.iter().map(|v| cell(v)).collect();
        csv.push_str(&row.join(","));
        csv.push_str("\r\n");
    }
    csv
}

/// The summary sheet the carrier reads first.
fn summary(
    evidence: &ClaimEvidence,
    carriers: &Carriers,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
    files: &[String],
) -> String {
    let k = &evidence.claim;
    let c = &evidence.case.case;
    let lang = Lang::Zh;
    let carrier = crate::pages::carriers::carrier_name(carriers, lang, &k.carrier);
    let mut lines = vec![
        "索赔说明".to_owned(),
        String::new(),
        format!("承运商：{carrier}"),
        format!("运单号：{}", k.tracking_no),
        format!("索赔原因：{}", lang.label(k.reason)),
        format!(
            "索赔金额：¥{}",
            kesu_domain::money::Cents::from(k.amount_claimed_cents)
        ),
        format!("答复期限：{}", local_time(k.deadline, zone)),
        format!("提交时间：{}", local_time(k.created_at, zone)),
        format!("客诉编号：{}", c.number),
    ];
    if let Some(order) = &c.order_no {
        lines.push(format!("订单号：{order}"));
    }
    if let Some(note) = &k.note {
        lines.push(format!("说明：{note}"));
    }
    lines.push(String::new());
    lines.push("包裹轨迹（最新）：".to_owned());
    match evidence.tracking.last() {
        Some(e) => lines.push(format!(
            "  {} {} {}",
            local_time(e.at, zone),
            lang.label(e.status),
            e.location.as_deref().unwrap_or("")
        )),
        None => lines.push("  承运商没有这个包裹的轨迹记录".to_owned()),
    }
    lines.push(format!(
        "  完整轨迹见 物流轨迹.csv（{} 条）",
        evidence.tracking.len()
    ));
    lines.push(String::new());
    lines.push("证据清单：".to_owned());
    for path in files {
        lines.push(format!("  {path}"));
    }
    // What the claim names without a file: a typed record number, the tracking record.
    for e in k.evidence.iter().filter(|e| e.attachment_id.is_none()) {
        let what = match e.kind {
            EvidenceKind::Photo => "照片",
            EvidenceKind::Tracking => "物流轨迹",
            EvidenceKind::DeliveryProof => "签收凭证",
            EvidenceKind::Invoice => "发票",
            EvidenceKind::Other => "其他",
        };
        let note = e
            .note
            .as_deref()
            .map(|n| format!("（{n}）"))
            .unwrap_or_default();
        lines.push(format!("  {what}：{}{note}", e.reference));
    }
    lines.push(String::new());
    lines.push(format!("生成时间：{}", local_time(now, zone)));
    let mut text = String::from("\u{feff}");
    text.push_str(&lines.join("\r\n"));
    text.push_str("\r\n");
    text
}

/// The pack of claim `id` as a download, for a caller who may see its case.
pub async fn download(
    state: &crate::AppState,
    caller: &kesu_store::User,
    id: &str,
) -> Result<axum::response::Response, crate::error::ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let id = kesu_app::id_in_path(id, "claim")?;
    let evidence = kesu_app::claims::claim_evidence(&state.store, caller, id).await?;
    let carriers = state.store.carriers().await?;
    let zone = state.zone().await;
    let now = state.clock.now();
    let bytes = build(&evidence, &carriers, zone, now)
        .map_err(|e| crate::error::ApiError::Internal(format!("evidence pack: {e}")))?;
    let name = file_name(&evidence);
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                crate::uploads::disposition("attachment", &name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
