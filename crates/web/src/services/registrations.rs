//! E-mails about deal registrations (spec flow 13), in the recipient's
//! language: the decision (approved with its protection, or rejected with the
//! reason) and the reminder that a protection ends soon.
//!
//! The store queues them in the transaction of the change that causes them;
//! the protection job lives in the jobs crate, which does not know this one,
//! so the binary hands it [`registration_mail`].

use std::sync::Arc;

use askama::Template;
use openprm_domain::registrations::minute_text;
use openprm_store::{
    outbox::OutgoingEmail,
    registrations::decide::{NoticeKind, RegistrationMail, RegistrationNotice},
    settings::VendorSettings,
};

use crate::i18n::Tr;

#[derive(Template)]
#[template(path = "email/registration.txt")]
struct NoticeText<'a> {
    greeting: &'a str,
    intro: &'a str,
    detail: &'a str,
    link_label: &'a str,
    link: &'a str,
    portal: &'a str,
}

#[derive(Template)]
#[template(path = "email/registration.html")]
struct NoticeHtml<'a> {
    lang: &'a str,
    greeting: &'a str,
    intro: &'a str,
    detail: &'a str,
    button: &'a str,
    link: &'a str,
    portal: &'a str,
    primary: &'a str,
}

/// The e-mail writer for registration notices, with links into the portal at
/// `base_url`.
pub fn registration_mail(base_url: &str) -> Arc<RegistrationMail> {
    let base_url = base_url.trim_end_matches('/').to_owned();
    Arc::new(
        move |settings: &VendorSettings, notice: &RegistrationNotice| {
            render_notice(&base_url, settings, notice)
        },
    )
}

/// One notice as an e-mail.
pub fn render_notice(
    base_url: &str,
    settings: &VendorSettings,
    notice: &RegistrationNotice,
) -> Result<OutgoingEmail, String> {
    let t = Tr::new(notice.recipient_locale);
    let company = notice.company_name.as_str();
    let product = notice.product_interest.as_str();
    let registration_link = format!("{base_url}/deal-registrations/{}", notice.registration_id);
    let (subject, intro, detail, link) = match &notice.kind {
        NoticeKind::Approved { protected_until } => {
            let date = minute_text(*protected_until);
            let args = [
                ("company", company),
                ("product", product),
                ("date", date.as_str()),
            ];
            (
                t.with("email-registration-approved-subject", args),
                t.with("email-registration-approved-intro", args),
                t.with("email-registration-approved-detail", args),
                notice
                    .opportunity_id
                    .map_or(registration_link.clone(), |o| {
                        format!("{base_url}/opportunities/{o}")
                    }),
            )
        }
        NoticeKind::Rejected { reason } => {
            let args = [("company", company), ("product", product)];
            (
                t.with("email-registration-rejected-subject", args),
                t.with("email-registration-rejected-intro", args),
                format!("{}\n{reason}", t.get("email-registration-rejected-reason")),
                registration_link.clone(),
            )
        }
        NoticeKind::Reminder { protected_until } => {
            let date = minute_text(*protected_until);
            let args = [
                ("company", company),
                ("product", product),
                ("date", date.as_str()),
            ];
            (
                t.with("email-registration-reminder-subject", args),
                t.with("email-registration-reminder-intro", args),
                t.get("email-registration-reminder-detail"),
                notice
                    .opportunity_id
                    .map_or(registration_link.clone(), |o| {
                        format!("{base_url}/opportunities/{o}")
                    }),
            )
        }
    };
    let greeting = t.with(
        "email-registration-greeting",
        [("name", notice.recipient_name.as_str())],
    );
    let text = NoticeText {
        greeting: &greeting,
        intro: &intro,
        detail: &detail,
        link_label: &t.get("email-registration-link-label"),
        link: &link,
        portal: &settings.portal_name,
    }
    .render()
    .map_err(|e| e.to_string())?;
    let html = NoticeHtml {
        lang: t.code(),
        greeting: &greeting,
        intro: &intro,
        detail: &detail,
        button: &t.get("email-registration-button"),
        link: &link,
        portal: &settings.portal_name,
        primary: &settings.primary_colour,
    }
    .render()
    .map_err(|e| e.to_string())?;
    Ok(OutgoingEmail {
        to: notice.recipient_email.clone(),
        to_name: notice.recipient_name.clone(),
        subject,
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use openprm_domain::{Locale, OpportunityId, RegistrationId};
    use time::macros::datetime;

    use super::*;

    fn notice(kind: NoticeKind, locale: Locale) -> RegistrationNotice {
        RegistrationNotice {
            kind,
            registration_id: RegistrationId::new(),
            company_name: "Nordlys <A/S>".into(),
            product_interest: "Grid analytics".into(),
            opportunity_id: Some(OpportunityId::new()),
            recipient_name: "Freja Mortensen".into(),
            recipient_email: "freja@example.com".into(),
            recipient_locale: locale,
        }
    }

    #[test]
    fn an_approval_names_the_deal_and_the_end_of_its_protection() {
        let n = notice(
            NoticeKind::Approved {
                protected_until: datetime!(2026-06-08 10:00 UTC),
            },
            Locale::English,
        );
        let email =
            render_notice("https://prm.example.com", &VendorSettings::default(), &n).unwrap();
        assert_eq!(email.to, "freja@example.com");
        assert!(email.subject.contains("approved"), "{}", email.subject);
        for body in [&email.text, &email.html] {
            assert!(body.contains("2026-06-08 10:00 UTC"), "{body}");
            assert!(body.contains(&format!(
                "https://prm.example.com/opportunities/{}",
                n.opportunity_id.unwrap()
            )));
        }
        assert!(email.text.contains("Nordlys <A/S>"));
        assert!(!email.html.contains("<A/S>"), "the HTML part is escaped");
    }

    #[test]
    fn a_rejection_carries_the_reason_in_the_recipients_language() {
        let n = notice(
            NoticeKind::Rejected {
                reason: "Already registered by another partner.".into(),
            },
            Locale::Danish,
        );
        let email = render_notice("http://x", &VendorSettings::default(), &n).unwrap();
        assert!(email.subject.contains("afvist"), "{}", email.subject);
        assert!(
            email
                .text
                .contains("Already registered by another partner.")
        );
        assert!(
            email.text.starts_with("Hej Freja Mortensen"),
            "{}",
            email.text
        );
        assert!(email.text.contains(&format!(
            "http://x/deal-registrations/{}",
            n.registration_id
        )));
    }

    #[test]
    fn a_reminder_says_when_the_protection_ends() {
        let n = notice(
            NoticeKind::Reminder {
                protected_until: datetime!(2026-06-08 10:00 UTC),
            },
            Locale::Danish,
        );
        let email = render_notice("http://x", &VendorSettings::default(), &n).unwrap();
        assert!(email.subject.contains("2026-06-08"), "{}", email.subject);
        assert!(email.subject.contains("Beskyttelsen"), "{}", email.subject);
    }
}
