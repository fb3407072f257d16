//! The message catalogue: every string a user reads, in English and Danish.
//!
//! Messages live in Fluent files under `locales/<lang>/main.ftl`, compiled into
//! the binary. A missing key shows as the key itself (and a test fails), never
//! as an empty string.

use std::{borrow::Cow, collections::HashMap};

use fluent_templates::{
    LanguageIdentifier, Loader, fluent_bundle::FluentValue, langid, static_loader,
};
use openprm_domain::Locale;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Bidi isolation marks around arguments would end up in e-mail subjects.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static DA: LanguageIdentifier = langid!("da");

/// Looks messages up in one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn new(locale: Locale) -> Self {
        Self { locale }
    }

    fn lang(&self) -> &'static LanguageIdentifier {
        match self.locale {
            Locale::English => &EN,
            Locale::Danish => &DA,
        }
    }

    /// The message for `key`, or the key itself when the catalogue lacks it.
    pub fn get(&self, key: &str) -> String {
        LOCALES
            .try_lookup(self.lang(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message for `key` with named arguments (`{ $name }`).
    pub fn with<S: AsRef<str>, A: AsRef<[(&'static str, S)]>>(&self, key: &str, args: A) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .as_ref()
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.as_ref().to_owned())))
            .collect();
        LOCALES
            .try_lookup_with_args(self.lang(), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }

    pub fn tier(&self, tier: &openprm_domain::Tier) -> String {
        self.get(&format!("tier-{}", tier.as_str()))
    }

    pub fn role(&self, role: &openprm_domain::Role) -> String {
        self.get(&format!("role-{}", role.as_str()))
    }

    pub fn code(&self) -> &'static str {
        self.locale.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '-', '\t']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next())
            .map(|k| k.trim().to_owned())
            .collect()
    }

    /// Each catalogue file (`main.ftl`, and one per part of the portal) in
    /// one language, by file name.
    fn catalogue(lang: &str) -> std::collections::BTreeMap<String, BTreeSet<String>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        std::fs::read_dir(dir)
            .expect("locale folder")
            .map(|entry| entry.expect("locale file").path())
            .filter(|path| path.extension().is_some_and(|e| e == "ftl"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (
                    name,
                    keys(&std::fs::read_to_string(&path).expect("readable")),
                )
            })
            .collect()
    }

    #[test]
    fn english_and_danish_have_the_same_messages() {
        let en = catalogue("en");
        let da = catalogue("da");
        assert_eq!(
            en.keys().collect::<Vec<_>>(),
            da.keys().collect::<Vec<_>>(),
            "the same catalogue files in both languages"
        );
        for (file, en_keys) in &en {
            let da_keys = &da[file];
            let only_en: Vec<_> = en_keys.difference(da_keys).collect();
            let only_da: Vec<_> = da_keys.difference(en_keys).collect();
            assert!(only_en.is_empty(), "{file}: missing in Danish: {only_en:?}");
            assert!(
                only_da.is_empty(),
                "{file}: missing in English: {only_da:?}"
            );
        }
        assert!(en["main.ftl"].len() > 50);
        let all: Vec<&String> = en.values().flatten().collect();
        let unique: BTreeSet<&String> = all.iter().copied().collect();
        assert_eq!(all.len(), unique.len(), "a key is defined in two files");
    }

    #[test]
    fn danish_uses_the_terms_portal_users_know() {
        let da = Tr::new(Locale::Danish);
        assert_eq!(da.get("tab-home"), "Startside");
        assert_eq!(da.get("tab-leads"), "Kundeemner");
        assert_eq!(da.get("tab-opportunities"), "Salgsmuligheder");
        assert_eq!(da.get("tab-accounts"), "Konti");
        assert_eq!(da.get("tab-contacts"), "Kontakter");
        assert_eq!(da.get("recent-items"), "Seneste elementer");
        assert_eq!(da.get("action-save"), "Gem");
    }

    #[test]
    fn arguments_are_filled_in_without_isolation_marks() {
        let en = Tr::new(Locale::English);
        assert_eq!(
            en.with("home-welcome", [("name", "Mette")]),
            "Welcome, Mette"
        );
    }

    #[test]
    fn missing_key_shows_itself() {
        assert_eq!(Tr::new(Locale::English).get("no-such-key"), "no-such-key");
    }
}
