//! An order entered or corrected by hand: the order's fields, its lines, discounts and the
//! shop's own parcels as rows (another row whenever one is needed), read back into the
//! API's order form so that one set of checks applies to every way an order comes in.

use chrono::{DateTime, FixedOffset};
use kesu_domain::carriers::Carriers;
use kesu_domain::dates::{format_local_time, parse_local_time};
use kesu_domain::error::Problem;
use kesu_domain::money::{format_yuan, parse_yuan};
use kesu_domain::order::{
    BuyerForm, Order, OrderForm, RefundForm, RefundSource, ShipmentForm, ShipmentKind,
    ShipmentLine, PAYMENT_METHODS, TRACKING_STATUSES,
};
use kesu_domain::refund::{Discount, DiscountKind, OrderLine};
use kesu_domain::seven_day_return::ProductFlag;
use kesu_domain::tracking::TrackingStatus;
use kesu_domain::FieldError;
use maud::{html, Markup};

use super::super::carriers::carrier_select;
use super::super::i18n::Lang;
use super::super::Form;

/// The columns of each kind of row, as the form names its fields.
const LINE: [&str; 7] = [
    "line_id",
    "line_name",
    "line_spec",
    "line_sku",
    "line_price",
    "line_qty",
    "line_flags",
];
const DISCOUNT: [&str; 4] = [
    "discount_id",
    "discount_kind",
    "discount_amount",
    "discount_lines",
];
const SHIPMENT: [&str; 7] = [
    "ship_kind",
    "ship_carrier",
    "ship_tracking",
    "ship_at",
    "ship_lines",
    "ship_status",
    "ship_signed",
];

/// The order as the form shows it: one row per line, discount and shop parcel.
pub fn form_of(o: &Order, zone: chrono_tz::Tz) -> Form {
    let mut f: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| f.push((k.to_owned(), v));
    put("shop", o.shop.clone());
    put("buyer_name", o.buyer.name.as_str().to_owned());
    put(
        "buyer_phone",
        o.buyer
            .phone
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
    );
    put(
        "buyer_address",
        o.buyer
            .address
            .as_ref()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
    );
    put("placed_at", format_local_time(o.placed_at, zone));
    put(
        "paid_at",
        o.paid_at
            .map(|t| format_local_time(t, zone))
            .unwrap_or_default(),
    );
    put(
        "payment_method",
        o.payment_method.clone().unwrap_or_default(),
    );
    put("shipping", format_yuan(o.amounts.shipping_cents));
    put("points", format_yuan(o.amounts.points_cents));
    for l in &o.amounts.lines {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        for (k, v) in LINE.iter().zip([
            l.line_id.clone(),
            opt(&l.name),
            opt(&l.spec),
            opt(&l.sku),
            format_yuan(l.unit_price_cents),
            l.quantity.to_string(),
            flags_text(&l.flags),
        ]) {
            put(k, v);
        }
    }
    for d in &o.amounts.discounts {
        for (k, v) in DISCOUNT.iter().zip([
            d.id.clone(),
            d.kind.code().to_owned(),
            format_yuan(d.amount_cents),
            d.applies_to.join(", "),
        ]) {
            put(k, v);
        }
    }
    for s in o.shipments.iter().filter(|s| s.case_id.is_none()) {
        let lines: Vec<String> = s
            .lines
            .iter()
            .map(|l| format!("{}:{}", l.line_id, l.quantity))
            .collect();
        for (k, v) in SHIPMENT.iter().zip([
            s.kind.code().to_owned(),
            s.carrier.clone(),
            s.tracking_no.clone(),
            s.shipped_at
                .map(|t| format_local_time(t, zone))
                .unwrap_or_default(),
            lines.join(", "),
            s.status.clone().unwrap_or_default(),
            s.signed_at
                .map(|t| format_local_time(t, zone))
                .unwrap_or_default(),
        ]) {
            put(k, v);
        }
    }
    Form(f)
}

/// The rows of one kind as typed, all-empty rows left out (text columns only decide).
fn rows<const N: usize>(f: &Form, columns: [&str; N], text: &[usize]) -> Vec<(usize, [String; N])> {
    let cols: Vec<Vec<&str>> = columns.iter().map(|c| f.all(c)).collect();
    let n = cols.iter().map(Vec::len).max().unwrap_or(0);
    (0..n)
        .map(|i| {
            (
                i,
                std::array::from_fn(|c| {
                    cols[c]
                        .get(i)
                        .map(|v| v.trim().to_owned())
                        .unwrap_or_default()
                }),
            )
        })
        .filter(|(_, row): &(usize, [String; N])| text.iter().any(|&c| !row[c].is_empty()))
        .collect()
}

/// The typed order as the API's order form; `kept` are the refunds already on the order
/// (recorded with it, not typed here). Every problem is reported, named by its field.
pub fn order_form(
    f: &Form,
    zone: chrono_tz::Tz,
    before: Option<&Order>,
) -> Result<OrderForm, Vec<FieldError>> {
    let kept = before.map_or(&[][..], |o| o.refunds.as_slice());
    // A discount typed again under its id keeps its threshold and validity.
    let earlier = |id: &str| before.and_then(|o| o.amounts.discounts.iter().find(|d| d.id == id));
    let mut errors = Vec::new();
    let shipping = money(
        &mut errors,
        "shipping_cents".into(),
        f.get("shipping").unwrap_or(""),
    );
    let points = money(
        &mut errors,
        "points_cents".into(),
        f.get("points").unwrap_or(""),
    );
    let mut lines = Vec::new();
    for (n, (_, r)) in rows(f, LINE, &[0, 1, 4, 5]).into_iter().enumerate() {
        let quantity = r[5].parse::<i64>().unwrap_or(-1);
        if quantity < 1 {
            errors.push(FieldError::new(
                &format!("lines[{n}].quantity"),
                Problem::AtLeast { min: 1 },
            ));
        }
        let some = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        lines.push(OrderLine {
            // A new line without a number gets the next free one.
            line_id: if r[0].is_empty() {
                format!("L{}", n + 1)
            } else {
                r[0].clone()
            },
            unit_price_cents: money(&mut errors, format!("lines[{n}].unit_price_cents"), &r[4]),
            quantity,
            name: some(&r[1]),
            spec: some(&r[2]),
            sku: some(&r[3]),
            // Not on the form: the stored order's batch is kept (the store keeps it).
            batch: None,
            flags: parse_flags(&mut errors, n, &r[6]),
        });
    }
    let mut discounts = Vec::new();
    for (n, (_, r)) in rows(f, DISCOUNT, &[0, 2]).into_iter().enumerate() {
        let kind = DiscountKind::parse(&r[1]).unwrap_or(DiscountKind::ShopCoupon);
        let id = if r[0].is_empty() {
            format!("D{}", n + 1)
        } else {
            r[0].clone()
        };
        discounts.push(Discount {
            threshold_cents: earlier(&id).and_then(|d| d.threshold_cents),
            valid_until: earlier(&id).and_then(|d| d.valid_until),
            id,
            kind,
            amount_cents: money(&mut errors, format!("discounts[{n}].amount_cents"), &r[2]),
            applies_to: r[3]
                .split([',', '，', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        });
    }
    let placed_at = time(
        &mut errors,
        zone,
        "placed_at",
        f.get("placed_at").unwrap_or(""),
    );
    let paid_at = time(&mut errors, zone, "paid_at", f.get("paid_at").unwrap_or(""));
    let mut shipments = Vec::new();
    for (n, (_, r)) in rows(f, SHIPMENT, &[2]).into_iter().enumerate() {
        let lines = match crate::pages::case::parse_lines(&r[4]) {
            Ok(v) => serde_json::from_value::<Vec<ShipmentLine>>(serde_json::Value::Array(v))
                .unwrap_or_default(),
            Err(m) => {
                errors.push(FieldError::explained(
                    &format!("shipments[{n}].lines"),
                    Problem::Format,
                    m,
                ));
                Vec::new()
            }
        };
        shipments.push(ShipmentForm {
            carrier: r[1].clone(),
            tracking_no: r[2].clone(),
            shipped_at: time(
                &mut errors,
                zone,
                &format!("shipments[{n}].shipped_at"),
                &r[3],
            ),
            lines,
            kind: ShipmentKind::ALL
                .iter()
                .copied()
                .find(|k| k.code() == r[0])
                .unwrap_or_default(),
            status: (!r[5].is_empty()).then(|| r[5].clone()),
            signed_at: time(
                &mut errors,
                zone,
                &format!("shipments[{n}].signed_at"),
                &r[6],
            ),
        });
    }
    if placed_at.is_none() && f.text("placed_at").is_none() {
        errors.push(FieldError::new("placed_at", Problem::Required));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OrderForm {
        shop: f.get("shop").unwrap_or("").to_owned(),
        buyer: BuyerForm {
            name: f.get("buyer_name").unwrap_or("").to_owned(),
            phone: f.text("buyer_phone"),
            address: f.text("buyer_address"),
        },
        placed_at: placed_at.unwrap_or_default(),
        paid_at,
        payment_method: f.text("payment_method"),
        lines,
        discounts,
        points_cents: points,
        shipping_cents: shipping,
        payments: before
            .map(|o| o.amounts.payments.clone())
            .unwrap_or_default(),
        free_shipping: before.and_then(|o| o.amounts.free_shipping.clone()),
        freight_insurance: before.and_then(|o| o.freight_insurance.clone()),
        shipments,
        refunds: kept
            .iter()
            .filter(|r| r.source == RefundSource::Import)
            .map(|r| RefundForm {
                lines: r.lines.clone(),
                shipping_cents: r.shipping_cents,
                method: r.method.clone(),
                at: r.at.map(|t| t.fixed_offset()),
                reference: r.reference.clone(),
            })
            .collect(),
    })
}

/// A line's product flags as the form keeps them: codes joined by commas.
fn flags_text(flags: &[ProductFlag]) -> String {
    flags.iter().map(|f| f.code()).collect::<Vec<_>>().join(",")
}

fn parse_flags(errors: &mut Vec<FieldError>, n: usize, raw: &str) -> Vec<ProductFlag> {
    let mut flags = Vec::new();
    for code in raw.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        match ProductFlag::ALL.iter().find(|f| f.code() == code) {
            Some(f) => flags.push(*f),
            None => errors.push(FieldError::new(
                &format!("lines[{n}].flags"),
                Problem::NotOneOf {
                    allowed: flags_text(&ProductFlag::ALL),
                },
            )),
        }
    }
    flags
}

/// Yuan typed as `field` in cents; empty is nothing.
fn money(errors: &mut Vec<FieldError>, field: String, raw: &str) -> i64 {
    if raw.trim().is_empty() {
        return 0;
    }
    parse_yuan(raw).map(|c| c.get()).unwrap_or_else(|m| {
        errors.push(FieldError::explained(&field, Problem::Format, m));
        0
    })
}

/// A time typed as `field` in the shop's zone; empty is none.
fn time(
    errors: &mut Vec<FieldError>,
    zone: chrono_tz::Tz,
    field: &str,
    raw: &str,
) -> Option<DateTime<FixedOffset>> {
    if raw.trim().is_empty() {
        return None;
    }
    match parse_local_time(field, raw, zone) {
        Ok(t) => Some(t.fixed_offset()),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// The form's rows and fields, from what is stored or what was typed.
pub fn fields(lang: Lang, carriers: &Carriers, f: &Form) -> Markup {
    let v = |k: &str| f.get(k).unwrap_or("").to_owned();
    let lines = rows(f, LINE, &[0, 1, 4, 5]);
    let discounts = rows(f, DISCOUNT, &[0, 2]);
    let shipments = rows(f, SHIPMENT, &[2]);
    html! {
        fieldset {
            legend { (lang.t("order")) }
            label { (lang.t("shop")) input name="shop" value=(v("shop")) required maxlength="64"; }
            label { (lang.t("buyer")) input name="buyer_name" value=(v("buyer_name")) required maxlength="50"; }
            label { (lang.t("phone")) input name="buyer_phone" type="tel" value=(v("buyer_phone")); }
            label { (lang.t("address")) input name="buyer_address" value=(v("buyer_address")); }
            label { (lang.t("placed_at")) (super::super::datetime_input(lang, "placed_at", &v("placed_at"))) }
            label { (lang.t("paid_at")) (super::super::datetime_input(lang, "paid_at", &v("paid_at"))) }
            label { (lang.t("payment_method"))
                select name="payment_method" {
                    option value="" { "—" }
                    @let current = v("payment_method");
                    @if !current.is_empty() && !PAYMENT_METHODS.contains(&current.as_str()) { option value=(current) selected { (lang.payment(&current)) } }
                    @for m in PAYMENT_METHODS { option value=(m) selected[current == *m] { (lang.payment(m)) } }
                }
            }
            label { (lang.t("shipping")) input name="shipping" inputmode="decimal" value=(v("shipping")); }
            label { (lang.t("points")) input name="points" inputmode="decimal" value=(v("points")); }
        }
        fieldset.rows #order-lines {
            legend { (lang.t("lines")) }
            @for r in lines.iter().map(|(_, r)| r.clone()).chain([std::array::from_fn(|_| String::new())]) {
                div.row {
                    label { (lang.t("line_id")) input name="line_id" value=(r[0]) maxlength="40" size="6"; }
                    label { (lang.t("product_name")) input name="line_name" value=(r[1]); }
                    label { (lang.t("spec")) input name="line_spec" value=(r[2]); }
                    label { (lang.t("sku")) input name="line_sku" value=(r[3]); }
                    label { (lang.t("unit_price")) input name="line_price" inputmode="decimal" value=(r[4]) size="8"; }
                    label { (lang.t("quantity")) input name="line_qty" inputmode="numeric" value=(r[5]) size="4"; }
                    label { (lang.t("product_flags")) select name="line_flags" {
                        option value="" { (lang.t("product_flags_none")) }
                        // Several flags (from the API) stay as they are.
                        @if r[6].contains(',') { option value=(r[6]) selected { (r[6].split(',').filter_map(|c| ProductFlag::ALL.iter().find(|f| f.code() == c)).map(|f| lang.label(f)).collect::<Vec<_>>().join("、")) } }
                        @for f in ProductFlag::ALL { option value=(f.code()) selected[r[6] == f.code()] { (lang.label(f)) } }
                    } }
                }
            }
            button.link.add-row type="button" { (lang.t("add_row")) }
        }
        fieldset.rows #order-discounts {
            legend { (lang.t("discounts")) }
            @for r in discounts.iter().map(|(_, r)| r.clone()).chain([std::array::from_fn(|_| String::new())]) {
                div.row {
                    label { (lang.t("discount_id")) input name="discount_id" value=(r[0]) size="6"; }
                    label { (lang.t("discount_kind")) select name="discount_kind" {
                        @for k in DiscountKind::ALL { option value=(k.code()) selected[r[1] == k.code()] { (lang.label(k)) } }
                    } }
                    label { (lang.t("discount_amount")) input name="discount_amount" inputmode="decimal" value=(r[2]) size="8"; }
                    label { (lang.t("discount_lines")) input name="discount_lines" value=(r[3]); }
                }
            }
            button.link.add-row type="button" { (lang.t("add_row")) }
        }
        fieldset.rows #order-shipments {
            legend { (lang.t("shipments")) }
            p.muted { (lang.t("kept_by_cases")) }
            @for r in shipments.iter().map(|(_, r)| r.clone()).chain([std::array::from_fn(|_| String::new())]) {
                div.row {
                    label { (lang.t("kind")) select name="ship_kind" {
                        @for k in ShipmentKind::ALL { option value=(k.code()) selected[r[0] == k.code()] { (lang.label(k)) } }
                    } }
                    label { (lang.t("carrier")) (carrier_select(lang, "ship_carrier", carriers, (!r[1].is_empty()).then_some(r[1].as_str()))) }
                    label { (lang.t("tracking_no")) input name="ship_tracking" value=(r[2]); }
                    label { (lang.t("shipped_at")) (ship_time(lang, &r[3])) }
                    label { (lang.t("shipment_lines")) input name="ship_lines" value=(r[4]) placeholder=(super::super::lines_example(lines.iter().map(|(_, r)| r[0].as_str()))); }
                    label { (lang.t("signed_at")) input name="ship_signed" value=(r[6]) autocomplete="off" placeholder="2026-12-01 14:30" title=(lang.t("datetime_hint")) maxlength="19"; }
                    label { (lang.t("tracking_status")) select name="ship_status" {
                        option value="" { "—" }
                        @for code in TRACKING_STATUSES {
                            option value=(code) selected[r[5] == *code] { (TrackingStatus::parse(code).map_or(*code, |t| lang.label(t))) }
                        }
                    } }
                }
            }
            button.link.add-row type="button" { (lang.t("add_row")) }
        }
    }
}

/// A parcel's time: the same field as the order's times, without an id (rows repeat).
fn ship_time(lang: Lang, value: &str) -> Markup {
    html! {
        input name="ship_at" value=(value) autocomplete="off" placeholder="2026-12-01 14:30"
            title=(lang.t("datetime_hint")) maxlength="19";
    }
}
