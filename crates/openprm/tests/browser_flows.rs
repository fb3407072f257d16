#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The portal in a real browser: the invitation flow (spec flow 1) from the
//! admin's invite to the new user's Home, and signing in in Danish.
//!
//! Every page visited is saved under `target/screenshots/` at desktop size,
//! Home also at phone size, so a change to the templates can be looked at.

use std::time::Duration;

use fantoccini::Locator;
use openprm_domain::{EmailAddress, Locale, Role, Tier};
use openprm_store::{Backend, users::NewUser};
use openprm_testkit::app::{PASSWORD, TestApp};
use openprm_testkit::browser::{Browser, PHONE, run_browser_test};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const PARTNER_TABS_EN: [&str; 6] = [
    "Home",
    "Leads",
    "Opportunities",
    "Accounts",
    "Contacts",
    "Resources",
];
const PARTNER_TABS_DA: [&str; 6] = [
    "Startside",
    "Kundeemner",
    "Salgsmuligheder",
    "Konti",
    "Kontakter",
    "Ressourcer",
];

/// Signs in through the login form; the login page is saved as `shot`.
async fn sign_in(b: &Browser, app: &TestApp, email: &str, password: &str, shot: &str) -> Result {
    b.goto(&app.url("/login")).await?;
    b.screenshot(shot).await?;
    b.fill(Locator::Id("email"), email).await?;
    b.fill(Locator::Id("password"), password).await?;
    b.click_and_wait(Locator::Css("form[action='/login'] button[type=submit]"))
        .await?;
    Ok(())
}

/// Saves Home at desktop size, then at phone size, and goes back to desktop.
async fn screenshot_home(b: &Browser, name: &str) -> Result {
    b.screenshot(name).await?;
    b.resize(PHONE.0, PHONE.1).await?;
    b.screenshot(&format!("{name}-phone")).await?;
    let (width, height) = openprm_testkit::browser::DESKTOP;
    b.resize(width, height).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_invitation_flow_lands_on_home() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let admin = app.user("Astrid Admin", Role::Admin, None).await;
    let cm = app.user("Sofie Lind", Role::ChannelManager, None).await;
    app.partner("Fjordline IT", Tier::Gold, Some(cm.id())).await;
    let invitee = "mette@fjordline.example";

    run_browser_test("browser_invitation_flow_lands_on_home", None, async |b| {
        // The admin invites a partner user from the partner's page.
        sign_in(
            b,
            &app,
            &admin.email,
            &admin.password,
            "invitation-01-login",
        )
        .await?;
        assert_eq!(b.path().await?, "/");
        b.screenshot("invitation-02-admin-home").await?;
        b.click_and_wait(Locator::LinkText("Partners")).await?;
        b.screenshot("invitation-03-partners").await?;
        b.click_and_wait(Locator::LinkText("Fjordline IT")).await?;
        assert_eq!(b.text("h1").await?, "Fjordline IT");
        let partner_page = b.current_url().await?;
        b.screenshot("invitation-04-partner").await?;
        b.fill(Locator::Id("invite-name"), "Mette Kristensen")
            .await?;
        b.fill(Locator::Id("invite-email"), invitee).await?;
        b.click_and_wait(Locator::Css("#invite-form button[type=submit]"))
            .await?;
        assert_eq!(
            b.text(".alert-success").await?,
            format!("An invitation was sent to {invitee}.")
        );
        let people = b.text("#people").await?;
        assert!(
            people.contains("Mette Kristensen") && people.contains("Invited"),
            "{people}"
        );
        b.screenshot("invitation-05-invitation-sent").await?;

        let mail = app
            .smtp
            .wait_for(invitee, Duration::from_secs(15))
            .await
            .ok_or("no invitation e-mail arrived")?;
        let link = mail
            .links()
            .into_iter()
            .find(|l| l.contains("/invitations/"))
            .ok_or("no invitation link in the e-mail")?;

        // The invited user follows the link in a browser of their own.
        run_browser_test(
            "browser_invitation_flow_lands_on_home-invitee",
            None,
            async |u| {
                u.goto(&link).await?;
                assert_eq!(u.text("h1").await?, "Welcome, Mette Kristensen");
                assert!(
                    u.page_text().await?.contains(invitee),
                    "the page gives the user name"
                );
                u.screenshot("invitation-06-welcome").await?;
                u.click_and_wait(Locator::Css("form button[type=submit]"))
                    .await?;

                // Nothing works before a new password is chosen.
                assert_eq!(u.path().await?, "/password");
                assert!(u.find(Locator::Id("current_password")).await.is_err());
                u.screenshot("invitation-07-choose-password").await?;
                u.goto(&app.url("/leads")).await?;
                assert_eq!(
                    u.path().await?,
                    "/password",
                    "pages lead to the password page"
                );

                // Too short: an inline error, and still on the password page.
                u.fill(Locator::Id("new_password"), "short-pw").await?;
                u.fill(Locator::Id("confirm_password"), "short-pw").await?;
                u.click_and_wait(Locator::Css("form[action='/password'] button[type=submit]"))
                    .await?;
                assert_eq!(u.path().await?, "/password");
                assert_eq!(
                    u.text("#new_password + .field-error").await?,
                    "The password must be at least 12 characters."
                );
                let invalid = u
                    .find(Locator::Id("new_password"))
                    .await?
                    .attr("aria-invalid")
                    .await?;
                assert_eq!(invalid.as_deref(), Some("true"));
                u.screenshot("invitation-08-password-too-short").await?;

                u.fill(Locator::Id("new_password"), "northern-lights-over-skagen")
                    .await?;
                u.fill(
                    Locator::Id("confirm_password"),
                    "northern-lights-over-skagen",
                )
                .await?;
                u.click_and_wait(Locator::Css("form[action='/password'] button[type=submit]"))
                    .await?;

                // Home, with their name, their company and the partner tabs.
                assert_eq!(u.path().await?, "/");
                assert_eq!(u.text("h1").await?, "Welcome, Mette Kristensen");
                assert!(u.text(".page-head").await?.contains("Fjordline IT"));
                assert_eq!(u.texts("nav.tabs a").await?, PARTNER_TABS_EN);
                assert!(u.text(".contact-card").await?.contains("Sofie Lind"));
                screenshot_home(u, "invitation-09-home").await?;
                Ok(())
            },
        )
        .await;

        // The admin sees the invitation taken up. (Not a reload: the invite
        // answered a POST, and reloading would send it again.)
        b.goto(partner_page.as_str()).await?;
        let people = b.text("#people").await?;
        assert!(!people.contains("Invited"), "{people}");
        Ok(())
    })
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_in_danish() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let partner = app.partner("Kattegat Systems", Tier::Silver, None).await;
    let email = "jens@kattegat.example";
    app.store
        .create_user(&NewUser {
            email: EmailAddress::parse(email).unwrap(),
            name: "Jens Madsen".into(),
            role: Role::PartnerUser,
            partner_id: Some(partner.id),
            locale: Locale::Danish,
            title: None,
            phone: None,
            password: Some(PASSWORD.into()),
            must_change_password: false,
        })
        .await
        .unwrap();

    run_browser_test("browser_sign_in_in_danish", Some("da"), async |b| {
        b.goto(&app.url("/login")).await?;
        assert_eq!(b.text("h1").await?, "Log ind");
        let lang = b.find(Locator::Css("html")).await?.attr("lang").await?;
        assert_eq!(lang.as_deref(), Some("da"));
        assert_eq!(b.text("form button[type=submit]").await?, "Log ind");

        sign_in(b, &app, email, PASSWORD, "danish-01-login").await?;
        assert_eq!(b.path().await?, "/");
        assert_eq!(b.text("h1").await?, "Velkommen, Jens Madsen");
        assert_eq!(b.texts("nav.tabs a").await?, PARTNER_TABS_DA);
        screenshot_home(b, "danish-02-home").await?;

        b.click_and_wait(Locator::LinkText("Kundeemner")).await?;
        assert_eq!(b.path().await?, "/leads");
        b.screenshot("danish-03-leads").await?;
        Ok(())
    })
    .await;
    app.close().await;
}
