#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The Leads tab in a real browser (spec flows 4, 5 and 7): a partner user
//! opens the Leads tab, picks a queue, Accepts a lead, finds it in Recent
//! Items, edits it (an inline error first), saves a new status and sees it on
//! the lead page; the same in Danish; and two people saving the same lead.
//!
//! The Leads tab, the lead page and the edit form are saved under
//! `target/screenshots/` at desktop and phone size, whole pages.

use fantoccini::Locator;
use openprm_domain::{Locale, Role, Tier, leads::LeadInput};
use openprm_store::{
    Backend,
    leads::{Assignment, Lead},
    queues::QueueFields,
};
use openprm_testkit::app::{TestApp, TestUser};
use openprm_testkit::browser::{Browser, run_browser_test};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct World {
    uffe: TestUser,
    mona: TestUser,
    queue: String,
    leads: Vec<Lead>,
}

/// Acme with a partner user and a partner manager, the queue "Nordic Trade
/// Show" with a few leads, and one lead already Uffe's.
async fn world(app: &TestApp) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let cm = app.user("Sofie Lind", Role::ChannelManager, None).await;
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(cm.id()))
        .await;
    let uffe = app
        .user("Uffe Andersen", Role::PartnerUser, Some(acme.id))
        .await;
    let mona = app
        .user("Mona Kristensen", Role::PartnerManager, Some(acme.id))
        .await;
    let queue = app
        .store
        .create_queue(
            None,
            &QueueFields {
                name: "Nordic Trade Show".into(),
                stale_claim_days: Some(14),
                members: vec![acme.id],
            },
        )
        .await
        .unwrap();
    let statuses = app.store.lead_statuses().await.unwrap();
    let mut leads = Vec::new();
    for (name, company, title, rating, country) in [
        (
            "Mette Hansen",
            "Nordlys Energi A/S",
            "IT Director",
            "hot",
            "DK",
        ),
        ("Jonas Lindqvist", "Fjordkraft Data AB", "CTO", "warm", "SE"),
        (
            "Katrine Østergaard",
            "Blåbær Logistik ApS",
            "Head of Operations",
            "",
            "DK",
        ),
        (
            "Henrik Solberg",
            "Polar Retail AS",
            "Procurement Manager",
            "cold",
            "NO",
        ),
    ] {
        let input = LeadInput {
            name: Some(name.into()),
            company: Some(company.into()),
            title: Some(title.into()),
            rating: Some(rating.into()),
            country: Some(country.into()),
            email: Some(format!(
                "{}@example.com",
                name.split(' ').next().unwrap().to_lowercase()
            )),
            phone: Some("+45 33 12 34 56".into()),
            source: Some("trade_show".into()),
            description: Some("Met at the booth; asked for a demo of the partner portal.".into()),
            ..LeadInput::default()
        };
        let fields = input.parse(None, &statuses).unwrap();
        let lead = app
            .store
            .create_lead(&admin.user.viewer(), &fields, Assignment::Queue(queue))
            .await
            .unwrap();
        leads.push(lead);
        app.clock.advance(time::Duration::minutes(3));
    }
    World {
        uffe,
        mona,
        queue: queue.to_string(),
        leads,
    }
}

/// The texts of the Recent Items sidebar.
async fn recent_items(b: &Browser) -> Result<Vec<String>> {
    Ok(b.texts(".recent-list a").await?)
}

/// The partner's whole flow, in English or Danish: the words on buttons and
/// labels are given.
struct Words {
    tab: &'static str,
    accept: &'static str,
    edit: &'static str,
    save: &'static str,
    list_view: &'static str,
    qualified: &'static str,
    required: &'static str,
}

async fn accept_edit_and_save(
    b: &Browser,
    app: &TestApp,
    w: &World,
    words: &Words,
    shot: &str,
) -> Result {
    b.sign_in(&app.base_url, &w.uffe).await?;
    // Home shows the newest unclaimed leads of the queue, with Accept buttons.
    let card = b.text("#home-queues").await?;
    assert!(card.contains("Henrik Solberg"), "{card}");
    assert_eq!(b.texts("#home-queues button").await?, [words.accept; 4]);
    b.screenshots(&format!("{shot}-00-home")).await?;
    b.click_and_wait(Locator::LinkText(words.tab)).await?;
    assert_eq!(b.path().await?, "/leads");
    let label = b
        .find(Locator::Css("label[for=view]"))
        .await?
        .prop("textContent")
        .await?;
    assert_eq!(label.as_deref(), Some(words.list_view));

    // Pick the queue in the List view selector.
    b.find(Locator::Id("view"))
        .await?
        .select_by_value(&format!("queue:{}", w.queue))
        .await?;
    b.click_and_wait(Locator::Css(".leads-filter-go button"))
        .await?;
    let rows = b.texts("#leads tbody tr").await?;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows[0].contains("Henrik Solberg"), "newest first: {rows:?}");
    assert_eq!(
        b.texts("#leads td.actions button").await?,
        [words.accept; 4]
    );
    b.screenshots(&format!("{shot}-01-leads-tab")).await?;

    // Accept Mette Hansen's lead: it opens, and it is in Recent Items.
    let mette = &w.leads[0];
    b.click_and_wait(Locator::Css(&format!(
        "form[action='/leads/{}/accept'] button",
        mette.id
    )))
    .await?;
    assert_eq!(b.path().await?, format!("/leads/{}", mette.id));
    assert_eq!(b.text("h1").await?, "Mette Hansen");
    assert_eq!(b.text("#lead-owner").await?, "Uffe Andersen");
    assert_eq!(
        recent_items(b).await?.first().map(String::as_str),
        Some("Mette Hansen · Nordlys Energi A/S")
    );
    b.screenshots(&format!("{shot}-02-lead-page")).await?;

    // Edit: an emptied name is refused inline, the rest kept.
    b.click_and_wait(Locator::LinkText(words.edit)).await?;
    assert_eq!(b.path().await?, format!("/leads/{}/edit", mette.id));
    assert_eq!(b.text("#save-lead").await?, words.save);
    b.find(Locator::Id("lead-status"))
        .await?
        .select_by_value("qualified")
        .await?;
    b.fill(Locator::Id("lead-name"), "").await?;
    b.fill(Locator::Id("lead-title"), "Chief Information Officer")
        .await?;
    b.click_and_wait(Locator::Id("save-lead")).await?;
    assert_eq!(b.text("#lead-name-error").await?, words.required);
    let title = b
        .find(Locator::Id("lead-title"))
        .await?
        .prop("value")
        .await?;
    assert_eq!(title.as_deref(), Some("Chief Information Officer"));
    b.screenshots(&format!("{shot}-03-edit-form-error")).await?;

    b.fill(Locator::Id("lead-name"), "Mette Hansen").await?;
    b.click_and_wait(Locator::Id("save-lead")).await?;
    assert_eq!(b.path().await?, format!("/leads/{}", mette.id));
    assert_eq!(b.text("#lead-status").await?, words.qualified);
    let timeline = b.text(".timeline").await?;
    assert!(timeline.contains(words.qualified), "{timeline}");
    assert!(timeline.contains("Chief Information Officer"), "{timeline}");
    b.screenshots(&format!("{shot}-04-lead-saved")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_partner_accepts_a_queue_lead_then_edits_and_saves_it() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let w = world(&app).await;
    let words = Words {
        tab: "Leads",
        accept: "Accept",
        edit: "Edit",
        save: "Save",
        list_view: "List view",
        qualified: "Qualified",
        required: "Required.",
    };
    run_browser_test(
        "browser_partner_accepts_a_queue_lead_then_edits_and_saves_it",
        None,
        async |b| {
            accept_edit_and_save(b, &app, &w, &words, "leads").await?;
            // The edit form as it first opens, for the record.
            b.click_and_wait(Locator::Id("edit-lead")).await?;
            b.screenshots("leads-05-edit-form").await?;
            Ok(())
        },
    )
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_partner_accepts_and_saves_in_danish() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let w = world(&app).await;
    app.store
        .set_locale(w.uffe.id(), Locale::Danish)
        .await
        .unwrap();
    let words = Words {
        tab: "Kundeemner",
        accept: "Accepter",
        edit: "Rediger",
        save: "Gem",
        list_view: "Listevisning",
        qualified: "Kvalificeret",
        required: "Skal udfyldes.",
    };
    run_browser_test(
        "browser_partner_accepts_and_saves_in_danish",
        Some("da"),
        async |b| {
            accept_edit_and_save(b, &app, &w, &words, "leads-da").await?;
            let recent = b
                .find(Locator::Css(".recent h2"))
                .await?
                .prop("textContent")
                .await?;
            assert_eq!(recent.as_deref(), Some("Seneste elementer"));
            Ok(())
        },
    )
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_two_people_save_the_same_lead() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let w = world(&app).await;
    let lead = &w.leads[1];
    app.store
        .claim_lead(&w.uffe.user.viewer(), lead.id)
        .await
        .unwrap();
    let edit = app.url(&format!("/leads/{}/edit", lead.id));

    run_browser_test(
        "browser_two_people_save_the_same_lead",
        None,
        async |uffe| {
            uffe.sign_in(&app.base_url, &w.uffe).await?;
            uffe.goto(&edit).await?;
            uffe.fill(Locator::Id("lead-title"), "Chief Technology Officer")
                .await?;

            // Meanwhile Mona, his partner manager, changes the status and phone.
            run_browser_test(
                "browser_two_people_save_the_same_lead-mona",
                None,
                async |mona| {
                    mona.sign_in(&app.base_url, &w.mona).await?;
                    mona.goto(&edit).await?;
                    mona.find(Locator::Id("lead-status"))
                        .await?
                        .select_by_value("working_contacted")
                        .await?;
                    mona.fill(Locator::Id("lead-phone"), "+46 8 123 456 78")
                        .await?;
                    mona.click_and_wait(Locator::Id("save-lead")).await?;
                    assert_eq!(mona.text("#lead-status").await?, "Working – Contacted");
                    Ok(())
                },
            )
            .await;

            // Uffe's Save is refused: what Mona changed, and his input kept.
            uffe.click_and_wait(Locator::Id("save-lead")).await?;
            assert_eq!(uffe.path().await?, format!("/leads/{}/edit", lead.id));
            let conflict = uffe.text("#conflict").await?;
            assert!(
                conflict.contains("Someone else saved this lead while you were editing."),
                "{conflict}"
            );
            assert!(
                conflict.contains("Status: Working – Contacted (Mona Kristensen)"),
                "{conflict}"
            );
            assert!(
                conflict.contains("Phone: +46 8 123 456 78 (Mona Kristensen)"),
                "{conflict}"
            );
            let title = uffe
                .find(Locator::Id("lead-title"))
                .await?
                .prop("value")
                .await?;
            assert_eq!(title.as_deref(), Some("Chief Technology Officer"));
            uffe.screenshots("leads-06-conflict").await?;

            // He takes her status and phone into his form and saves again.
            uffe.find(Locator::Id("lead-status"))
                .await?
                .select_by_value("working_contacted")
                .await?;
            uffe.fill(Locator::Id("lead-phone"), "+46 8 123 456 78")
                .await?;
            uffe.click_and_wait(Locator::Id("save-lead")).await?;
            assert_eq!(uffe.path().await?, format!("/leads/{}", lead.id));
            assert_eq!(uffe.text("#lead-status").await?, "Working – Contacted");
            let fields = uffe.text(".lead-fields").await?;
            assert!(fields.contains("Chief Technology Officer"), "{fields}");
            assert!(fields.contains("+46 8 123 456 78"), "{fields}");
            Ok(())
        },
    )
    .await;
    app.close().await;
}
