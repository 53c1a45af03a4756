//! The parcel's story on the case page: every stored tracking event of each shipment of the
//! case's order (the shop's delivery, a reshipment, the customer's return) and of a tracking
//! number typed on the case, newest first, with the carrier's own words.

use kesu_domain::carriers::Carriers;
use kesu_domain::order::{Order, ShipmentKind};
use kesu_domain::tracking::TrackingEvent;
use kesu_domain::Case;
use kesu_store::{Store, StoreError};
use maud::{html, Markup};

use super::super::carriers::carrier_name;
use super::super::i18n::Lang;
use super::super::local_time;

/// One parcel and what its carrier has reported of it.
pub struct ParcelStory {
    /// None for a number typed on the case that no shipment of the order has.
    pub kind: Option<ShipmentKind>,
    pub carrier: Option<String>,
    pub tracking_no: String,
    /// Whether this case sent it, or it is the number the complaint is about.
    pub this_case: bool,
    pub events: Vec<TrackingEvent>,
}

/// The stories of the case's parcels: the order's shipments in their order, then a number
/// typed on the case that is none of them.
pub async fn read(
    store: &Store,
    case: &Case,
    order: Option<&Order>,
) -> Result<Vec<ParcelStory>, StoreError> {
    let mut stories = Vec::new();
    for s in order.map(|o| o.shipments.as_slice()).unwrap_or_default() {
        stories.push(ParcelStory {
            kind: Some(s.kind),
            carrier: Some(s.carrier.clone()),
            tracking_no: s.tracking_no.clone(),
            this_case: s.case_id == Some(case.id)
                || case.tracking_no.as_deref() == Some(s.tracking_no.as_str()),
            events: store.parcel_story(Some(&s.carrier), &s.tracking_no).await?,
        });
    }
    if let Some(no) = &case.tracking_no {
        if !stories.iter().any(|s| &s.tracking_no == no) {
            stories.push(ParcelStory {
                kind: None,
                carrier: None,
                tracking_no: no.clone(),
                this_case: true,
                events: store.parcel_story(None, no).await?,
            });
        }
    }
    Ok(stories)
}

/// The panel: a folding block a parcel, open for the parcels of this case (or the only one).
pub fn parcels_panel(
    lang: Lang,
    carriers: &Carriers,
    stories: &[ParcelStory],
    zone: chrono_tz::Tz,
) -> Markup {
    if stories.is_empty() {
        return html! {};
    }
    let only = stories.len() == 1;
    html! {
        section.panel.parcels #parcels {
            h2 { (lang.t("parcel_story")) }
            @for p in stories {
                details.parcel open[only || p.this_case] {
                    summary {
                        @if let Some(k) = p.kind { span.tag { (lang.label(k)) } " " }
                        @let carrier = p.carrier.as_deref().or(p.events.first().map(|e| e.carrier.as_str()));
                        @if let Some(c) = carrier { (carrier_name(carriers, lang, c)) " " }
                        span.tracking-no { (p.tracking_no) }
                        @if let Some(last) = p.events.first() { " · " strong { (lang.label(last.status)) } }
                    }
                    @if p.events.is_empty() {
                        p.muted { (lang.t("parcel_no_events")) }
                    } @else {
                        ol.tracking {
                            @for e in &p.events {
                                li {
                                    span.when { (local_time(e.at, zone)) } " "
                                    strong { (lang.label(e.status)) }
                                    @if let Some(place) = &e.location { " · " span.place { (place) } }
                                    @if let Some(text) = &e.text { p.carrier-text { (text) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
