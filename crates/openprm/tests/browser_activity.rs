#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Deal activity and intake in a real browser (spec flows 11 and 12): a rep
//! asks for help on a lead; the channel manager finds it on Home's Recent
//! activity card and in the activity feed, answers on the lead page, and
//! imports a trade-show list that the assignment rules route, with its
//! report.
//!
//! Screenshots of each page are saved under `target/screenshots/` at
//! desktop and phone size: these pages are judged by how they look.

use fantoccini::Locator;
use openprm_domain::{
    AssignmentRuleId, Role, Tier,
    assignment_rules::{AssignmentRule, AssignmentRules, Condition, Target},
    leads::LeadInput,
};
use openprm_store::{Backend, leads::Assignment, queues::QueueFields};
use openprm_testkit::app::TestApp;
use openprm_testkit::browser::{Browser, run_browser_test};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_help_on_a_lead_reaches_the_feed_and_an_import_is_routed() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let sofie = app.user("Sofie Lind", Role::ChannelManager, None).await;
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(sofie.id()))
        .await;
    let bolt = app
        .partner("Bolt Integrators", Tier::Silver, Some(sofie.id()))
        .await;
    let uffe = app
        .user("Uffe Andersen", Role::PartnerUser, Some(acme.id))
        .await;
    app.user("Bo Berg", Role::PartnerManager, Some(bolt.id))
        .await;
    let statuses = app.store.lead_statuses().await.unwrap();
    let fields = LeadInput {
        name: Some("Mette Hansen".into()),
        company: Some("Nordlys Energi A/S".into()),
        source: Some("trade_show".into()),
        ..LeadInput::default()
    }
    .parse(None, &statuses)
    .unwrap();
    let lead = app
        .store
        .create_lead(&admin.user.viewer(), &fields, Assignment::User(uffe.id()))
        .await
        .unwrap();
    let shows = app
        .store
        .create_queue(
            None,
            &QueueFields {
                name: "Nordic Trade Show".into(),
                stale_claim_days: None,
                members: vec![acme.id, bolt.id],
            },
        )
        .await
        .unwrap();
    let version = app.store.router().await.unwrap().config.version;
    app.store
        .save_assignment_rules(
            None,
            AssignmentRules {
                version,
                default_queue_id: Some(shows),
                rules: vec![AssignmentRule {
                    id: AssignmentRuleId::new(),
                    name: "Norway to Bolt".into(),
                    conditions: vec![Condition::Country {
                        countries: vec!["NO".into()],
                    }],
                    target: Target::Partner {
                        partner_id: bolt.id,
                    },
                    response_hours: Some(24),
                }],
            },
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("messe.csv");
    std::fs::write(
        &list,
        "Name;Company;Country;E-mail\r\n\
         Ole Nordmann;Fjord AS;NO;ole@fjord.no\r\n\
         Kari Nordmann;Fjell AS;NO;kari@fjell.no\r\n\
         Søren Ærø;Blåbær ApS;DK;soren@blaabaer.dk\r\n\
         Karl Kaffe;Kaffekompagniet;DK;ikke-en-adresse\r\n",
    )
    .unwrap();
    let lead_page = format!("/leads/{}", lead.id);

    run_browser_test("activity-help", None, async |rep: &Browser| {
        rep.sign_in(&app.base_url, &uffe).await?;
        rep.goto(&app.url(&lead_page)).await?;
        rep.fill(
            Locator::Id("help-message"),
            "They want a reference customer in energy. Can you join Friday's call?",
        )
        .await?;
        rep.click_and_wait(Locator::Id("ask-help")).await?;
        // The card says at once that the request went out.
        let request = rep.text("#help-request").await?;
        assert!(
            request.contains("reference customer") && request.contains("waiting for an answer"),
            "{request}"
        );
        rep.screenshots("activity-01-help-asked").await?;
        Ok(())
    })
    .await;

    run_browser_test("activity-cm", None, async |cm: &Browser| {
        cm.sign_in(&app.base_url, &sofie).await?;
        let card = cm.text("#home-activity").await?;
        assert!(
            card.contains("Mette Hansen") && card.contains("reference customer"),
            "{card}"
        );
        cm.screenshots("activity-02-home-recent-activity").await?;

        cm.goto(&app.url("/activity")).await?;
        let feed = cm.text("#activity-feed").await?;
        assert!(feed.contains("Uffe Andersen"), "{feed}");
        cm.screenshots("activity-03-feed").await?;

        cm.goto(&app.url(&lead_page)).await?;
        cm.fill(
            Locator::Id("help-answer"),
            "Yes, I'll join. Use the Vestkraft case study.",
        )
        .await?;
        cm.click_and_wait(Locator::Id("send-answer")).await?;
        let request = cm.text("#help-request").await?;
        assert!(request.contains("Answered by Sofie Lind"), "{request}");
        let page = cm.page_text().await?;
        assert!(page.contains("Vestkraft case study"), "{page}");
        cm.screenshots("activity-04-help-answered").await?;

        cm.goto(&app.url("/leads/import")).await?;
        let chosen = cm
            .find(Locator::Css("#import-destination option:checked"))
            .await?
            .attr("value")
            .await?;
        assert_eq!(
            chosen.as_deref(),
            Some("auto"),
            "the rules route by default"
        );
        cm.screenshots("activity-05-import-form").await?;
        cm.find(Locator::Id("import-file"))
            .await?
            .send_keys(list.to_str().unwrap())
            .await?;
        // The page sends the file itself, to show its progress, and puts the
        // report in place without leaving the page.
        cm.find(Locator::Css("#import-form button[type=submit]"))
            .await?
            .click()
            .await?;
        let mut imported = String::new();
        for _ in 0..100 {
            imported = cm.texts("#import-imported").await?.join(" ");
            if !imported.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(imported.contains('3'), "{imported}");
        let problems = cm.text("#import-problems").await?;
        assert!(problems.contains("E-mail"), "{problems}");
        cm.screenshots("activity-06-import-report").await?;
        Ok(())
    })
    .await;

    // The rules routed the list: the Norwegians to Bolt, the Dane to the queue.
    let viewer = admin.user.viewer();
    let page = app
        .store
        .list_leads(
            &viewer,
            openprm_store::leads::list::LeadView::Partner(bolt.id),
            &openprm_store::leads::list::LeadQuery {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let names: Vec<&str> = page.leads.iter().map(|l| l.name.as_str()).collect();
    assert!(
        names.contains(&"Ole Nordmann") && names.contains(&"Kari Nordmann"),
        "{names:?}"
    );
    app.close().await;
}
