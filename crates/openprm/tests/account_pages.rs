#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The Accounts and Contacts tabs as a browser without JavaScript uses them
//! (spec flow 10), and the Convert page of a lead (flow 8), through HTTP on
//! both stores with signed-in cookie clients: lists per role with search and
//! pages, New, the account page with its related records, Edit with inline
//! errors, Save and a conflict, Danish labels, and CSRF.

use openprm_domain::{
    Locale, Role, Tier, accounts::AccountInput, contacts::ContactInput, leads::LeadInput,
};
use openprm_store::{accounts::Account, leads::Assignment};
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::Client;

openprm_testkit::test_on_both_stores!(
    each_role_sees_its_accounts_and_contacts_tabs,
    search_and_pages_keep_the_query_in_the_url,
    new_account_then_its_page_with_related_records,
    edit_shows_inline_errors_then_saves_and_a_conflict_shows_what_changed,
    contacts_new_from_an_account_edit_and_save,
    danish_users_get_danish_tabs_and_labels,
    forms_need_the_csrf_token,
    convert_page_suggests_links_and_creates_then_the_lead_shows_its_links,
);

// ---------------------------------------------------------------------------
// The world: Acme (its manager and two users) and Zenith, both with Carl as
// channel manager.

struct World {
    admin: TestUser,
    cm: TestUser,
    acme_manager: TestUser,
    acme_user: TestUser,
    acme_colleague: TestUser,
    zenith_user: TestUser,
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
    World {
        acme_manager: app
            .user("Mona Acme", Role::PartnerManager, Some(acme.id))
            .await,
        acme_user: app
            .user("Uffe Acme", Role::PartnerUser, Some(acme.id))
            .await,
        acme_colleague: app
            .user("Cleo Acme", Role::PartnerUser, Some(acme.id))
            .await,
        zenith_user: app
            .user("Zoe Zenith", Role::PartnerUser, Some(zenith.id))
            .await,
        admin,
        cm,
    }
}

/// An account owned by `owner`, made in the store.
async fn account(app: &TestApp, owner: &TestUser, name: &str, domain: Option<&str>) -> Account {
    let fields = AccountInput {
        name: Some(name.into()),
        domain: domain.map(str::to_owned),
        ..AccountInput::default()
    }
    .parse(None)
    .unwrap();
    app.store
        .create_account(&owner.user.viewer(), &fields, None, None)
        .await
        .unwrap()
}

async fn contact(app: &TestApp, owner: &TestUser, name: &str, account: Option<&Account>) {
    let fields = ContactInput {
        name: Some(name.into()),
        account_id: account.map(|a| a.id.to_string()),
        ..ContactInput::default()
    }
    .parse(None)
    .unwrap();
    app.store
        .create_contact(&owner.user.viewer(), &fields, None, None)
        .await
        .unwrap();
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

/// The rows of the page's first table body, as text with tags removed.
fn rows(html: &str) -> Vec<String> {
    let Some(start) = html.find("<tbody>") else {
        return Vec::new();
    };
    let end = html[start..].find("</tbody>").unwrap() + start;
    html[start..end]
        .split("<tr>")
        .skip(1)
        .map(strip_tags)
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
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn names(html: &str) -> Vec<String> {
    rows(html)
        .iter()
        .map(|r| r.split(' ').next().unwrap_or_default().to_owned())
        .collect()
}

/// The `href` of the link with `rel` (next, first), unescaped.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("rel=\"{rel}\""))?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&#38;", "&"))
}

/// The value of a hidden input.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in the form"));
    let start = at + name.len() + 15;
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

// ---------------------------------------------------------------------------
// Scenarios.

async fn each_role_sees_its_accounts_and_contacts_tabs(app: &TestApp) {
    let w = world(app).await;
    let nordlys = account(app, &w.acme_user, "Nordlys", Some("nordlys.dk")).await;
    account(app, &w.acme_colleague, "Fjord", None).await;
    account(app, &w.zenith_user, "Zenithco", None).await;
    account(app, &w.admin, "Vendorco", None).await;
    contact(app, &w.acme_user, "Mette", Some(&nordlys)).await;
    contact(app, &w.zenith_user, "Zack", None).await;

    let expectations: [(&TestUser, &[&str], &[&str]); 5] = [
        (&w.acme_user, &["Nordlys"], &["Mette"]),
        (&w.acme_manager, &["Fjord", "Nordlys"], &["Mette"]),
        (&w.zenith_user, &["Zenithco"], &["Zack"]),
        (
            &w.cm,
            &["Fjord", "Nordlys", "Vendorco", "Zenithco"],
            &["Mette", "Zack"],
        ),
        (
            &w.admin,
            &["Fjord", "Nordlys", "Vendorco", "Zenithco"],
            &["Mette", "Zack"],
        ),
    ];
    for (who, accounts, contacts) in expectations {
        let client = sign_in(app, who).await;
        let (status, html) = get(app, &client, "/accounts").await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("aria-current") || html.contains("active"));
        assert_eq!(names(&html), accounts, "{}", who.email);
        let (status, html) = get(app, &client, "/contacts").await;
        assert_eq!(status, 200);
        assert_eq!(names(&html), contacts, "{}", who.email);
    }
    // Another company's account is not found, as page and as edit form.
    let zoe = sign_in(app, &w.zenith_user).await;
    for path in [
        format!("/accounts/{}", nordlys.id),
        format!("/accounts/{}/edit", nordlys.id),
        "/accounts/not-an-id".to_owned(),
    ] {
        let (status, _) = get(app, &zoe, &path).await;
        assert_eq!(status, 404, "{path}");
    }
    // The owner's list offers Edit on their row.
    let uffe = sign_in(app, &w.acme_user).await;
    let (_, html) = get(app, &uffe, "/accounts").await;
    assert!(html.contains(&format!("href=\"/accounts/{}/edit\"", nordlys.id)));
}

async fn search_and_pages_keep_the_query_in_the_url(app: &TestApp) {
    let w = world(app).await;
    for i in 0..30 {
        account(app, &w.acme_user, &format!("Nord {i:02}"), None).await;
    }
    account(app, &w.acme_user, "Syd", Some("syd.dk")).await;
    let client = sign_in(app, &w.acme_user).await;
    let (_, first) = get(app, &client, "/accounts?q=nord").await;
    assert_eq!(rows(&first).len(), 25);
    assert!(!first.contains(">Syd<"));
    let next = rel_link(&first, "next").expect("a next page");
    assert!(
        next.contains("q=nord") && next.contains("cursor="),
        "{next}"
    );
    let (_, second) = get(app, &client, &next).await;
    assert_eq!(names(&second).len(), 5);
    assert_eq!(
        rows(&second)[4].split(' ').take(2).collect::<Vec<_>>(),
        ["Nord", "29"]
    );
    assert!(rel_link(&second, "first").unwrap().contains("q=nord"));
    assert!(rel_link(&second, "next").is_none());
    let (_, by_domain) = get(app, &client, "/accounts?q=SYD.DK").await;
    assert_eq!(names(&by_domain), ["Syd"]);
    // A mangled page link shows the first page and says so.
    let (status, html) = get(app, &client, "/accounts?cursor=garbage").await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"notice\""));
    // Bad parameters are a page, not a crash.
    let (status, _) = get(app, &client, "/accounts?view=everyone").await;
    assert_eq!(status, 422);
}

async fn new_account_then_its_page_with_related_records(app: &TestApp) {
    let w = world(app).await;
    let client = sign_in(app, &w.acme_user).await;
    let (status, html) = get(app, &client, "/accounts/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"domain\""));
    let (status, location, _) = post(
        app,
        &client,
        "/accounts",
        &[
            ("name", "Blåbær ApS"),
            ("domain", "WWW.Blaabaer.dk"),
            ("city", "Odense"),
            ("country", "dk"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{location}");
    assert!(location.starts_with("/accounts/"));
    let id = location.trim_start_matches("/accounts/").to_owned();
    let account = app
        .store
        .account(&w.acme_user.user.viewer(), id.parse().unwrap())
        .await
        .unwrap();
    contact(app, &w.acme_user, "Søren", Some(&account)).await;
    let (status, html) = get(app, &client, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains("blaabaer.dk"));
    assert!(html.contains("Odense"));
    let related = &html[html.find("id=\"related-contacts\"").unwrap()..];
    assert!(related.contains("Søren"));
    assert!(html.contains("id=\"related-opportunities\""));
    assert!(html.contains("id=\"converted-leads\""));
    // Opening it put it in Recent Items.
    let (_, home) = get(app, &client, "/").await;
    assert!(home.contains(&format!("href=\"/accounts/{id}\"")));
    // Invalid input comes back with the input kept and each error inline.
    let (status, _, html) = post(
        app,
        &client,
        "/accounts",
        &[("name", ""), ("domain", "no dots"), ("city", "Kolding")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"f-name-error\""));
    assert!(html.contains("id=\"f-domain-error\""));
    assert!(html.contains("value=\"Kolding\""));
    assert!(html.contains("value=\"no dots\""));
}

async fn edit_shows_inline_errors_then_saves_and_a_conflict_shows_what_changed(app: &TestApp) {
    let w = world(app).await;
    let nordlys = account(app, &w.acme_user, "Nordlys", None).await;
    let edit = format!("/accounts/{}/edit", nordlys.id);
    let uffe = sign_in(app, &w.acme_user).await;
    let (status, form) = get(app, &uffe, &edit).await;
    assert_eq!(status, 200);
    let version = hidden(&form, "version");
    let original = hidden(&form, "original");
    assert_eq!(version, "1");

    let (status, _, html) = post(
        app,
        &uffe,
        &edit,
        &[
            ("name", "Nordlys"),
            ("phone", "ring"),
            ("version", &version),
            ("original", &original),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"f-phone-error\""));
    assert!(html.contains("value=\"ring\""));

    // The manager saves first; Uffe's save is then a conflict naming the change.
    let mona = sign_in(app, &w.acme_manager).await;
    let (_, mona_form) = get(app, &mona, &edit).await;
    let (status, location, _) = post(
        app,
        &mona,
        &edit,
        &[
            ("name", "Nordlys"),
            ("city", "Aalborg"),
            ("version", &hidden(&mona_form, "version")),
            ("original", &hidden(&mona_form, "original")),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/accounts/{}", nordlys.id));
    let (status, _, html) = post(
        app,
        &uffe,
        &edit,
        &[
            ("name", "Nordlys Energi"),
            ("version", &version),
            ("original", &original),
        ],
    )
    .await;
    assert_eq!(status, 409);
    let conflict = &html[html.find("id=\"conflict\"").unwrap()..];
    assert!(conflict.contains("Aalborg"), "{conflict}");
    assert!(
        html.contains("value=\"Nordlys Energi\""),
        "the input is kept"
    );
    assert_eq!(hidden(&html, "version"), "2");
    // Saving again, having read what changed, is deliberate and wins.
    let (status, _, _) = post(
        app,
        &uffe,
        &edit,
        &[
            ("name", "Nordlys Energi"),
            ("city", "Aalborg"),
            ("version", &hidden(&html, "version")),
            ("original", &hidden(&html, "original")),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = get(app, &uffe, &format!("/accounts/{}", nordlys.id)).await;
    assert!(page.contains("Nordlys Energi"));
    assert!(page.contains("Aalborg"));
}

async fn contacts_new_from_an_account_edit_and_save(app: &TestApp) {
    let w = world(app).await;
    let nordlys = account(app, &w.acme_user, "Nordlys", None).await;
    let hidden_account = account(app, &w.acme_colleague, "Fjord", None).await;
    let client = sign_in(app, &w.acme_user).await;
    let (status, html) = get(
        app,
        &client,
        &format!("/contacts/new?account_id={}", nordlys.id),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!(
        "<option value=\"{}\" selected>Nordlys</option>",
        nordlys.id
    )));
    assert!(
        !html.contains("Fjord"),
        "a colleague's account is not offered"
    );
    let (status, _, html) = post(
        app,
        &client,
        "/contacts",
        &[
            ("name", "Mette Hansen"),
            ("account_id", &hidden_account.id.to_string()),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"f-account_id-error\""));
    let (status, _, html) = post(
        app,
        &client,
        "/contacts",
        &[("name", "Mette Hansen"), ("email", "mette@")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"f-email-error\""));
    assert!(html.contains("value=\"mette@\""));
    let (status, location, _) = post(
        app,
        &client,
        "/contacts",
        &[
            ("name", "Mette Hansen"),
            ("account_id", &nordlys.id.to_string()),
            ("email", "Mette@Nordlys.dk"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = get(app, &client, &location).await;
    assert!(page.contains("mette@nordlys.dk"));
    assert!(page.contains(&format!("href=\"/accounts/{}\"", nordlys.id)));
    let edit = format!("{location}/edit");
    let (_, form) = get(app, &client, &edit).await;
    let (status, back, _) = post(
        app,
        &client,
        &edit,
        &[
            ("name", "Mette Hansen"),
            ("account_id", &nordlys.id.to_string()),
            ("title", "CFO"),
            ("version", &hidden(&form, "version")),
            ("original", &hidden(&form, "original")),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(back, location);
    let (_, page) = get(app, &client, &location).await;
    assert!(page.contains("CFO"));
    let (_, list) = get(app, &client, "/contacts?q=cfo").await;
    assert_eq!(names(&list), ["Mette"]);
}

async fn danish_users_get_danish_tabs_and_labels(app: &TestApp) {
    let w = world(app).await;
    let nordlys = account(app, &w.acme_user, "Nordlys", None).await;
    app.store
        .set_locale(w.acme_user.id(), Locale::Danish)
        .await
        .unwrap();
    let client = sign_in(app, &w.acme_user).await;
    let (_, list) = get(app, &client, "/accounts").await;
    assert!(list.contains("Konti"));
    assert!(list.contains("Ny konto"));
    assert!(list.contains("Domæne"));
    let (_, page) = get(app, &client, &format!("/accounts/{}", nordlys.id)).await;
    for text in [
        "Relaterede kontakter",
        "Konverterede kundeemner",
        "Branche",
        "Hjemmeside",
        "Rediger",
    ] {
        assert!(page.contains(text), "{text}");
    }
    let (_, form) = get(app, &client, &format!("/accounts/{}/edit", nordlys.id)).await;
    assert!(form.contains(">Gem<"));
    let (_, contacts) = get(app, &client, "/contacts").await;
    assert!(contacts.contains("Kontakter"));
    assert!(contacts.contains("Ny kontakt"));
}

async fn forms_need_the_csrf_token(app: &TestApp) {
    let w = world(app).await;
    let nordlys = account(app, &w.acme_user, "Nordlys", None).await;
    let client = sign_in(app, &w.acme_user).await;
    for path in [
        "/accounts".to_owned(),
        format!("/accounts/{}/edit", nordlys.id),
        "/contacts".to_owned(),
    ] {
        let response = client
            .post(app.url(&path))
            .form(&[("name", "Forged"), ("version", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403, "{path}");
    }
    let (_, list) = get(app, &client, "/accounts").await;
    assert_eq!(names(&list), ["Nordlys"]);
}

async fn convert_page_suggests_links_and_creates_then_the_lead_shows_its_links(app: &TestApp) {
    let w = world(app).await;
    let existing = account(app, &w.acme_user, "Nordlys ApS", Some("nordlys.dk")).await;
    account(app, &w.zenith_user, "Nordlys", Some("nordlys.dk")).await;
    let statuses = app.store.lead_statuses().await.unwrap();
    let fields = LeadInput {
        name: Some("Mette Hansen".into()),
        company: Some("Nordlys A/S".into()),
        email: Some("mette@nordlys.dk".into()),
        status: Some("qualified".into()),
        ..LeadInput::default()
    }
    .parse(None, &statuses)
    .unwrap();
    let lead = app
        .store
        .create_lead(&w.acme_user.user.viewer(), &fields, Assignment::Unassigned)
        .await
        .unwrap();
    let client = sign_in(app, &w.acme_user).await;
    let (_, page) = get(app, &client, &format!("/leads/{}", lead.id)).await;
    assert!(page.contains("id=\"convert-lead\""));
    let path = format!("/leads/{}/convert", lead.id);
    let (status, form) = get(app, &client, &path).await;
    assert_eq!(status, 200);
    assert!(
        form.contains(&format!("value=\"{}\"", existing.id)),
        "the same company is suggested"
    );
    assert_eq!(
        form.matches("type=\"radio\"").count(),
        2,
        "another partner's look-alike is not"
    );
    assert!(form.contains("value=\"Nordlys A/S – Mette Hansen\""));
    assert!(form.contains("Also create an opportunity"));

    // Without the token nothing happens; bad input comes back with the input kept.
    let response = client
        .post(app.url(&path))
        .form(&[("account", "new")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let id = existing.id.to_string();
    let (status, _, html) = post(
        app,
        &client,
        &path,
        &[
            ("account", &id),
            ("create_opportunity", "1"),
            ("opportunity_name", "Wind"),
            ("close_date", "2027-01-31"),
            ("amount", "lots"),
            ("currency", "DKK"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"f-amount-error\""));
    assert!(html.contains("value=\"lots\""));
    let (status, location, _) = post(
        app,
        &client,
        &path,
        &[
            ("account", &id),
            ("create_opportunity", "1"),
            ("opportunity_name", "Wind"),
            ("close_date", "2027-01-31"),
            ("amount", "12500"),
            ("currency", "DKK"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/leads/{}", lead.id));
    let (_, page) = get(app, &client, &location).await;
    assert!(page.contains(&format!("href=\"/accounts/{id}\"")));
    assert!(page.contains("id=\"converted-contact\""));
    assert!(page.contains("id=\"converted-opportunity\""));
    assert!(!page.contains("id=\"edit-lead\""));
    assert!(!page.contains("id=\"convert-lead\""));
    assert!(page.contains("Converted the lead"));
    let (status, _) = get(app, &client, &path).await;
    assert_eq!(status, 409, "converted once");
    // The account page lists the contact, the opportunity and the converted lead.
    let (_, account_page) = get(app, &client, &format!("/accounts/{id}")).await;
    assert!(
        account_page[account_page.find("id=\"related-contacts\"").unwrap()..]
            .contains("Mette Hansen")
    );
    assert!(
        account_page[account_page.find("id=\"related-opportunities\"").unwrap()..].contains("Wind")
    );
    assert!(
        account_page[account_page.find("id=\"converted-leads\"").unwrap()..]
            .contains(&format!("/leads/{}", lead.id))
    );
    // The others' views: Zenith sees nothing of it.
    let zoe = sign_in(app, &w.zenith_user).await;
    let (status, _) = get(app, &zoe, &format!("/accounts/{id}")).await;
    assert_eq!(status, 404);
    // In Danish.
    app.store
        .set_locale(w.acme_user.id(), Locale::Danish)
        .await
        .unwrap();
    let (_, page) = get(app, &client, &location).await;
    assert!(page.contains("Konverteret"));
}
