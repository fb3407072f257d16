//! Notification e-mails (lead assigned, help requested, help answered), in
//! the recipient's language, with a link to the record.
//!
//! The store queues them in the transaction of the change that causes them
//! and leaves out a kind the recipient opted out of; it holds the writer
//! [`notification_mail`] gives it at start-up, since the catalogue and the
//! templates live here.

use std::sync::Arc;

use askama::Template;
use openprm_domain::notifications::NotificationKind;
use openprm_store::{
    notifications::{Notification, NotifyMail},
    outbox::OutgoingEmail,
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

/// The notification writer, with links into the portal at `base_url`.
pub fn notification_mail(base_url: &str) -> Arc<NotifyMail> {
    let base_url = base_url.trim_end_matches('/').to_owned();
    Arc::new(move |settings: &VendorSettings, n: &Notification| {
        render_notification(&base_url, settings, n)
    })
}

/// One notification as an e-mail.
pub fn render_notification(
    base_url: &str,
    settings: &VendorSettings,
    n: &Notification,
) -> Result<OutgoingEmail, String> {
    let t = Tr::new(n.recipient_locale);
    let key = match n.kind {
        // An import's digest, which links to the inbox rather than one lead.
        NotificationKind::LeadAssigned if n.count > 1 => match n.actor_name {
            Some(_) => "email-leads-assigned",
            None => "email-leads-routed",
        },
        NotificationKind::LeadAssigned => match n.actor_name {
            Some(_) => "email-lead-assigned",
            // Placed by the rules alone (a web form, a decline, a response time).
            None => "email-lead-routed",
        },
        NotificationKind::HelpRequested => "email-help-requested",
        NotificationKind::HelpAnswered => "email-help-answered",
        // Written by the stale-claim job's own template.
        NotificationKind::StaleWarning => return Err("stale warnings have their own e-mail".into()),
    };
    let someone = t.get("email-notification-someone");
    let who = n.actor_name.as_deref().unwrap_or(&someone);
    let count = n.count.to_string();
    let args = [
        ("title", n.record_title.as_str()),
        ("name", who),
        ("count", count.as_str()),
    ];
    let digest = n.count > 1;
    let (path, label_key, button_key) = if digest {
        (
            "/leads?view=inbox".to_owned(),
            "email-notification-inbox-label",
            "email-notification-inbox-button",
        )
    } else {
        (
            n.record.path(),
            "email-notification-link-label",
            "email-notification-button",
        )
    };
    let link = format!("{base_url}{path}");
    let greeting = t.with(
        "email-notification-greeting",
        [("name", n.recipient_name.as_str())],
    );
    let intro = t.with(&format!("{key}-intro"), args);
    let detail = n.text.clone().unwrap_or_default();
    let text = NoticeText {
        greeting: &greeting,
        intro: &intro,
        detail: &detail,
        link_label: &t.get(label_key),
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
        button: &t.get(button_key),
        link: &link,
        portal: &settings.portal_name,
        primary: &settings.primary_colour,
    }
    .render()
    .map_err(|e| e.to_string())?;
    Ok(OutgoingEmail {
        to: n.recipient_email.clone(),
        to_name: n.recipient_name.clone(),
        subject: t.with(&format!("{key}-subject"), args),
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use openprm_domain::{LeadId, Locale, OpportunityId, UserId, deal_help::DealRef};

    use super::*;

    fn help(locale: Locale) -> Notification {
        Notification {
            kind: NotificationKind::HelpRequested,
            recipient_id: UserId::new(),
            recipient_name: "Carl Channel".into(),
            recipient_email: "carl@vendor.test".into(),
            recipient_locale: locale,
            record: DealRef::Opportunity(OpportunityId::new()),
            record_title: "Nordlys <grid>".into(),
            actor_name: Some("Uffe Acme".into()),
            text: Some("Can you join the call on Friday?".into()),
            count: 1,
        }
    }

    #[test]
    fn a_help_request_names_the_deal_who_asked_and_links_to_it() {
        let n = help(Locale::English);
        let email =
            render_notification("https://prm.example.com", &VendorSettings::default(), &n).unwrap();
        assert_eq!(email.to, "carl@vendor.test");
        assert!(
            email.subject.contains("Nordlys <grid>"),
            "{}",
            email.subject
        );
        for body in [&email.text, &email.html] {
            assert!(body.contains(&format!("https://prm.example.com{}", n.record.path())));
            assert!(body.contains("Can you join the call on Friday?"), "{body}");
        }
        assert!(email.text.contains("Uffe Acme"));
        assert!(!email.html.contains("<grid>"), "the HTML part is escaped");
    }

    fn assigned(count: u32, actor: Option<&str>, locale: Locale) -> OutgoingEmail {
        let n = Notification {
            kind: NotificationKind::LeadAssigned,
            record: DealRef::Lead(LeadId::new()),
            record_title: "Mette Hansen · Nordlys A/S".into(),
            actor_name: actor.map(str::to_owned),
            text: None,
            count,
            ..help(locale)
        };
        render_notification("https://prm.example.com", &VendorSettings::default(), &n).unwrap()
    }

    #[test]
    fn an_import_digest_counts_the_leads_and_links_to_the_inbox() {
        let email = assigned(250, Some("Carla Vendor"), Locale::English);
        assert!(email.subject.contains("250"), "{}", email.subject);
        assert!(email.text.contains("Carla Vendor"), "{}", email.text);
        assert!(
            email
                .text
                .contains("https://prm.example.com/leads?view=inbox")
        );
        assert!(!email.text.contains("Mette Hansen"), "{}", email.text);
        assert!(email.text.contains("Open your inbox"), "{}", email.text);
        assert!(email.html.contains("Open your inbox"), "{}", email.html);
        let danish = assigned(3, None, Locale::Danish);
        assert!(danish.subject.contains('3'), "{}", danish.subject);
        assert!(danish.text.starts_with("Hej"), "{}", danish.text);
    }

    #[test]
    fn a_lead_placed_by_the_rules_alone_says_so_and_links_to_it() {
        let email = assigned(1, None, Locale::English);
        assert!(email.subject.contains("Mette Hansen"), "{}", email.subject);
        assert!(!email.text.contains("Someone"), "{}", email.text);
        assert!(email.text.contains("https://prm.example.com/leads/"));
    }

    #[test]
    fn danish_recipients_get_danish() {
        let email = render_notification(
            "http://x",
            &VendorSettings::default(),
            &help(Locale::Danish),
        )
        .unwrap();
        assert!(email.text.starts_with("Hej Carl Channel"), "{}", email.text);
        assert!(email.html.contains("lang=\"da\""));
    }
}
