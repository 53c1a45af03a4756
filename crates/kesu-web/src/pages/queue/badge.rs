//! The countdown badge: the nearest deadline of any running clock, named, in words and
//! colour (no emoji: without an emoji font it shows as a box).

use chrono::{DateTime, Duration, Utc};
use kesu_domain::countdown::{self, Urgency};
use kesu_domain::Case;
use maud::{html, Markup};

use super::super::i18n::Lang;

/// `2天3小时`, `5h 20m`: what is left (or how long ago it passed).
pub fn span(lang: Lang, d: Duration) -> String {
    let m = d.num_minutes().abs();
    let (days, hours, mins) = (m / 1440, (m % 1440) / 60, m % 60);
    match lang {
        Lang::Zh if days > 0 => format!("{days}天{hours}小时"),
        Lang::Zh if hours > 0 => format!("{hours}小时{mins}分"),
        Lang::Zh => format!("{mins}分钟"),
        Lang::En if days > 0 => format!("{days}d {hours}h"),
        Lang::En if hours > 0 => format!("{hours}h {mins}m"),
        Lang::En => format!("{mins}m"),
    }
}

/// `剩2小时10分` / `超时35分钟`; `2h 10m left` / `35m overdue`.
pub fn left_words(lang: Lang, left: Duration) -> String {
    let s = span(lang, left);
    match (lang, left < Duration::zero()) {
        (Lang::Zh, false) => format!("剩{s}"),
        (Lang::Zh, true) => format!("超时{s}"),
        (Lang::En, false) => format!("{s} left"),
        (Lang::En, true) => format!("{s} overdue"),
    }
}

pub fn badge(lang: Lang, case: &Case, now: DateTime<Utc>, zone: chrono_tz::Tz) -> Markup {
    if case.status.is_open() && case.is_paused() {
        return html! { span.badge.grey title=(lang.t("paused_waiting")) { (lang.t("clock_stopped")) } };
    }
    let running = countdown::running(case);
    // A platform's countdown is the shop's hard deadline: shown first, whatever is nearer.
    let platform = running
        .iter()
        .find(|c| c.clock == kesu_domain::sla::SlaClock::Platform);
    let nearest = running.first();
    html! {
        span.badges {
            @if let Some(p) = platform { (one(lang, p, now, zone)) }
            @if let Some(n) = nearest.filter(|n| Some(*n) != platform) { (one(lang, n, now, zone)) }
        }
    }
}

fn one(lang: Lang, c: &countdown::Countdown, now: DateTime<Utc>, zone: chrono_tz::Tz) -> Markup {
    let left = c.left(now);
    let colour = match c.urgency(now) {
        Urgency::Overdue => "red",
        Urgency::Soon => "amber",
        Urgency::Ok => "green",
    };
    let title = format!(
        "{} {}",
        lang.t("deadline"),
        super::super::local_time(c.due, zone)
    );
    html! {
        span class={ "badge " (colour) } title=(title) data-clock=(c.clock.code()) {
            (lang.label(c.clock)) " · " (left_words(lang, left))
        }
    }
}
