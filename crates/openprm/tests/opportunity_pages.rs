//! The Opportunities tab as a browser without JavaScript uses it (spec flow
//! 9), through HTTP on both stores with signed-in cookie clients: each role's
//! list views, Edit from a list and Save back to exactly that list, inline
//! errors with the input kept, the conflict screen, New, the opportunity page
//! with its timeline and notes, Danish, Home's cards, the admin's stage page,
//! and CSRF.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use openprm_domain::{Locale, Role, Tier};
use openprm_store::partners::Partner;
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::Client;
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    each_role_gets_its_views_and_edit_links,
    edit_from_a_list_saves_back_to_exactly_that_list,
    edit_shows_inline_errors_keeps_input_and_writes_nothing,
    a_conflicting_save_shows_what_changed_and_keeps_the_input,
    return_to_never_leaves_the_opportunities_tab,
    new_opportunity_and_its_page_with_timeline_and_notes,
    danish_users_get_danish_labels_and_amounts,
    home_shows_the_open_pipeline_and_deals_closing_this_month,
    the_admin_edits_the_stages_on_a_page,
    forms_need_the_csrf_token,
);

// ---------------------------------------------------------------------------
// The world.

struct World {
    admin: TestUser,
    acme: Partner,
    acme_manager: TestUser,
    acme_user: TestUser,
    zenith_user: TestUser,
    /// acme_user's account, and their token.
    account: String,
    token: String,
}

async fn api(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
    version: Option<&str>,
) -> Value {
    let mut request = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&body);
    if let Some(v) = version {
        request = request.header("If-Match", v);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let json: Value = response.json().await.unwrap();
    assert!(status < 300, "{path}: {status}: {json}");
    json
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
    let zenith_user = app
        .user("Zoe Zenith", Role::PartnerUser, Some(zenith.id))
        .await;
    let token = app.token(&acme_user).await;
    let account = api(
        app,
        &token,
        reqwest::Method::POST,
        "/api/v1/accounts",
        json!({"name": "Nordlys A/S"}),
        None,
    )
    .await;
    World {
        admin,
        acme,
        acme_manager,
        acme_user,
        zenith_user,
        account: account["id"].as_str().unwrap().to_owned(),
        token,
    }
}

/// An opportunity of acme_user's, through the API.
async fn deal(app: &TestApp, w: &World, name: &str, extra: Value) -> Value {
    let today = app.clock.now_date();
    let mut body = json!({"name": name, "account_id": w.account, "close_date": format!("{:04}-{:02}-20", today.0, today.1)});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    api(
        app,
        &w.token,
        reqwest::Method::POST,
        "/api/v1/opportunities",
        body,
        None,
    )
    .await
}

trait Today {
    fn now_date(&self) -> (i32, u8);
}

impl Today for openprm_domain::ManualClock {
    fn now_date(&self) -> (i32, u8) {
        use openprm_domain::Clock;
        let d = self.now().date();
        (d.year(), u8::from(d.month()))
    }
}

// ---------------------------------------------------------------------------
// HTTP and HTML.

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
    fields: &[(String, String)],
) -> (u16, String, String) {
    let csrf = app.csrf(client, "/").await;
    let mut form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
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

fn unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The value of an input named `name`.
fn input(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"));
    let tag_end = html[start..].find('>').unwrap() + start;
    let tag = &html[start..tag_end];
    let value_start = tag
        .find("value=\"")
        .unwrap_or_else(|| panic!("{name} has no value"))
        + "value=\"".len();
    let value_end = tag[value_start..].find('"').unwrap() + value_start;
    unescape(&tag[value_start..value_end])
}

/// The selected option of a select.
fn selected(html: &str, name: &str) -> String {
    let start = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no select {name}"));
    let end = html[start..].find("</select>").unwrap() + start;
    let part = &html[start..end];
    let at = part
        .find(" selected>")
        .unwrap_or_else(|| panic!("nothing selected in {name}"));
    let value_start = part[..at].rfind("value=\"").unwrap() + "value=\"".len();
    let value_end = part[value_start..].find('"').unwrap() + value_start;
    unescape(&part[value_start..value_end])
}

fn textarea(html: &str, name: &str) -> String {
    let start = html.find(&format!("name=\"{name}\"")).unwrap();
    let open = html[start..].find('>').unwrap() + start + 1;
    let close = html[open..].find("</textarea>").unwrap() + open;
    unescape(&html[open..close])
}

/// The edit form as the browser would send it, with `changes` made.
fn edit_form(html: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        "name",
        "amount",
        "close_date",
        "probability",
        "next_step",
        "version",
        "original",
        "return_to",
    ]
    .iter()
    .map(|n| (n.to_string(), input(html, n)))
    .collect();
    for name in ["account_id", "stage", "currency"] {
        fields.push((name.into(), selected(html, name)));
    }
    if html.contains("name=\"owner_id\"") {
        fields.push(("owner_id".into(), selected(html, "owner_id")));
    }
    fields.push(("description".into(), textarea(html, "description")));
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

/// The href of the Edit link of an opportunity's row.
fn edit_link(html: &str, id: &str) -> String {
    let marker = format!("href=\"/opportunities/{id}/edit");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no Edit link for {id}\n{html}"))
        + "href=\"".len();
    let end = html[start..].find('"').unwrap() + start;
    unescape(&html[start..end])
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

/// The row of an opportunity in a list, as text.
fn row(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("<tr id=\"opportunity-{id}\""))?;
    let end = html[start..].find("</tr>")? + start;
    Some(unescape(&strip_tags(&html[start..end])))
}

fn text_of(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let open = html[start..].find('>').unwrap() + start + 1;
    let close = html[open..].find("</").unwrap() + open;
    unescape(&html[open..close])
}

// ---------------------------------------------------------------------------

async fn each_role_gets_its_views_and_edit_links(app: &TestApp) {
    let w = world(app).await;
    let o = deal(
        app,
        &w,
        "Nordlys rollout",
        json!({"amount": "12500.50", "currency": "DKK"}),
    )
    .await;
    let id = o["id"].as_str().unwrap();

    let user = sign_in(app, &w.acme_user).await;
    let (status, html) = get(app, &user, "/opportunities").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("My Opportunities</p>") || text_of(&html, "view-label") == "My Opportunities"
    );
    let r = row(&html, id).unwrap();
    for part in [
        "Nordlys rollout",
        "Nordlys A/S",
        "Prospecting",
        "DKK 12,500.50",
        "Edit",
    ] {
        assert!(r.contains(part), "{part} in {r}");
    }
    assert!(
        !html.contains("value=\"company\""),
        "no company view for a partner user"
    );
    assert!(
        html.contains("value=\"closing_this_month\"")
            && html.contains("value=\"won\"")
            && html.contains("value=\"lost\"")
    );

    let manager = sign_in(app, &w.acme_manager).await;
    let (_, html) = get(app, &manager, "/opportunities?view=company").await;
    assert_eq!(text_of(&html, "view-label"), "My Company's Opportunities");
    assert!(
        row(&html, id).unwrap().contains("Uffe Acme"),
        "owner column"
    );
    assert!(html.contains(&format!("href=\"/opportunities/{id}/edit")));
    let (status, _) = get(app, &manager, "/opportunities?view=all").await;
    assert_eq!(status, 404);

    let admin = sign_in(app, &w.admin).await;
    let (_, html) = get(app, &admin, "/opportunities").await;
    assert_eq!(text_of(&html, "view-label"), "All Opportunities");
    assert!(
        html.contains(&format!("value=\"partner:{}\"", w.acme.id)),
        "per-partner views"
    );
    assert!(row(&html, id).unwrap().contains("Acme Resellers"));

    let outsider = sign_in(app, &w.zenith_user).await;
    let (_, html) = get(app, &outsider, "/opportunities").await;
    assert!(row(&html, id).is_none());
    for path in [
        format!("/opportunities/{id}"),
        format!("/opportunities/{id}/edit"),
    ] {
        assert_eq!(get(app, &outsider, &path).await.0, 404, "{path}");
    }
}

async fn edit_from_a_list_saves_back_to_exactly_that_list(app: &TestApp) {
    let w = world(app).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let o = deal(
            app,
            &w,
            &format!("Nordlys phase {i}"),
            json!({"amount": "1000"}),
        )
        .await;
        ids.push(o["id"].as_str().unwrap().to_owned());
    }
    let client = sign_in(app, &w.acme_user).await;
    // A list with a view, a search, a sort and a second page.
    let (_, first) = get(app, &client, "/opportunities?view=mine&q=phase&sort=name").await;
    assert!(first.contains("rel=\"next\"") || ids.len() <= 25);
    let list = "/opportunities?view=mine&q=phase&sort=name";
    let href = edit_link(&first, &ids[2]);
    let (status, form) = get(app, &client, &href).await;
    assert_eq!(status, 200);
    assert_eq!(input(&form, "return_to"), list);
    let fields = edit_form(
        &form,
        &[
            ("stage", "proposal"),
            ("amount", "2,500.75"),
            ("next_step", "Call the CFO"),
        ],
    );
    let (status, location, _) = post(
        app,
        &client,
        &format!("/opportunities/{}/edit", ids[2]),
        &fields,
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, list, "Save returns to the exact list");
    let (_, html) = get(app, &client, &location).await;
    let r = row(&html, &ids[2]).unwrap();
    assert!(r.contains("Proposal") && r.contains("EUR 2,500.75"), "{r}");

    // Cancel leads back there too.
    let (_, form) = get(app, &client, &href).await;
    assert!(
        form.contains(&format!("href=\"{}\"", list.replace('&', "&#38;")))
            || form.contains(&format!("href=\"{}\"", list.replace('&', "&amp;")))
    );

    // Without a list to return to, Save opens the opportunity.
    let (_, form) = get(app, &client, &format!("/opportunities/{}/edit", ids[0])).await;
    let fields = edit_form(&form, &[("name", "Nordlys phase zero")]);
    let (status, location, _) = post(
        app,
        &client,
        &format!("/opportunities/{}/edit", ids[0]),
        &fields,
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("/opportunities/{}", ids[0]).as_str())
    );
}

async fn edit_shows_inline_errors_keeps_input_and_writes_nothing(app: &TestApp) {
    let w = world(app).await;
    let o = deal(app, &w, "Nordlys", json!({"amount": "1000"})).await;
    let id = o["id"].as_str().unwrap();
    let client = sign_in(app, &w.acme_user).await;
    let (_, form) = get(
        app,
        &client,
        &format!("/opportunities/{id}/edit?return_to=%2Fopportunities"),
    )
    .await;
    let fields = edit_form(
        &form,
        &[
            ("amount", "-50"),
            ("close_date", "2150-01-01"),
            ("name", "Kept name"),
            ("probability", "120"),
        ],
    );
    let (status, _, html) = post(app, &client, &format!("/opportunities/{id}/edit"), &fields).await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"form-errors\""));
    for message in [
        "The amount cannot be negative.",
        "Choose a close date between 2000-01-01 and 2099-12-31.",
        "The probability is a percentage from 0 to 100.",
    ] {
        assert!(html.contains(message), "{message}");
    }
    assert_eq!(input(&html, "name"), "Kept name");
    assert_eq!(input(&html, "amount"), "-50");
    assert_eq!(input(&html, "return_to"), "/opportunities");
    // Nothing written.
    let now = api(
        app,
        &w.token,
        reqwest::Method::GET,
        &format!("/api/v1/opportunities/{id}"),
        Value::Null,
        None,
    )
    .await;
    assert_eq!(
        (now["name"].clone(), now["version"].clone()),
        (json!("Nordlys"), json!(1))
    );
}

async fn a_conflicting_save_shows_what_changed_and_keeps_the_input(app: &TestApp) {
    let w = world(app).await;
    let o = deal(app, &w, "Nordlys", json!({})).await;
    let id = o["id"].as_str().unwrap();
    let user = sign_in(app, &w.acme_user).await;
    let (_, form) = get(
        app,
        &user,
        &format!("/opportunities/{id}/edit?return_to=%2Fopportunities%3Fview%3Dmine"),
    )
    .await;
    // The manager saves first.
    let manager = sign_in(app, &w.acme_manager).await;
    let (_, theirs) = get(app, &manager, &format!("/opportunities/{id}/edit")).await;
    let (status, _, _) = post(
        app,
        &manager,
        &format!("/opportunities/{id}/edit"),
        &edit_form(&theirs, &[("stage", "negotiation")]),
    )
    .await;
    assert_eq!(status, 303);
    // The user's save is refused, showing the manager's change and keeping the input.
    let mine = edit_form(&form, &[("next_step", "Demo on Friday")]);
    let (status, _, html) = post(app, &user, &format!("/opportunities/{id}/edit"), &mine).await;
    assert_eq!(status, 409);
    let conflict = strip_tags(&html[html.find("id=\"conflict\"").unwrap()..]);
    assert!(
        conflict.contains("Stage: Negotiation (Mona Acme)"),
        "{conflict}"
    );
    assert_eq!(input(&html, "next_step"), "Demo on Friday");
    assert_eq!(input(&html, "return_to"), "/opportunities?view=mine");
    let now = api(
        app,
        &w.token,
        reqwest::Method::GET,
        &format!("/api/v1/opportunities/{id}"),
        Value::Null,
        None,
    )
    .await;
    assert_eq!(
        (now["stage"].clone(), now["next_step"].clone()),
        (json!("negotiation"), Value::Null)
    );
    // Saving again is deliberate: it goes through, back to the list.
    let again = edit_form(&html, &[]);
    let (status, location, _) =
        post(app, &user, &format!("/opportunities/{id}/edit"), &again).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/opportunities?view=mine")
    );
    let now = api(
        app,
        &w.token,
        reqwest::Method::GET,
        &format!("/api/v1/opportunities/{id}"),
        Value::Null,
        None,
    )
    .await;
    assert_eq!(now["next_step"], "Demo on Friday");
}

async fn return_to_never_leaves_the_opportunities_tab(app: &TestApp) {
    let w = world(app).await;
    let o = deal(app, &w, "Nordlys", json!({})).await;
    let id = o["id"].as_str().unwrap();
    let client = sign_in(app, &w.acme_user).await;
    for evil in [
        "https://evil.example/opportunities",
        "//evil.example",
        "/leads",
        "/opportunities.evil",
    ] {
        let (_, form) = get(
            app,
            &client,
            &format!("/opportunities/{id}/edit?return_to={}", urlencode(evil)),
        )
        .await;
        assert_eq!(input(&form, "return_to"), "", "{evil} not carried");
        // Even when forged into the form.
        let fields = edit_form(&form, &[("return_to", evil)]);
        let (status, location, _) =
            post(app, &client, &format!("/opportunities/{id}/edit"), &fields).await;
        assert_eq!(
            (status, location),
            (303, format!("/opportunities/{id}")),
            "{evil}"
        );
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn new_opportunity_and_its_page_with_timeline_and_notes(app: &TestApp) {
    let w = world(app).await;
    let client = sign_in(app, &w.acme_user).await;
    let (status, form) = get(
        app,
        &client,
        "/opportunities/new?return_to=%2Fopportunities",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(selected(&form, "stage"), "prospecting");
    assert_eq!(selected(&form, "currency"), "EUR");
    assert!(
        !form.contains("name=\"owner_id\""),
        "a partner user owns what they create"
    );
    // Missing account and name: inline errors.
    let empty = vec![
        ("name".to_owned(), String::new()),
        ("close_date".to_owned(), "2030-05-31".to_owned()),
    ];
    let (status, _, html) = post(app, &client, "/opportunities", &empty).await;
    assert_eq!(status, 422);
    assert!(html.contains("Required."));
    let fields: Vec<(String, String)> = [
        ("name", "Fjord pilot"),
        ("account_id", w.account.as_str()),
        ("stage", "qualification"),
        ("amount", "40000"),
        ("currency", "SEK"),
        ("close_date", "2030-05-31"),
        ("probability", "20"),
        ("next_step", ""),
        ("description", "Two sites"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (status, location, _) = post(app, &client, "/opportunities", &fields).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/opportunities/"));
    let (_, page) = get(app, &client, &location).await;
    assert_eq!(text_of(&page, "opportunity-amount"), "SEK 40,000.00");
    assert_eq!(text_of(&page, "opportunity-stage"), "Qualification");
    assert!(
        page.contains(&format!("href=\"/accounts/{}\"", w.account)),
        "links to its account"
    );
    assert!(page.contains("Created the opportunity"));
    // In Recent Items, linked to its page.
    assert!(
        page.contains(&format!("<a href=\"{location}\">Fjord pilot</a>")),
        "Recent Items"
    );
    // A note, and an empty one refused inline.
    let id = location.trim_start_matches("/opportunities/");
    let (status, to, _) = post(
        app,
        &client,
        &format!("/opportunities/{id}/notes"),
        &[("text".into(), "Met the CTO".into())],
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("{location}#timeline").as_str())
    );
    let (status, _, html) = post(
        app,
        &client,
        &format!("/opportunities/{id}/notes"),
        &[("text".into(), "  ".into())],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Required."));
    let (_, page) = get(app, &client, &location).await;
    assert!(page.contains("Met the CTO") && page.contains("Added a note"));
}

async fn danish_users_get_danish_labels_and_amounts(app: &TestApp) {
    let w = world(app).await;
    app.store
        .set_locale(w.acme_user.id(), Locale::Danish)
        .await
        .unwrap();
    let o = deal(
        app,
        &w,
        "Nordlys",
        json!({"amount": "12500.50", "currency": "DKK"}),
    )
    .await;
    let id = o["id"].as_str().unwrap();
    let client = sign_in(app, &w.acme_user).await;
    let (_, html) = get(app, &client, "/opportunities").await;
    for word in [
        "Salgsmuligheder",
        "Mine salgsmuligheder",
        "Lukkes denne måned",
        "Vundne",
        "Tabte",
        "Fase",
        "Beløb",
        "Lukkedato",
        "Ny salgsmulighed",
        "Rediger",
    ] {
        assert!(html.contains(word), "{word}");
    }
    assert!(row(&html, id).unwrap().contains("12.500,50 DKK"));
    // Edit in Danish: the amount is written and read the Danish way.
    let href = edit_link(&html, id);
    let (_, form) = get(app, &client, &href).await;
    assert_eq!(input(&form, "amount"), "12500,50");
    for word in ["Valuta", "Sandsynlighed", "Næste skridt", "Gem"] {
        assert!(form.contains(word), "{word}");
    }
    let fields = edit_form(&form, &[("amount", "13.000,25")]);
    let (status, location, _) =
        post(app, &client, &format!("/opportunities/{id}/edit"), &fields).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/opportunities?view=mine")
    );
    let now = api(
        app,
        &w.token,
        reqwest::Method::GET,
        &format!("/api/v1/opportunities/{id}"),
        Value::Null,
        None,
    )
    .await;
    assert_eq!(now["amount_minor"], 1_300_025);
    let (_, page) = get(app, &client, &format!("/opportunities/{id}")).await;
    assert!(
        page.contains("12.500,50 DKK") && page.contains("13.000,25 DKK"),
        "the timeline in Danish"
    );
    // A Danish error message.
    let fields = edit_form(&form, &[("amount", "-1"), ("version", "2")]);
    let (status, _, html) = post(app, &client, &format!("/opportunities/{id}/edit"), &fields).await;
    assert_eq!(status, 422);
    assert!(html.contains("Beløbet kan ikke være negativt."));
}

async fn home_shows_the_open_pipeline_and_deals_closing_this_month(app: &TestApp) {
    let w = world(app).await;
    deal(
        app,
        &w,
        "Soon",
        json!({"amount": "1000", "stage": "proposal"}),
    )
    .await;
    deal(
        app,
        &w,
        "Also soon",
        json!({"amount": "2,000.50", "stage": "proposal"}),
    )
    .await;
    deal(
        app,
        &w,
        "Later",
        json!({"amount": "500", "currency": "DKK", "close_date": "2035-01-31"}),
    )
    .await;
    deal(
        app,
        &w,
        "Done",
        json!({"amount": "9999", "stage": "closed_won"}),
    )
    .await;
    let client = sign_in(app, &w.acme_user).await;
    let (_, home) = get(app, &client, "/").await;
    let start = home.find("id=\"home-opportunities\"").unwrap();
    let card = strip_tags(&home[start..start + home[start..].find("</section>").unwrap()]);
    assert!(card.contains("Proposal 2 deals EUR 3,000.50"), "{card}");
    assert!(card.contains("Prospecting 1 deal DKK 500.00"), "{card}");
    assert!(
        card.contains("Pipeline total DKK 500.00 EUR 3,000.50"),
        "{card}"
    );
    assert!(!card.contains("9,999"), "won deals are not in the pipeline");
    let start = home.find("id=\"home-closing\"").unwrap();
    let closing = strip_tags(&home[start..start + home[start..].find("</section>").unwrap()]);
    assert!(
        closing.contains("Soon") && closing.contains("Also soon"),
        "{closing}"
    );
    assert!(
        !closing.contains("Later") && !closing.contains("Done"),
        "{closing}"
    );
    // Another partner's Home shows none of it.
    let outsider = sign_in(app, &w.zenith_user).await;
    let (_, home) = get(app, &outsider, "/").await;
    assert!(!home.contains("Also soon") && home.contains("No open opportunities yet"));
}

async fn the_admin_edits_the_stages_on_a_page(app: &TestApp) {
    let w = world(app).await;
    deal(app, &w, "In proposal", json!({"stage": "proposal"})).await;
    let manager = sign_in(app, &w.acme_manager).await;
    assert_eq!(get(app, &manager, "/admin/opportunity-stages").await.0, 404);
    let admin = sign_in(app, &w.admin).await;
    let (_, admin_page) = get(app, &admin, "/admin").await;
    assert!(admin_page.contains("href=\"/admin/opportunity-stages\""));
    let (status, html) = get(app, &admin, "/admin/opportunity-stages").await;
    assert_eq!(status, 200);
    // The rows as the page has them.
    let mut fields: Vec<(String, String)> = Vec::new();
    for i in 0..7 {
        for name in ["key", "label_en", "label_da", "probability"] {
            fields.push((format!("{name}_{i}"), input(&html, &format!("{name}_{i}"))));
        }
        fields.push((
            format!("outcome_{i}"),
            selected(&html, &format!("outcome_{i}")),
        ));
    }
    // Add a stage.
    let mut add = fields.clone();
    add.extend([
        ("new_label_en".into(), "Verbal yes".into()),
        ("new_label_da".into(), "Mundtligt ja".into()),
        ("new_probability".into(), "90".into()),
        ("new_outcome".into(), "open".into()),
        ("op".into(), "add".into()),
    ]);
    let (status, location, _) = post(app, &admin, "/admin/opportunity-stages", &add).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/opportunity-stages")
    );
    let (_, html) = get(app, &admin, "/admin/opportunity-stages").await;
    assert!(html.contains("id=\"stage-verbal_yes\""));
    // Removing a stage in use is refused with the reason.
    let mut remove = fields.clone();
    remove.push(("op".into(), "remove:proposal".into()));
    let (status, _, html) = post(app, &admin, "/admin/opportunity-stages", &remove).await;
    assert_eq!(status, 422);
    assert!(
        text_of(&html, "form-error").contains("1 opportunity is in it"),
        "{}",
        text_of(&html, "form-error")
    );
    // A won stage must stay at 100 %.
    let mut bad = fields.clone();
    bad.iter_mut()
        .find(|(k, _)| k == "probability_5")
        .unwrap()
        .1 = "80".into();
    bad.push(("op".into(), "save".into()));
    let (status, _, html) = post(app, &admin, "/admin/opportunity-stages", &bad).await;
    assert_eq!(status, 422);
    assert!(html.contains("A won stage has probability 100 and a lost stage 0."));
}

async fn forms_need_the_csrf_token(app: &TestApp) {
    let w = world(app).await;
    let o = deal(app, &w, "Nordlys", json!({})).await;
    let id = o["id"].as_str().unwrap();
    let client = sign_in(app, &w.acme_user).await;
    let (_, form) = get(app, &client, &format!("/opportunities/{id}/edit")).await;
    let fields = edit_form(&form, &[("name", "Forged")]);
    for path in [
        format!("/opportunities/{id}/edit"),
        "/opportunities".to_owned(),
        format!("/opportunities/{id}/notes"),
    ] {
        let response = client
            .post(app.url(&path))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403, "{path}");
    }
    let now = api(
        app,
        &w.token,
        reqwest::Method::GET,
        &format!("/api/v1/opportunities/{id}"),
        Value::Null,
        None,
    )
    .await;
    assert_eq!(now["name"], "Nordlys");
}
