#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Live updates in real browsers, two at a time (spec flows 5 and 12): the
//! channel manager routes a lead to a partner and it appears on the partner
//! manager's open Home page with a notice, without a reload; a rep claims a
//! queue lead and it leaves a colleague's open Leads tab.
//!
//! Screenshots of the pages with the live notice are saved under
//! `target/screenshots/` at desktop and phone size.

use std::time::Duration;

use fantoccini::Locator;
use openprm_domain::{Role, Tier, leads::LeadInput};
use openprm_store::{
    Backend,
    leads::{Assignment, Lead},
    partners::Partner,
    queues::QueueFields,
};
use openprm_testkit::app::{TestApp, TestUser};
use openprm_testkit::browser::{Browser, run_browser_test};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct World {
    sofie: TestUser,
    uffe: TestUser,
    cleo: TestUser,
    mona: TestUser,
    acme: Partner,
    queue: String,
    leads: Vec<Lead>,
}

async fn world(app: &TestApp) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let sofie = app.user("Sofie Lind", Role::ChannelManager, None).await;
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(sofie.id()))
        .await;
    let uffe = app
        .user("Uffe Andersen", Role::PartnerUser, Some(acme.id))
        .await;
    let cleo = app
        .user("Cleo Berg", Role::PartnerUser, Some(acme.id))
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
                stale_claim_days: None,
                members: vec![acme.id],
            },
        )
        .await
        .unwrap();
    let statuses = app.store.lead_statuses().await.unwrap();
    let mut leads = Vec::new();
    for (name, company) in [
        ("Mette Hansen", "Nordlys Energi A/S"),
        ("Jonas Lindqvist", "Fjordkraft Data AB"),
        ("Henrik Solberg", "Polar Retail AS"),
    ] {
        let input = LeadInput {
            name: Some(name.into()),
            company: Some(company.into()),
            source: Some("trade_show".into()),
            ..LeadInput::default()
        };
        let fields = input.parse(None, &statuses).unwrap();
        let lead = app
            .store
            .create_lead(&admin.user.viewer(), &fields, Assignment::Queue(queue))
            .await
            .unwrap();
        leads.push(lead);
        app.clock.advance(time::Duration::minutes(2));
    }
    World {
        sofie,
        uffe,
        cleo,
        mona,
        acme,
        queue: queue.to_string(),
        leads,
    }
}

/// Marks the page, so a later check can tell it was not reloaded.
async fn mark(b: &Browser) -> Result {
    b.execute("window.__stillHere = 'yes';", vec![]).await?;
    Ok(())
}

async fn not_reloaded(b: &Browser) -> Result<bool> {
    let v = b
        .execute("return window.__stillHere || 'reloaded';", vec![])
        .await?;
    Ok(v.as_str() == Some("yes"))
}

/// Waits until the page's live stream is open (the script connects after load).
async fn live_ready(b: &Browser) -> Result {
    for _ in 0..50 {
        let ready = b
            .execute(
                "return document.body.getAttribute('data-live-state') === 'open';",
                vec![],
            )
            .await?;
        if ready.as_bool() == Some(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the page never opened its event stream".into())
}

/// Polls `css`'s text until `pred` holds; the text it last saw otherwise.
async fn wait_text(b: &Browser, css: &str, pred: impl Fn(&str) -> bool) -> Result<String> {
    let mut last = String::new();
    for _ in 0..60 {
        last = b.texts(css).await?.join("\n");
        if pred(&last) {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css} never matched; last saw: {last:?}").into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_routed_lead_appears_on_the_partners_open_page_with_a_notice() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let w = world(&app).await;
    run_browser_test("live-routed-lead", None, async |partner: &Browser| {
        partner.sign_in(&app.base_url, &w.mona).await?;
        let inbox = partner.text("#home-inbox").await?;
        assert!(!inbox.contains("Birgitte Holm"), "{inbox}");
        live_ready(partner).await?;
        mark(partner).await?;

        run_browser_test("live-routed-lead-cm", None, async |cm: &Browser| {
            cm.sign_in(&app.base_url, &w.sofie).await?;
            cm.goto(&app.url("/leads/new")).await?;
            cm.fill(Locator::Id("lead-name"), "Birgitte Holm").await?;
            cm.fill(Locator::Id("lead-company"), "Havn Logistik ApS")
                .await?;
            cm.find(Locator::Id("lead-destination"))
                .await?
                .select_by_value(&format!("partner:{}", w.acme.id))
                .await?;
            cm.click_and_wait(Locator::Id("save-lead")).await?;
            assert!(
                cm.path().await?.starts_with("/leads/"),
                "{}",
                cm.path().await?
            );
            Ok(())
        })
        .await;

        // Without a reload: the lead is in the inbox card, and a notice says so.
        let inbox = wait_text(partner, "#home-inbox", |t| t.contains("Birgitte Holm")).await?;
        assert!(inbox.contains("Havn Logistik ApS"), "{inbox}");
        let notice = wait_text(partner, ".live-notice", |t| !t.is_empty()).await?;
        assert!(
            notice.contains("New lead for your company: Birgitte Holm · Havn Logistik ApS"),
            "{notice}"
        );
        assert!(not_reloaded(partner).await?, "the page was reloaded");
        let marked = partner
            .find(Locator::Css("#home-inbox .live-new"))
            .await?
            .text()
            .await?;
        assert!(marked.contains("Birgitte Holm"), "{marked}");
        partner.screenshots("live-01-home-new-lead-notice").await?;

        // The notice opens the lead.
        partner
            .click_and_wait(Locator::Css(".live-notice a"))
            .await?;
        assert!(partner.path().await?.starts_with("/leads/"));
        assert_eq!(partner.text("h1").await?, "Birgitte Holm");
        Ok(())
    })
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_claimed_queue_lead_leaves_a_colleagues_open_list() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let w = world(&app).await;
    let queue_view = app.url(&format!("/leads?view=queue:{}", w.queue));
    run_browser_test("live-claimed-lead", None, async |colleague: &Browser| {
        colleague.sign_in(&app.base_url, &w.cleo).await?;
        colleague.goto(&queue_view).await?;
        let rows = colleague.texts("#leads tbody tr").await?;
        assert_eq!(rows.len(), 3, "{rows:?}");
        live_ready(colleague).await?;
        mark(colleague).await?;

        let mette = &w.leads[0];
        run_browser_test("live-claimed-lead-claimer", None, async |rep: &Browser| {
            rep.sign_in(&app.base_url, &w.uffe).await?;
            rep.goto(&queue_view).await?;
            rep.click_and_wait(Locator::Css(&format!(
                "form[action='/leads/{}/accept'] button",
                mette.id
            )))
            .await?;
            assert_eq!(rep.path().await?, format!("/leads/{}", mette.id));
            Ok(())
        })
        .await;

        let rows = wait_text(colleague, "#leads tbody tr", |t| {
            !t.contains("Mette Hansen")
        })
        .await?;
        assert!(
            rows.contains("Jonas Lindqvist") && rows.contains("Henrik Solberg"),
            "{rows}"
        );
        assert!(not_reloaded(colleague).await?, "the page was reloaded");
        // Nobody told Cleo who took it.
        assert!(colleague.texts(".live-notice").await?.is_empty());
        colleague
            .screenshots("live-02-queue-after-colleagues-claim")
            .await?;
        Ok(())
    })
    .await;
    app.close().await;
}
