#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The Leads tab as a browser without JavaScript uses it (spec flows 2, 4–7),
//! through HTTP on both stores with signed-in cookie clients: the list views
//! of each role with their Action column, search, filter, sorting and keyset
//! pages; Accept from a queue and from the inbox, and refusals that come back
//! to the list with the reason; Decline with a reason; the lead page with its
//! timeline and notes; Edit with inline errors, Save, and a conflict; New
//! lead; and Home's lead cards.

use openprm_domain::{
    ClaimRuleId, Locale, Role, Tier, Viewer,
    claim_rules::{ClaimRule, LimitKind, LimitSubject},
    leads::LeadInput,
};
use openprm_store::{
    leads::{Assignment, Lead},
    partners::Partner,
    queues::QueueFields,
};
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::Client;

openprm_testkit::test_on_both_stores!(
    each_role_gets_its_list_views_and_action_column,
    search_filter_sort_and_pages_keep_the_view_in_the_url,
    accept_from_a_queue_opens_the_lead_and_puts_it_in_recent_items,
    a_refused_accept_comes_back_to_the_list_with_the_reason,
    inbox_lead_is_declined_with_a_reason_or_accepted,
    edit_shows_inline_errors_keeps_input_then_saves,
    a_conflicting_save_shows_what_changed_and_keeps_the_input,
    notes_and_release_from_the_lead_page,
    new_lead_for_vendor_staff_and_partner_staff,
    home_lists_new_and_unclaimed_leads_with_accept_buttons,
    danish_users_get_a_danish_leads_tab,
);

// ---------------------------------------------------------------------------
// The world: Acme and Zenith with their people; the queue "Nordic Trade Show"
// has Acme as its member, "Web Enquiries" Zenith.

struct World {
    admin: TestUser,
    acme: Partner,
    acme_manager: TestUser,
    acme_user: TestUser,
    acme_colleague: TestUser,
    zenith_user: TestUser,
    nordic: String,
    web: String,
}

async fn world(app: &TestApp) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let cm = app.user("Carl Channel", Role::ChannelManager, None).await;
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(cm.id()))
        .await;
    let zenith = app
        .partner("Zenith Systems", Tier::Silver, Some(cm.id()))
        .await;
    let acme_manager = app
        .user("Mona Acme", Role::PartnerManager, Some(acme.id))
        .await;
    let acme_user = app
        .user("Uffe Acme", Role::PartnerUser, Some(acme.id))
        .await;
    let acme_colleague = app
        .user("Cleo Acme", Role::PartnerUser, Some(acme.id))
        .await;
    let zenith_user = app
        .user("Zoe Zenith", Role::PartnerUser, Some(zenith.id))
        .await;
    let queue = |name: &str, members| QueueFields {
        name: name.into(),
        stale_claim_days: None,
        members,
    };
    let nordic = app
        .store
        .create_queue(None, &queue("Nordic Trade Show", vec![acme.id]))
        .await
        .unwrap()
        .to_string();
    let web = app
        .store
        .create_queue(None, &queue("Web Enquiries", vec![zenith.id]))
        .await
        .unwrap()
        .to_string();
    World {
        admin,
        acme,
        acme_manager,
        acme_user,
        acme_colleague,
        zenith_user,
        nordic,
        web,
    }
}

/// A lead made by the admin and placed as `to` says.
async fn lead(app: &TestApp, w: &World, name: &str, company: &str, to: Assignment) -> Lead {
    let input = LeadInput {
        name: Some(name.into()),
        company: Some(company.into()),
        email: Some(format!(
            "{}@{}.example",
            name.to_lowercase().replace(' ', "."),
            company.to_lowercase().replace(' ', "")
        )),
        ..LeadInput::default()
    };
    let statuses = app.store.lead_statuses().await.unwrap();
    let fields = input.parse(None, &statuses).unwrap();
    app.store
        .create_lead(&w.admin.user.viewer(), &fields, to)
        .await
        .unwrap()
}

fn in_queue(id: &str) -> Assignment {
    Assignment::Queue(id.parse().unwrap())
}

async fn sign_in(app: &TestApp, user: &TestUser) -> Client {
    app.signed_in(&user.email, &user.password).await
}

async fn get(app: &TestApp, client: &Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert!(status < 500, "GET {path}: {status}\n{body}");
    (status, body)
}

/// Posts a form with the client's CSRF token; (status, Location, body).
async fn post(
    app: &TestApp,
    client: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let csrf = app.csrf(client, "/").await;
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("_csrf", &csrf));
    let response = client.post(app.url(path)).form(&form).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.text().await.unwrap();
    assert!(status < 500, "POST {path}: {status}\n{body}");
    (status, location, body)
}

/// Presses Accept on a lead from the page `from`.
async fn accept(app: &TestApp, client: &Client, id: &str, from: &str) -> (u16, String, String) {
    post(
        app,
        client,
        &format!("/leads/{id}/accept"),
        &[("from", from)],
    )
    .await
}

fn accept_button(id: &impl ToString) -> String {
    format!("action=\"/leads/{}/accept\"", id.to_string())
}

fn edit_link(id: &impl ToString) -> String {
    format!("href=\"/leads/{}/edit\"", id.to_string())
}

/// The rows of the leads table, as text with tags removed.
fn rows(html: &str) -> Vec<String> {
    let Some(start) = html.find("<tbody>") else {
        return Vec::new();
    };
    let end = html[start..].find("</tbody>").unwrap() + start;
    html[start..end]
        .split("<tr")
        .skip(1)
        .map(|row| strip_tags(&format!("<tr{row}")))
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of a hidden field.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The href of the link whose text is `label`.
fn link(html: &str, label: &str) -> Option<String> {
    let end = html.find(&format!(">{label}</a>"))?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    let len = html[start..].find('"')?;
    Some(html[start..start + len].replace("&#38;", "&"))
}

/// The notice above a page.
fn notice(html: &str) -> String {
    let start = html
        .find("id=\"notice\">")
        .unwrap_or_else(|| panic!("no notice in\n{html}"))
        + "id=\"notice\">".len();
    let end = html[start..].find("</p>").unwrap() + start;
    html[start..end].to_owned()
}

/// The Recent Items sidebar.
fn recent(html: &str) -> String {
    let start = html.find("recent-heading").unwrap();
    let end = html[start..].find("</section>").unwrap() + start;
    html[start..end].to_owned()
}

/// Every editable field of the edit form with the lead's values, then `changes`.
fn edit_fields(lead: &Lead, html: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut fields: Vec<(String, String)> = vec![
        ("name".into(), lead.name.clone()),
        ("company".into(), lead.company.clone()),
        ("title".into(), text(&lead.title)),
        ("email".into(), text(&lead.email)),
        ("phone".into(), text(&lead.phone)),
        ("country".into(), text(&lead.country)),
        ("postal_code".into(), text(&lead.postal_code)),
        ("source".into(), lead.source.as_str().into()),
        ("status".into(), lead.status.clone()),
        (
            "rating".into(),
            lead.rating
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
        ),
        ("product_interest".into(), text(&lead.product_interest)),
        ("description".into(), text(&lead.description)),
        ("version".into(), hidden(html, "version")),
        ("original".into(), hidden(html, "original")),
    ];
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

async fn save(
    app: &TestApp,
    client: &Client,
    id: &impl ToString,
    fields: &[(String, String)],
) -> (u16, String, String) {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    post(
        app,
        client,
        &format!("/leads/{}/edit", id.to_string()),
        &pairs,
    )
    .await
}

fn viewer(user: &TestUser) -> Viewer {
    user.user.viewer()
}

// ---------------------------------------------------------------------------

async fn each_role_gets_its_list_views_and_action_column(app: &TestApp) {
    let w = world(app).await;
    let queued = lead(app, &w, "Mette Hansen", "Nordlys", in_queue(&w.nordic)).await;
    let zenith_queued = lead(app, &w, "Ole Berg", "Fjeld", in_queue(&w.web)).await;
    let inbox = lead(app, &w, "Ida Holm", "Havn", Assignment::Partner(w.acme.id)).await;
    let unassigned = lead(app, &w, "Per Vang", "Vang", Assignment::Unassigned).await;

    // A partner user: My Leads first (empty), then Inbox, their queue, Recently Viewed.
    let uffe = sign_in(app, &w.acme_user).await;
    let (status, html) = get(app, &uffe, "/leads").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Leads</h1>"));
    assert!(html.contains("List view"), "{html}");
    for view in ["My Leads", "Inbox", "Nordic Trade Show", "Recently Viewed"] {
        assert!(html.contains(&format!(">{view}</option>")), "{view}");
    }
    for view in [
        "My Company&#39;s Leads",
        "All Leads",
        "Web Enquiries",
        "Unassigned",
    ] {
        assert!(!html.contains(&format!(">{view}</option>")), "{view}");
    }
    assert!(html.contains("You own no leads yet."), "{html}");

    let (_, html) = get(app, &uffe, &format!("/leads?view=queue:{}", w.nordic)).await;
    assert_eq!(rows(&html).len(), 1);
    assert!(rows(&html)[0].contains("Mette Hansen"));
    assert!(rows(&html)[0].contains("Open – Not Contacted"));
    assert!(html.contains(&accept_button(&queued.id)));
    assert!(!html.contains(&edit_link(&queued.id)));
    assert!(html.contains("Accept</button>"));

    let (_, html) = get(app, &uffe, "/leads?view=inbox").await;
    assert_eq!(rows(&html).len(), 1);
    assert!(html.contains(&accept_button(&inbox.id)));

    // Another company's queue and the vendor's views are not there for them.
    for path in [
        format!("/leads?view=queue:{}", w.web),
        "/leads?view=all".to_owned(),
        "/leads?view=unassigned".to_owned(),
        "/leads?view=company".to_owned(),
        format!("/leads/{}", zenith_queued.id),
    ] {
        assert_eq!(get(app, &uffe, &path).await.0, 404, "{path}");
    }
    assert_eq!(get(app, &uffe, "/leads?view=sideways").await.0, 422);

    // The partner manager has My Company's Leads too.
    let mona = sign_in(app, &w.acme_manager).await;
    let (_, html) = get(app, &mona, "/leads?view=company").await;
    assert!(html.contains("My Company&#39;s Leads</option>"));
    assert!(html.contains("Your company owns no leads yet."));

    // The admin: All Leads by default, Unassigned, Declined, per-queue and per-partner views; Edit, never Accept.
    let ada = sign_in(app, &w.admin).await;
    let (_, html) = get(app, &ada, "/leads").await;
    for view in [
        "All Leads",
        "Unassigned",
        "Declined",
        "Waiting in partner inboxes",
        "Nordic Trade Show",
        "Web Enquiries",
        "Acme Resellers",
        "Zenith Systems",
    ] {
        assert!(html.contains(&format!(">{view}</option>")), "{view}");
    }
    assert_eq!(rows(&html).len(), 4);
    assert!(!html.contains("/accept\""));
    for id in [&queued.id, &inbox.id, &unassigned.id, &zenith_queued.id] {
        assert!(html.contains(&edit_link(id)));
    }
    let (_, html) = get(app, &ada, "/leads?view=unassigned").await;
    assert_eq!(rows(&html).len(), 1);
    assert!(rows(&html)[0].contains("Per Vang"));
    let (_, html) = get(app, &ada, &format!("/leads?view=partner:{}", w.acme.id)).await;
    assert_eq!(rows(&html).len(), 1);
    assert!(rows(&html)[0].contains("Ida Holm"));
    let (_, html) = get(app, &ada, "/leads?view=declined").await;
    assert!(html.contains("No declined leads."));
}

async fn search_filter_sort_and_pages_keep_the_view_in_the_url(app: &TestApp) {
    let w = world(app).await;
    for i in 0..30 {
        lead(
            app,
            &w,
            &format!("Lead {i:02}"),
            &format!("Company {}", 29 - i),
            in_queue(&w.nordic),
        )
        .await;
        app.clock.advance(time::Duration::seconds(1));
    }
    lead(app, &w, "Blåbær Jensen", "Skov ApS", in_queue(&w.nordic)).await;
    let uffe = sign_in(app, &w.acme_user).await;
    let view = format!("queue%3A{}", w.nordic);

    // First page: 25 rows, newest first, a Next page link keeping the view.
    let (_, html) = get(app, &uffe, &format!("/leads?view={view}")).await;
    let first = rows(&html);
    assert_eq!(first.len(), 25);
    assert!(first[0].contains("Blåbær Jensen"));
    assert!(first[1].contains("Lead 29"));
    assert!(link(&html, "First page").is_none());
    let next = link(&html, "Next page").expect("a next page link");
    assert!(next.starts_with(&format!("/leads?view={view}&")), "{next}");
    assert!(next.contains("cursor="));
    let (_, html) = get(app, &uffe, &next).await;
    let second = rows(&html);
    assert_eq!(second.len(), 6);
    assert!(second[5].contains("Lead 00"));
    assert!(link(&html, "Next page").is_none());
    assert_eq!(
        link(&html, "First page").as_deref(),
        Some(format!("/leads?view={view}").as_str())
    );

    // Search: over name, company and e-mail, the view kept in every link.
    let (_, html) = get(
        app,
        &uffe,
        &format!("/leads?view={view}&q=bl%C3%A5b%C3%A6r"),
    )
    .await;
    assert_eq!(rows(&html).len(), 1);
    assert!(html.contains("value=\"blåbær\""));
    let by_name = link(&html, "Name").unwrap();
    assert_eq!(
        by_name,
        format!("/leads?view={view}&q=bl%C3%A5b%C3%A6r&sort=name")
    );
    let (_, html) = get(app, &uffe, &format!("/leads?view={view}&q=skov")).await;
    assert_eq!(rows(&html).len(), 1);
    let (_, html) = get(app, &uffe, &format!("/leads?view={view}&q=nobody")).await;
    assert!(html.contains("No leads in this view match your search or status."));
    assert!(html.contains("Clear search and filter"));

    // Sorted by company, ascending: Company 0 (Lead 29) first.
    let (_, html) = get(app, &uffe, &format!("/leads?view={view}&sort=company")).await;
    assert!(
        rows(&html)[0].contains("Company 0 "),
        "{:?}",
        rows(&html)[0]
    );
    assert!(html.contains("aria-sort=\"ascending\""));
    let next = link(&html, "Next page").unwrap();
    assert!(next.contains("sort=company"));

    // Status filter.
    let statuses = app.store.lead_statuses().await.unwrap();
    let some = app
        .store
        .list_leads(
            &viewer(&w.admin),
            openprm_store::leads::list::LeadView::All,
            &openprm_store::leads::list::LeadQuery {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .leads
        .remove(0);
    let fields = LeadInput {
        status: Some("qualified".into()),
        ..LeadInput::default()
    }
    .parse(Some(&some.fields()), &statuses)
    .unwrap();
    app.store
        .update_lead(&viewer(&w.admin), some.id, some.version, &fields)
        .await
        .unwrap();
    let (_, html) = get(app, &uffe, &format!("/leads?view={view}&status=qualified")).await;
    assert_eq!(rows(&html).len(), 1);
    assert!(rows(&html)[0].contains("Qualified"));
    assert!(html.contains("<option value=\"qualified\" selected>"));

    // A mangled page link: the first page, with a notice.
    let (status, html) = get(app, &uffe, &format!("/leads?view={view}&cursor=garbage")).await;
    assert_eq!(status, 200);
    assert_eq!(
        notice(&html),
        "This page link is no longer valid; start from the first page."
    );
    assert_eq!(rows(&html).len(), 25);
}

async fn accept_from_a_queue_opens_the_lead_and_puts_it_in_recent_items(app: &TestApp) {
    let w = world(app).await;
    let queued = lead(app, &w, "Mette Hansen", "Nordlys", in_queue(&w.nordic)).await;
    let uffe = sign_in(app, &w.acme_user).await;
    let from = format!("/leads?view=queue%3A{}", w.nordic);
    let (status, location, _) = accept(app, &uffe, &queued.id.to_string(), &from).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/leads/{}", queued.id));

    let (status, html) = get(app, &uffe, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Mette Hansen</h1>"));
    assert!(html.contains("Owned by a partner"));
    assert!(html.contains("Uffe Acme"));
    assert!(html.contains("Accepted the lead from the queue"));
    assert!(recent(&html).contains(&format!("href=\"/leads/{}\"", queued.id)));
    assert!(recent(&html).contains("Mette Hansen · Nordlys"));
    assert!(html.contains(&edit_link(&queued.id)));
    assert!(html.contains("Release to queue"));

    // It is on My Leads with an Edit link, and gone from the queue.
    let (_, html) = get(app, &uffe, "/leads").await;
    assert_eq!(rows(&html).len(), 1);
    assert!(html.contains(&edit_link(&queued.id)));
    let (_, html) = get(app, &uffe, &from).await;
    assert!(rows(&html).is_empty());
    assert!(html.contains("No unclaimed leads in this queue right now."));

    // Opening the lead again keeps one entry in Recent Items.
    let (_, html) = get(app, &uffe, &format!("/leads/{}", queued.id)).await;
    assert_eq!(recent(&html).matches("Mette Hansen").count(), 1);
}

async fn a_refused_accept_comes_back_to_the_list_with_the_reason(app: &TestApp) {
    let w = world(app).await;
    let first = lead(app, &w, "Mette Hansen", "Nordlys", in_queue(&w.nordic)).await;
    let second = lead(app, &w, "Jonas Dahl", "Dahl ApS", in_queue(&w.nordic)).await;
    let from = format!("/leads?view=queue%3A{}&q=a", w.nordic);
    let uffe = sign_in(app, &w.acme_user).await;
    let cleo = sign_in(app, &w.acme_colleague).await;
    // Both see the lead; Uffe is quicker.
    let (_, html) = get(app, &cleo, &from).await;
    assert!(html.contains(&accept_button(&first.id)));
    assert_eq!(
        accept(app, &uffe, &first.id.to_string(), &from).await.0,
        303
    );
    let (status, location, html) = accept(app, &cleo, &first.id.to_string(), &from).await;
    assert_eq!((status, location.as_str()), (409, ""));
    assert_eq!(notice(&html), "Someone else has already taken this lead.");
    // Back on the list she came from, with its search kept, the lead gone.
    assert!(html.contains("List view"), "{html}");
    assert!(html.contains("name=\"q\" type=\"search\" value=\"a\""));
    assert_eq!(rows(&html).len(), 1);
    assert!(rows(&html)[0].contains("Jonas Dahl"));

    // A claim limit names the rule and what frees it.
    let rule = ClaimRule {
        id: ClaimRuleId::new(),
        name: "One at a time".into(),
        kind: LimitKind::OpenAtOnce,
        subject: LimitSubject::User,
        queue_id: None,
        max: 1,
        overrides: Vec::new(),
    };
    app.store.save_claim_rules(None, &[rule]).await.unwrap();
    let (status, _, html) = accept(app, &uffe, &second.id.to_string(), &from).await;
    assert_eq!(status, 409);
    assert_eq!(
        notice(&html),
        "You have reached the limit “One at a time”: 1 open leads per user. Release, convert or close a lead to claim another."
    );
    assert!(html.contains(&accept_button(&second.id)));

    // In Danish, from Home: Home again, the message in Danish.
    app.store
        .set_locale(w.acme_user.id(), Locale::Danish)
        .await
        .unwrap();
    let (status, _, html) = accept(app, &uffe, &second.id.to_string(), "/").await;
    assert_eq!(status, 409);
    assert!(html.contains("Velkommen, Uffe Acme"));
    assert!(
        notice(&html)
            .starts_with("Du har nået grænsen “One at a time”: 1 åbne kundeemner pr. bruger."),
        "{}",
        notice(&html)
    );

    // A lead that does not exist, or was never theirs to see, is not found.
    let zenith_lead = lead(app, &w, "Ole Berg", "Fjeld", in_queue(&w.web)).await;
    let zoe = sign_in(app, &w.zenith_user).await;
    assert_eq!(
        accept(app, &zoe, &first.id.to_string(), "/").await.0,
        404,
        "another company's claimed lead"
    );
    assert_eq!(
        accept(app, &uffe, &zenith_lead.id.to_string(), "/").await.0,
        404
    );
    assert_eq!(
        accept(app, &uffe, "00000000-0000-0000-0000-000000000000", "/")
            .await
            .0,
        404
    );
}

async fn inbox_lead_is_declined_with_a_reason_or_accepted(app: &TestApp) {
    let w = world(app).await;
    let routed = lead(app, &w, "Ida Holm", "Havn", Assignment::Partner(w.acme.id)).await;
    let direct = lead(
        app,
        &w,
        "Karl Ravn",
        "Ravn",
        Assignment::User(w.acme_user.id()),
    )
    .await;
    let uffe = sign_in(app, &w.acme_user).await;

    // The lead page offers Accept and Decline, not Edit.
    let (_, html) = get(app, &uffe, &format!("/leads/{}", routed.id)).await;
    assert!(html.contains("Waiting for Accept or Decline"));
    assert!(html.contains(&accept_button(&routed.id)));
    assert!(html.contains("Decline this lead"));
    assert!(!html.contains(&edit_link(&routed.id)));

    // Declining needs a reason: shown inline, the note kept.
    let path = format!("/leads/{}/decline", routed.id);
    let (status, _, html) = post(
        app,
        &uffe,
        &path,
        &[("reason", ""), ("note", "Jutland is not ours")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose a reason.</p>"));
    assert!(html.contains("value=\"Jutland is not ours\""));
    let (status, location, _) = post(
        app,
        &uffe,
        &path,
        &[
            ("reason", "not_my_territory"),
            ("note", "Jutland is not ours"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, "/leads?view=inbox&done=declined");
    let (_, html) = get(app, &uffe, &location).await;
    assert_eq!(
        notice(&html),
        "The lead was declined and went back to the channel team."
    );
    assert_eq!(rows(&html).len(), 1);
    assert!(rows(&html)[0].contains("Karl Ravn"));

    // The vendor sees it among the declined, with the reason in the timeline.
    let ada = sign_in(app, &w.admin).await;
    let (_, html) = get(app, &ada, "/leads?view=declined").await;
    assert_eq!(rows(&html).len(), 1);
    assert!(rows(&html)[0].contains("Ida Holm"));
    let (_, html) = get(app, &ada, &format!("/leads/{}", routed.id)).await;
    assert!(html.contains("Declined the lead: Not my territory"));
    assert!(html.contains("Jutland is not ours"));
    assert!(html.contains("Uffe Acme"));

    // Accepting the other one makes it theirs.
    let (status, location, _) =
        accept(app, &uffe, &direct.id.to_string(), "/leads?view=inbox").await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/leads/{}", direct.id));
    let (_, html) = get(app, &uffe, &location).await;
    assert!(html.contains("Accepted the lead"));
    assert!(html.contains(&edit_link(&direct.id)));
    let (_, html) = get(app, &uffe, "/leads?view=inbox").await;
    assert!(html.contains("Nothing waiting."));
    let (_, html) = get(app, &uffe, "/leads").await;
    assert!(rows(&html)[0].contains("Karl Ravn"));
}

async fn edit_shows_inline_errors_keeps_input_then_saves(app: &TestApp) {
    let w = world(app).await;
    let queued = lead(app, &w, "Mette Hansen", "Nordlys", in_queue(&w.nordic)).await;
    let uffe = sign_in(app, &w.acme_user).await;

    // Not editable while in the queue: Accept first.
    assert_eq!(
        get(app, &uffe, &format!("/leads/{}/edit", queued.id))
            .await
            .0,
        403
    );
    let claimed = app
        .store
        .claim_lead(&viewer(&w.acme_user), queued.id)
        .await
        .unwrap();

    let (status, html) = get(app, &uffe, &format!("/leads/{}/edit", queued.id)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Edit Mette Hansen"));
    assert_eq!(hidden(&html, "version"), claimed.version.to_string());
    assert!(
        html.contains(
            "<option value=\"open_not_contacted\" selected>Open – Not Contacted</option>"
        )
    );
    assert!(
        !html.contains("value=\"converted\""),
        "converted is not offered"
    );

    let bad = edit_fields(
        &claimed,
        &html,
        &[
            ("name", ""),
            ("email", "not-an-address"),
            ("country", "Denmark"),
            ("title", "Head of IT"),
        ],
    );
    let (status, _, html) = save(app, &uffe, &queued.id, &bad).await;
    assert_eq!(status, 422);
    assert!(html.contains("Some fields need attention."));
    assert!(html.contains("Required.</p>"));
    assert!(html.contains("Not a valid e-mail address.</p>"));
    assert!(html.contains("Use a two-letter country code such as DK.</p>"));
    assert!(html.contains("value=\"not-an-address\""));
    assert!(html.contains("value=\"Denmark\""));
    assert!(html.contains("value=\"Head of IT\""));
    assert_eq!(html.matches("aria-invalid=\"true\"").count(), 3);
    let unchanged = app.store.lead(&viewer(&w.admin), queued.id).await.unwrap();
    assert_eq!(unchanged.version, claimed.version);

    let good = edit_fields(
        &claimed,
        &html,
        &[
            ("status", "working_contacted"),
            ("title", "Head of IT"),
            ("country", "dk"),
            ("rating", "hot"),
        ],
    );
    let (status, location, _) = save(app, &uffe, &queued.id, &good).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/leads/{}", queued.id));
    let (_, html) = get(app, &uffe, &location).await;
    assert!(html.contains("id=\"lead-status\">Working – Contacted</span>"));
    assert!(html.contains("Changed status"));
    assert!(html.contains("<span class=\"old\">Open – Not Contacted</span>"));
    assert!(html.contains("<span class=\"new\">Working – Contacted</span>"));
    assert!(html.contains("<span class=\"new\">Hot</span>"));
    assert!(html.contains("<span class=\"new\">DK</span>"));
    // One Save's changes read in the order of the form, above the claim.
    let title_at = html.find("Changed title").unwrap();
    let status_at = html.find("Changed status").unwrap();
    let rating_at = html.find("Changed rating").unwrap();
    let claim_at = html.find("Accepted the lead from the queue").unwrap();
    assert!(title_at < status_at && status_at < rating_at && rating_at < claim_at);

    // A partner manager of the company edits it too; another company cannot see it.
    let mona = sign_in(app, &w.acme_manager).await;
    assert_eq!(
        get(app, &mona, &format!("/leads/{}/edit", queued.id))
            .await
            .0,
        200
    );
    let zoe = sign_in(app, &w.zenith_user).await;
    assert_eq!(
        get(app, &zoe, &format!("/leads/{}/edit", queued.id))
            .await
            .0,
        404
    );
}

async fn a_conflicting_save_shows_what_changed_and_keeps_the_input(app: &TestApp) {
    let w = world(app).await;
    let queued = lead(app, &w, "Mette Hansen", "Nordlys", in_queue(&w.nordic)).await;
    let claimed = app
        .store
        .claim_lead(&viewer(&w.acme_user), queued.id)
        .await
        .unwrap();
    let uffe = sign_in(app, &w.acme_user).await;
    let mona = sign_in(app, &w.acme_manager).await;
    let edit = format!("/leads/{}/edit", queued.id);
    let (_, uffe_form) = get(app, &uffe, &edit).await;
    let (_, mona_form) = get(app, &mona, &edit).await;

    // Mona saves first.
    let hers = edit_fields(
        &claimed,
        &mona_form,
        &[("status", "qualified"), ("phone", "+45 70 10 20 30")],
    );
    assert_eq!(save(app, &mona, &queued.id, &hers).await.0, 303);

    // Uffe's save is refused: what Mona changed, his input kept.
    let his = edit_fields(&claimed, &uffe_form, &[("title", "CTO")]);
    let (status, _, html) = save(app, &uffe, &queued.id, &his).await;
    assert_eq!(status, 409);
    assert!(html.contains("Someone else saved this lead while you were editing."));
    let conflict = strip_tags(&html[html.find("id=\"conflict\"").unwrap()..]);
    assert!(
        conflict.contains("Status: Qualified (Mona Acme)"),
        "{conflict}"
    );
    assert!(
        conflict.contains("Phone: +45 70 10 20 30 (Mona Acme)"),
        "{conflict}"
    );
    assert!(!conflict.contains("Title:"), "{conflict}");
    assert!(html.contains("value=\"CTO\""));
    let now = app.store.lead(&viewer(&w.admin), queued.id).await.unwrap();
    assert_eq!(hidden(&html, "version"), now.version.to_string());
    assert_eq!(now.title, None, "nothing of Uffe's was saved");

    // Saving again, on purpose, goes through.
    let again = edit_fields(
        &claimed,
        &html,
        &[("title", "CTO"), ("status", "qualified")],
    );
    let (status, location, _) = save(app, &uffe, &queued.id, &again).await;
    assert_eq!(status, 303);
    let (_, html) = get(app, &uffe, &location).await;
    assert!(html.contains("id=\"lead-status\">Qualified</span>"));
    assert!(html.contains("<span class=\"new\">CTO</span>"));
    let after = app.store.lead(&viewer(&w.admin), queued.id).await.unwrap();
    assert_eq!(after.title.as_deref(), Some("CTO"));
    // Uffe saved his version knowingly: the phone Mona set is gone, as the notice showed.
    assert_eq!(after.phone, None);
}

async fn notes_and_release_from_the_lead_page(app: &TestApp) {
    let w = world(app).await;
    let queued = lead(app, &w, "Mette Hansen", "Nordlys", in_queue(&w.nordic)).await;
    app.store
        .claim_lead(&viewer(&w.acme_user), queued.id)
        .await
        .unwrap();
    let uffe = sign_in(app, &w.acme_user).await;
    let notes = format!("/leads/{}/notes", queued.id);

    let (status, _, html) = post(app, &uffe, &notes, &[("text", "   ")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Required.</p>"));
    let (status, location, _) = post(
        app,
        &uffe,
        &notes,
        &[("text", "Called her.\nWants a demo <on Tuesday>.")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/leads/{}#timeline", queued.id));
    let (_, html) = get(app, &uffe, &format!("/leads/{}", queued.id)).await;
    assert!(html.contains("Added a note"));
    assert!(html.contains("Called her.\nWants a demo &#60;on Tuesday&#62;."));
    // Newest first: the note above the claim, the claim above the creation.
    let note_at = html.find("Added a note").unwrap();
    let claim_at = html.find("Accepted the lead from the queue").unwrap();
    let created_at = html.find("Created the lead").unwrap();
    assert!(note_at < claim_at && claim_at < created_at);

    // Release: back to the queue, and to My Leads with a notice.
    let (status, location, _) =
        post(app, &uffe, &format!("/leads/{}/release", queued.id), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(location, "/leads?done=released");
    let (_, html) = get(app, &uffe, &location).await;
    assert_eq!(notice(&html), "The lead went back to its queue.");
    assert!(rows(&html).is_empty());
    let (_, html) = get(app, &uffe, &format!("/leads?view=queue:{}", w.nordic)).await;
    assert!(html.contains(&accept_button(&queued.id)));
    // Releasing again is refused with a notice on the lead page.
    let (status, _, html) = post(app, &uffe, &format!("/leads/{}/release", queued.id), &[]).await;
    assert_eq!(status, 409);
    assert_eq!(notice(&html), "This lead was not claimed from a queue.");
}

async fn new_lead_for_vendor_staff_and_partner_staff(app: &TestApp) {
    let w = world(app).await;
    let ada = sign_in(app, &w.admin).await;
    let (status, html) = get(app, &ada, "/leads/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("Send the lead to"));
    assert!(html.contains(&format!("value=\"queue:{}\"", w.nordic)));
    assert!(html.contains(&format!("value=\"partner:{}\"", w.acme.id)));

    let (status, _, html) = post(
        app,
        &ada,
        "/leads",
        &[
            ("name", "Søren Østergård"),
            ("company", ""),
            ("email", "soren@"),
            ("destination", &format!("queue:{}", w.nordic)),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"Søren Østergård\""));
    assert!(html.contains("Required.</p>"));
    assert!(html.contains("Not a valid e-mail address.</p>"));
    assert!(html.contains(&format!("value=\"queue:{}\" selected", w.nordic)));
    let (status, _, html) = post(
        app,
        &ada,
        "/leads",
        &[
            ("name", "Søren"),
            ("company", "Blåbær"),
            ("destination", "queue:00000000-0000-0000-0000-000000000000"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Unknown queue.</p>"));

    let (status, location, _) = post(
        app,
        &ada,
        "/leads",
        &[
            ("name", "Søren Østergård"),
            ("company", "Blåbær ApS"),
            ("source", "trade_show"),
            ("destination", &format!("queue:{}", w.nordic)),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/leads/"));
    let (_, html) = get(app, &ada, &location).await;
    assert!(html.contains("Waiting in a queue"));
    assert!(html.contains("Trade show"));
    let uffe = sign_in(app, &w.acme_user).await;
    let (_, html) = get(app, &uffe, &format!("/leads?view=queue:{}", w.nordic)).await;
    assert!(rows(&html)[0].contains("Søren Østergård"));

    // A partner user's new lead is their own; no destination to choose.
    let (_, html) = get(app, &uffe, "/leads/new").await;
    assert!(!html.contains("Send the lead to"));
    let (status, location, _) = post(
        app,
        &uffe,
        "/leads",
        &[
            ("name", "Hanne Lund"),
            ("company", "Lund & Co"),
            ("destination", "partner:whatever"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get(app, &uffe, &location).await;
    assert!(html.contains("Lund &#38; Co"));
    assert!(html.contains("Owned by a partner"));
    let (_, html) = get(app, &uffe, "/leads").await;
    assert!(rows(&html)[0].contains("Hanne Lund"));
    assert!(html.contains("/edit\""));
}

async fn home_lists_new_and_unclaimed_leads_with_accept_buttons(app: &TestApp) {
    let w = world(app).await;
    let uffe = sign_in(app, &w.acme_user).await;
    let (_, html) = get(app, &uffe, "/").await;
    assert!(html.contains("No new leads."));
    assert!(html.contains("No unclaimed leads in your queues right now."));

    for i in 0..7 {
        lead(
            app,
            &w,
            &format!("Queue Lead {i}"),
            "Nordlys",
            in_queue(&w.nordic),
        )
        .await;
        app.clock.advance(time::Duration::seconds(1));
    }
    let inbox = lead(app, &w, "Ida Holm", "Havn", Assignment::Partner(w.acme.id)).await;
    lead(app, &w, "Ole Berg", "Fjeld", in_queue(&w.web)).await;
    let (_, html) = get(app, &uffe, "/").await;
    let inbox_card =
        &html[html.find("id=\"home-inbox\"").unwrap()..html.find("id=\"home-queues\"").unwrap()];
    assert!(inbox_card.contains("Ida Holm"));
    assert!(inbox_card.contains(&accept_button(&inbox.id)));
    let queue_card = &html[html.find("id=\"home-queues\"").unwrap()..];
    let queue_card = &queue_card[..queue_card.find("</section>").unwrap()];
    assert_eq!(queue_card.matches("/accept\"").count(), 5);
    assert!(queue_card.contains("Queue Lead 6"));
    assert!(!queue_card.contains("Queue Lead 1"));
    assert!(!queue_card.contains("Ole Berg"), "not their queue");
    assert!(queue_card.contains("Nordic Trade Show</a> <span class=\"muted\">(7)</span>"));

    // Accept on Home opens the lead.
    let (status, location, _) = accept(app, &uffe, &inbox.id.to_string(), "/").await;
    assert_eq!((status, location), (303, format!("/leads/{}", inbox.id)));
    let (_, html) = get(app, &uffe, "/").await;
    assert!(html.contains("No new leads."));

    // Vendor staff keep their partners on Home.
    let ada = sign_in(app, &w.admin).await;
    let (_, html) = get(app, &ada, "/").await;
    assert!(html.contains("Your partners"));
    assert!(!html.contains("id=\"home-inbox\""));
}

async fn danish_users_get_a_danish_leads_tab(app: &TestApp) {
    let w = world(app).await;
    let queued = lead(app, &w, "Mette Hansen", "Nordlys", in_queue(&w.nordic)).await;
    app.store
        .set_locale(w.acme_user.id(), Locale::Danish)
        .await
        .unwrap();
    let uffe = sign_in(app, &w.acme_user).await;
    let (_, html) = get(app, &uffe, &format!("/leads?view=queue:{}", w.nordic)).await;
    assert!(html.contains("<h1>Kundeemner</h1>"));
    assert!(html.contains("Listevisning"));
    assert!(html.contains(">Mine kundeemner</option>"));
    assert!(html.contains(">Senest viste</option>"));
    assert!(html.contains("Accepter</button>"));
    assert!(rows(&html)[0].contains("Åben – ikke kontaktet"));
    accept(app, &uffe, &queued.id.to_string(), "/").await;
    let (_, html) = get(app, &uffe, &format!("/leads/{}", queued.id)).await;
    assert!(html.contains(">Rediger</a>"));
    assert!(html.contains("Accepterede kundeemnet fra køen"));
    assert!(html.contains("Seneste elementer"));
    let (_, html) = get(app, &uffe, &format!("/leads/{}/edit", queued.id)).await;
    assert!(html.contains("id=\"save-lead\">Gem</button>"));
    assert!(html.contains("Rediger Mette Hansen"));
    let (_, html) = get(app, &uffe, "/leads?view=inbox").await;
    assert!(html.contains("Intet venter."));
}
