//! The warning to the owner of a claimed lead that is about to go back to its
//! queue (spec flow 5), in the owner's language.
//!
//! The stale-claim job lives in the jobs crate, which does not know this one;
//! the binary hands it [`warning_mail`], and the store puts the e-mail in the
//! outbox in the same transaction that records the warning.

use std::sync::Arc;

use askama::Template;
use openprm_store::{
    leads::stale::{StaleWarning, WarningMail},
    outbox::OutgoingEmail,
    settings::VendorSettings,
};
use time::{Duration, OffsetDateTime, macros::format_description};

use crate::i18n::Tr;

#[derive(Template)]
#[template(path = "email/stale_warning.txt")]
struct WarningText<'a> {
    t: Tr,
    w: &'a StaleWarning,
    portal: &'a str,
    date: &'a str,
    rule: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/stale_warning.html")]
struct WarningHtml<'a> {
    t: Tr,
    w: &'a StaleWarning,
    portal: &'a str,
    date: &'a str,
    rule: &'a str,
    link: &'a str,
    primary: &'a str,
}

/// The warning writer for the stale-claim job, with links into the portal at
/// `base_url`.
pub fn warning_mail(base_url: &str) -> Arc<WarningMail> {
    let base_url = base_url.trim_end_matches('/').to_owned();
    Arc::new(move |settings: &VendorSettings, warning: &StaleWarning| {
        render_warning(&base_url, settings, warning)
    })
}

/// The warning e-mail: what goes back, where, when, and what keeps it.
pub fn render_warning(
    base_url: &str,
    settings: &VendorSettings,
    warning: &StaleWarning,
) -> Result<OutgoingEmail, String> {
    let t = Tr::new(warning.owner_locale);
    let date = minute_utc(warning.returns_at);
    let link = format!("{base_url}/leads/{}", warning.lead_id);
    let days = warning.days.to_string();
    let rule_key = if warning.days == 1 {
        "email-stale-warning-rule-one"
    } else {
        "email-stale-warning-rule"
    };
    let rule = t.with(
        rule_key,
        [("queue", warning.queue_name.as_str()), ("days", &days)],
    );
    let text = WarningText {
        t,
        w: warning,
        portal: &settings.portal_name,
        date: &date,
        rule: &rule,
        link: &link,
    }
    .render()
    .map_err(|e| e.to_string())?;
    let html = WarningHtml {
        t,
        w: warning,
        portal: &settings.portal_name,
        date: &date,
        rule: &rule,
        link: &link,
        primary: &settings.primary_colour,
    }
    .render()
    .map_err(|e| e.to_string())?;
    Ok(OutgoingEmail {
        to: warning.owner_email.clone(),
        to_name: warning.owner_name.clone(),
        subject: t.with(
            "email-stale-warning-subject",
            [
                ("lead", warning.lead_name.as_str()),
                ("queue", warning.queue_name.as_str()),
                ("date", &date),
            ],
        ),
        text,
        html,
    })
}

/// `2026-11-01 12:05 UTC`, rounded up to the minute (the lead is still the
/// owner's at the minute shown), as claim-limit messages write times.
fn minute_utc(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let floor = at
        .replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(at);
    let shown = if floor == at {
        at
    } else {
        floor + Duration::minutes(1)
    };
    shown
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_else(|_| shown.to_string())
}

#[cfg(test)]
mod tests {
    use openprm_domain::{LeadId, Locale};
    use time::macros::datetime;

    use super::*;

    fn warning(locale: Locale, days: i32) -> StaleWarning {
        StaleWarning {
            lead_id: LeadId::new(),
            lead_name: "Karin Holm".into(),
            company: "Aalborg Havn <A/S>".into(),
            queue_name: "Nordic IT Expo 2026".into(),
            days,
            owner_name: "Freja Mortensen".into(),
            owner_email: "freja@example.com".into(),
            owner_locale: locale,
            returns_at: datetime!(2026-03-14 09:04:30 UTC),
        }
    }

    #[test]
    fn the_warning_says_what_goes_back_where_and_when() {
        let settings = VendorSettings::default();
        let w = warning(Locale::English, 5);
        let email = render_warning("https://prm.example.com", &settings, &w).unwrap();
        assert_eq!(email.to, "freja@example.com");
        assert_eq!(
            email.subject,
            "Your lead Karin Holm returns to Nordic IT Expo 2026 on 2026-03-14 09:05 UTC"
        );
        for body in [&email.text, &email.html] {
            assert!(body.contains(&format!("https://prm.example.com/leads/{}", w.lead_id)));
            assert!(body.contains("5 days without activity"), "{body}");
        }
        assert!(email.text.contains("Aalborg Havn <A/S>"));
        assert!(!email.html.contains("<A/S>"), "the HTML part is escaped");
    }

    #[test]
    fn danish_owners_are_warned_in_danish() {
        let email = render_warning(
            "http://x",
            &VendorSettings::default(),
            &warning(Locale::Danish, 1),
        )
        .unwrap();
        assert!(
            email.subject.starts_with("Dit kundeemne Karin Holm"),
            "{}",
            email.subject
        );
        assert!(
            email.text.contains("efter 1 dag uden aktivitet"),
            "{}",
            email.text
        );
    }

    #[test]
    fn times_round_up_to_the_minute() {
        assert_eq!(
            minute_utc(datetime!(2026-03-14 09:04 UTC)),
            "2026-03-14 09:04 UTC"
        );
        assert_eq!(
            minute_utc(datetime!(2026-03-14 23:59:00.5 UTC)),
            "2026-03-15 00:00 UTC"
        );
        assert_eq!(
            minute_utc(datetime!(2026-03-14 10:04 +01:00)),
            "2026-03-14 09:04 UTC"
        );
    }
}
