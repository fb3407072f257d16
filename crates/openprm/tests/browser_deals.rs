#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Deals in a real browser (spec flows 8, 9 and 13), on both stores: a
//! partner user converts a qualified lead into an account, a contact and an
//! opportunity, finds the opportunity in My Opportunities, edits it from the
//! list and Save brings them back to My Opportunities showing the change; the
//! same in Danish; and a partner registers a deal that another partner
//! already works, sees only "under review", while their channel manager sees
//! the conflict beside it and approves it.
//!
//! Every step is saved under `target/screenshots/deals-*.png` at desktop and
//! phone size, whole pages.

use fantoccini::Locator;
use openprm_domain::{
    Locale, Role, Tier, accounts::AccountInput, leads::LeadInput, money::Currency,
    opportunities::OpportunityFields,
};
use openprm_store::{
    Backend,
    leads::{Assignment, Lead},
};
use openprm_testkit::{
    app::{TestApp, TestUser},
    browser::{Browser, PHONE, run_browser_test},
    test_on_both_stores,
};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct World {
    /// A Fjordline IT sales rep with a qualified lead of his own.
    uffe: TestUser,
    /// Fjordline's and Skagen Data's channel manager.
    mikkel: TestUser,
    lead: Lead,
}

/// Two partners of one channel manager; Skagen Data already works
/// Vestjysk Vindservice (an account with an open opportunity); Uffe at
/// Fjordline IT has qualified a lead from Ribe Bryghus.
async fn world(app: &TestApp) -> World {
    let mikkel = app.user("Mikkel Holm", Role::ChannelManager, None).await;
    let fjordline = app
        .partner("Fjordline IT", Tier::Gold, Some(mikkel.id()))
        .await;
    let skagen = app
        .partner("Skagen Data", Tier::Silver, Some(mikkel.id()))
        .await;
    let uffe = app
        .user("Uffe Andersen", Role::PartnerUser, Some(fjordline.id))
        .await;
    let emma = app
        .user("Emma Sørensen", Role::PartnerUser, Some(skagen.id))
        .await;

    let statuses = app.store.lead_statuses().await.unwrap();
    let input = LeadInput {
        name: Some("Mette Hansen".into()),
        company: Some("Ribe Bryghus A/S".into()),
        title: Some("IT-chef".into()),
        email: Some("mette.hansen@ribebryghus.dk".into()),
        phone: Some("+45 75 41 22 10".into()),
        country: Some("DK".into()),
        source: Some("partner".into()),
        status: Some("qualified".into()),
        description: Some("Wants endpoint protection for the brewery and the shop.".into()),
        ..LeadInput::default()
    };
    let lead = app
        .store
        .create_lead(
            &uffe.user.viewer(),
            &input.parse(None, &statuses).unwrap(),
            Assignment::Unassigned,
        )
        .await
        .unwrap();
    assert_eq!(lead.status, "qualified");

    let account = AccountInput {
        name: Some("Vestjysk Vindservice A/S".into()),
        domain: Some("vestjyskvind.dk".into()),
        country: Some("DK".into()),
        city: Some("Ringkøbing".into()),
        ..AccountInput::default()
    }
    .parse(None)
    .unwrap();
    let emma_viewer = emma.user.viewer();
    let account = app
        .store
        .create_account(&emma_viewer, &account, None, None)
        .await
        .unwrap();
    let deal = OpportunityFields {
        name: "Network Monitoring – 120 users".into(),
        stage: "proposal".into(),
        amount_minor: Some(48_000_000),
        currency: Currency::DKK,
        close_date: app.store.now().date() + time::Duration::days(40),
        probability: 60,
        next_step: None,
        description: None,
    };
    app.store
        .create_opportunity(&emma_viewer, &deal, account.id, None)
        .await
        .unwrap();
    World { uffe, mikkel, lead }
}

/// Saves the whole page at desktop and at phone size, as
/// `deals-<name>-<store>[-phone].png`.
async fn screenshots(b: &Browser, app: &TestApp, name: &str) -> Result {
    let store = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    Ok(b.screenshots(&format!("deals-{name}-{store}")).await?)
}

/// Whether the page is wider than the window (something overflows sideways).
async fn overflows_sideways(b: &Browser) -> Result<bool> {
    let wide = b
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth + 1;",
            vec![],
        )
        .await?;
    Ok(wide.as_bool().unwrap_or(false))
}

/// The words of the flow in the user's language.
struct Words {
    convert: &'static str,
    converted: &'static str,
    tab: &'static str,
    my_opportunities: &'static str,
    edit: &'static str,
    save: &'static str,
    proposal: &'static str,
    /// The amount 150000 DKK as the list shows it.
    amount: &'static str,
}

const ENGLISH: Words = Words {
    convert: "Convert",
    converted: "Converted",
    tab: "Opportunities",
    my_opportunities: "My Opportunities",
    edit: "Edit",
    save: "Save",
    proposal: "Proposal",
    amount: "DKK 150,000.00",
};

const DANISH: Words = Words {
    convert: "Konvertér",
    converted: "Konverteret",
    tab: "Salgsmuligheder",
    my_opportunities: "Mine salgsmuligheder",
    edit: "Rediger",
    save: "Gem",
    proposal: "Tilbud",
    amount: "150.000,00 DKK",
};

/// Convert → My Opportunities → Edit from the list → Save → back on My
/// Opportunities with the change.
async fn convert_then_edit_from_my_opportunities(
    b: &Browser,
    app: &TestApp,
    w: &World,
    words: &Words,
    shot: &str,
) -> Result {
    b.sign_in(&app.base_url, &w.uffe).await?;
    b.goto(&app.url(&format!("/leads/{}", w.lead.id))).await?;
    assert_eq!(b.text("#convert-lead").await?, words.convert);
    screenshots(b, app, &format!("{shot}-01-qualified-lead")).await?;

    b.click_and_wait(Locator::Id("convert-lead")).await?;
    assert_eq!(b.path().await?, format!("/leads/{}/convert", w.lead.id));
    assert_eq!(b.text("#convert-submit").await?, words.convert);
    // A new account named after the lead's company, and an opportunity, by default.
    let new_account = b
        .find(Locator::Css("input[name=account][value=new]"))
        .await?;
    assert_eq!(new_account.prop("checked").await?.as_deref(), Some("true"));
    let ticked = b.find(Locator::Id("f-create_opportunity")).await?;
    assert_eq!(ticked.prop("checked").await?.as_deref(), Some("true"));
    b.fill(Locator::Id("f-account_name"), "Ribe Bryghus A/S")
        .await?;
    b.fill(
        Locator::Id("f-opportunity_name"),
        "Ribe Bryghus – Endpoint Protection",
    )
    .await?;
    b.fill(Locator::Id("f-amount"), "90000").await?;
    // The currency is picked from the supported ones, as on the opportunity form.
    b.find(Locator::Css("#f-currency option[value=DKK]"))
        .await?
        .click()
        .await?;
    let currency = b.find(Locator::Id("f-currency")).await?;
    assert_eq!(currency.prop("value").await?.as_deref(), Some("DKK"));
    b.resize(PHONE.0, PHONE.1).await?;
    assert!(
        !overflows_sideways(b).await?,
        "the convert page overflows a phone"
    );
    screenshots(b, app, &format!("{shot}-02-convert")).await?;

    b.click_and_wait(Locator::Id("convert-submit")).await?;
    assert_eq!(b.path().await?, format!("/leads/{}", w.lead.id));
    assert_eq!(b.text("#lead-status").await?, words.converted);
    assert!(b.find_all(Locator::Id("convert-lead")).await?.is_empty());
    let opportunity = b
        .find(Locator::Id("converted-opportunity"))
        .await?
        .attr("href")
        .await?
        .unwrap();
    let opportunity_id = opportunity.trim_start_matches("/opportunities/").to_owned();
    for link in ["converted-account", "converted-contact"] {
        assert!(
            b.find(Locator::Id(link))
                .await?
                .attr("href")
                .await?
                .is_some()
        );
    }
    screenshots(b, app, &format!("{shot}-03-converted")).await?;

    // The Opportunities tab opens on My Opportunities, with the new one.
    b.click_and_wait(Locator::LinkText(words.tab)).await?;
    assert_eq!(b.path().await?, "/opportunities");
    assert_eq!(b.text("#view-label").await?, words.my_opportunities);
    let row = format!("#opportunity-{opportunity_id}");
    let text = b.text(&row).await?;
    assert!(
        text.contains("Ribe Bryghus – Endpoint Protection"),
        "{text}"
    );
    assert!(text.contains("Ribe Bryghus A/S"), "{text}");
    b.resize(PHONE.0, PHONE.1).await?;
    assert!(
        !overflows_sideways(b).await?,
        "My Opportunities overflows a phone"
    );
    screenshots(b, app, &format!("{shot}-04-my-opportunities")).await?;

    // Edit from the list: a later stage and a bigger amount.
    let edit = format!("{row} td.actions a");
    assert_eq!(b.text(&edit).await?, words.edit);
    b.click_and_wait(Locator::Css(&edit)).await?;
    assert_eq!(
        b.path().await?,
        format!("/opportunities/{opportunity_id}/edit")
    );
    assert_eq!(b.text("#save-opportunity").await?, words.save);
    b.find(Locator::Id("opportunity-stage"))
        .await?
        .select_by_value("proposal")
        .await?;
    b.fill(Locator::Id("opportunity-amount"), "150000").await?;
    screenshots(b, app, &format!("{shot}-05-edit")).await?;
    b.click_and_wait(Locator::Id("save-opportunity")).await?;

    // Back on the very list view, showing the change.
    let url = b.current_url().await?;
    assert_eq!(url.path(), "/opportunities");
    let view = url
        .query_pairs()
        .find(|(k, _)| k == "view")
        .map(|(_, v)| v.into_owned());
    assert_eq!(view.as_deref(), Some("mine"), "{url}");
    assert_eq!(b.text("#view-label").await?, words.my_opportunities);
    assert_eq!(
        b.text(&format!("{row} td.opportunity-stage")).await?,
        words.proposal
    );
    assert_eq!(
        b.text(&format!("{row} td.opportunity-amount")).await?,
        words.amount
    );
    screenshots(b, app, &format!("{shot}-06-saved")).await?;
    Ok(())
}

async fn partner_converts_a_lead_then_edits_its_opportunity_from_my_opportunities(app: &TestApp) {
    let w = world(app).await;
    run_browser_test(
        "browser_partner_converts_a_lead_then_edits_its_opportunity",
        None,
        async |b| convert_then_edit_from_my_opportunities(b, app, &w, &ENGLISH, "en").await,
    )
    .await;
}

async fn partner_converts_and_edits_in_danish(app: &TestApp) {
    let w = world(app).await;
    app.store
        .set_locale(w.uffe.id(), Locale::Danish)
        .await
        .unwrap();
    run_browser_test(
        "browser_partner_converts_and_edits_in_danish",
        Some("da"),
        async |b| convert_then_edit_from_my_opportunities(b, app, &w, &DANISH, "da").await,
    )
    .await;
}

async fn partner_registers_a_deal_and_the_channel_manager_approves_it_beside_its_conflict(
    app: &TestApp,
) {
    let w = world(app).await;
    let close =
        openprm_domain::opportunities::date_text(app.store.now().date() + time::Duration::days(45));
    let mut registration = String::new();
    run_browser_test("browser_partner_registers_a_deal", None, async |b| {
        b.sign_in(&app.base_url, &w.uffe).await?;
        b.goto(&app.url("/opportunities")).await?;
        b.click_and_wait(Locator::Id("deal-registrations")).await?;
        b.click_and_wait(Locator::Id("register-deal")).await?;
        assert_eq!(b.path().await?, "/deal-registrations/new");
        b.fill(Locator::Id("reg-company"), "Vestjysk Vindservice")
            .await?;
        b.fill(Locator::Id("reg-domain"), "vestjyskvind.dk").await?;
        b.fill(Locator::Id("reg-contact"), "Kasper Vestergaard")
            .await?;
        b.fill(
            Locator::Id("reg-email"),
            "kasper.vestergaard@vestjyskvind.dk",
        )
        .await?;
        b.fill(
            Locator::Id("reg-product"),
            "Endpoint Protection for 300 technicians",
        )
        .await?;
        b.fill(Locator::Id("reg-amount"), "650000").await?;
        b.find(Locator::Id("reg-currency"))
            .await?
            .select_by_value("DKK")
            .await?;
        // A date field takes typed digits in the browser's own order; set its value.
        b.execute(
            "document.getElementById('reg-close').value = arguments[0];",
            vec![serde_json::json!(close)],
        )
        .await?;
        screenshots(b, app, "register-01-form").await?;
        b.click_and_wait(Locator::Id("submit-registration")).await?;
        let path = b.path().await?;
        let id = path
            .strip_prefix("/deal-registrations/")
            .unwrap_or_else(|| panic!("not on the registration: {path}"));
        registration = id.to_owned();
        assert_eq!(b.text("#registration-status").await?, "Under review");
        assert!(b.text("#under-review").await?.contains("reviewing"));
        // The partner is told nothing of what else exists.
        assert!(b.find_all(Locator::Id("conflicts")).await?.is_empty());
        let page = b.page_text().await?;
        assert!(
            !page.contains("Skagen Data") && !page.contains("Network Monitoring"),
            "{page}"
        );
        screenshots(b, app, "register-02-under-review").await?;
        Ok(())
    })
    .await;

    run_browser_test(
        "browser_channel_manager_approves_beside_the_conflict",
        None,
        async |b| {
            b.sign_in(&app.base_url, &w.mikkel).await?;
            b.goto(&app.url("/deal-registrations")).await?;
            b.click_and_wait(Locator::LinkText("Vestjysk Vindservice"))
                .await?;
            assert_eq!(
                b.path().await?,
                format!("/deal-registrations/{registration}")
            );
            // The registration and, beside it, Skagen Data's account and opportunity.
            let conflicts = b.texts("#conflicts .registration-conflict").await?;
            assert!(conflicts.len() >= 2, "{conflicts:?}");
            assert!(
                conflicts.iter().all(|c| c.contains("Skagen Data")),
                "{conflicts:?}"
            );
            assert!(
                conflicts
                    .iter()
                    .any(|c| c.contains("Network Monitoring – 120 users")),
                "{conflicts:?}"
            );
            assert!(
                conflicts
                    .iter()
                    .any(|c| c.contains("Vestjysk Vindservice A/S")),
                "{conflicts:?}"
            );
            b.resize(PHONE.0, PHONE.1).await?;
            assert!(
                !overflows_sideways(b).await?,
                "the registration overflows a phone"
            );
            screenshots(b, app, "register-03-conflict").await?;

            b.click_and_wait(Locator::Id("approve-registration"))
                .await?;
            assert_eq!(
                b.path().await?,
                format!("/deal-registrations/{registration}")
            );
            assert_eq!(b.text("#registration-status").await?, "Approved");
            assert!(!b.text("#protected-until").await?.is_empty());
            let opportunity = b.find(Locator::Id("open-opportunity")).await?;
            assert!(opportunity.attr("href").await?.is_some());
            screenshots(b, app, "register-04-approved").await?;
            Ok(())
        },
    )
    .await;
}

test_on_both_stores!(
    partner_converts_a_lead_then_edits_its_opportunity_from_my_opportunities,
    partner_converts_and_edits_in_danish,
    partner_registers_a_deal_and_the_channel_manager_approves_it_beside_its_conflict,
);
