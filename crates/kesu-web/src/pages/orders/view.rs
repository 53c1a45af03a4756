//! An order as agents read it: lines with what was paid and what is left to refund, the
//! payment, every parcel with its carrier's name and tracking, every refund. The order page
//! and the case page's order panel both draw it from here.

use kesu_domain::carriers::Carriers;
use kesu_domain::order::{Order, RefundSource};
use kesu_domain::tracking::TrackingStatus;
use maud::{html, Markup};

use super::super::carriers::carrier_name;
use super::super::i18n::Lang;
use super::super::{local_time, yuan};

/// The order's figures and parcels; the buyer's personal data unmasked only for `unmasked`.
pub fn order_detail(
    lang: Lang,
    carriers: &Carriers,
    o: &Order,
    unmasked: bool,
    zone: chrono_tz::Tz,
) -> Markup {
    let allocation = kesu_domain::refund::allocate(&o.amounts).unwrap_or_default();
    let refundable = o.refundable().ok();
    let buyer = o.buyer.view(unmasked);
    let left = |line_id: &str| {
        refundable
            .as_ref()
            .and_then(|r| r.lines.iter().find(|l| l.line_id == line_id))
    };
    html! {
        dl.order-facts {
            dt { (lang.t("shop")) } dd { (o.shop) }
            dt { (lang.t("buyer")) } dd.buyer { (buyer.name) @if let Some(p) = &buyer.phone { " · " (p) } }
            @if let Some(a) = &buyer.address { dt { (lang.t("address")) } dd { (a) } }
            dt { (lang.t("placed_at")) } dd { (local_time(o.placed_at, zone)) }
            @if let Some(p) = o.paid_at { dt { (lang.t("paid_at")) } dd { (local_time(p, zone)) } }
            @if let Some(m) = &o.payment_method { dt { (lang.t("payment_method")) } dd { (lang.payment(m)) } }
        }
        table.lines.cards {
            thead { tr { th { (lang.t("lines")) } th { (lang.t("unit_price")) } th { (lang.t("quantity")) }
                th { (lang.t("discounts")) } th { (lang.t("points")) } th { (lang.t("paid")) } th { (lang.t("line_refundable")) } } }
            tbody {
                @for (l, a) in o.amounts.lines.iter().zip(&allocation) {
                    tr data-line=(l.line_id) {
                        td data-label=(lang.t("lines")) { span.line-id { (l.line_id) } " " (l.name.as_deref().unwrap_or("")) " " span.muted { (l.spec.as_deref().unwrap_or("")) } }
                        td data-label=(lang.t("unit_price")) { (yuan(l.unit_price_cents)) }
                        td data-label=(lang.t("quantity")) { (l.quantity) }
                        td data-label=(lang.t("discounts")) { (yuan(a.discount_cents)) }
                        td data-label=(lang.t("points")) { (yuan(a.points_cents)) }
                        td data-label=(lang.t("paid")) { (yuan(a.paid_cents)) }
                        td data-label=(lang.t("line_refundable")) { @if let Some(r) = left(&l.line_id) { (yuan(r.cash_cents)) " × " (r.quantity) } }
                    }
                }
            }
        }
        p { (lang.t("shipping")) ": " (yuan(o.amounts.shipping_cents))
            @if let Some(r) = &refundable { " · " strong.refundable { (lang.t("refundable")) ": " (yuan(r.cash_cents)) } } }
        @if !o.amounts.discounts.is_empty() {
            p.muted { (lang.t("discounts")) ": "
                @for (i, d) in o.amounts.discounts.iter().enumerate() {
                    @if i > 0 { "；" }
                    (lang.label(d.kind)) " " (yuan(d.amount_cents))
                }
            }
        }
        @if !o.shipments.is_empty() {
            h3 { (lang.t("shipments")) }
            ul.shipments { @for sh in &o.shipments { li {
                (lang.label(sh.kind)) " · " (carrier_name(carriers, lang, &sh.carrier)) " "
                (sh.tracking_no)
                @if let Some(st) = &sh.status {
                    " · " (TrackingStatus::parse(st).map_or(st.as_str(), |t| lang.label(t)))
                }
                @if let Some(at) = sh.shipped_at { " · " span.muted { (local_time(at, zone)) } }
                @if let Some(at) = sh.signed_at { " · " span.muted { (lang.t("signed_at")) " " (local_time(at, zone)) } }
                @if let Some(id) = sh.case_id.filter(|id| *id > 0) { " · " a href={ "/cases/" (id) } { (lang.t("refund_source_case")) } }
            } } }
        }
        @if !o.refunds.is_empty() {
            h3 { (lang.t("refunds")) }
            ul.refunds { @for r in &o.refunds { li {
                (yuan(r.cash_cents))
                @if r.points_cents > 0 { " + " (lang.t("points")) " " (yuan(r.points_cents)) }
                @if let Some(m) = &r.method { " · " (lang.payment(m)) }
                @if let Some(at) = r.at { " · " span.muted { (local_time(at, zone)) } }
                @if let Some(re) = &r.reference { " · " (re) }
                " · " @match (r.source, r.case_id) {
                    (RefundSource::Case, Some(id)) => { a href={ "/cases/" (id) } { (lang.t("refund_source_case")) } },
                    (RefundSource::Case, None) => { (lang.t("refund_source_case")) },
                    (RefundSource::Import, _) => { (lang.t("refund_source_import")) },
                }
            } } }
        }
    }
}
