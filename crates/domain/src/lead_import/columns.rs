//! Which lead field a column heading names, in English or Danish, with the
//! aliases spreadsheets and CRM exports use (`E-mail`, `Mail`, `Firma`,
//! `Postnr.`, `Produktinteresse`). Case, spaces and punctuation do not matter.

/// A column the import understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Name,
    /// First and last name columns are joined into the name when the file
    /// has no full-name column.
    FirstName,
    LastName,
    Company,
    Title,
    Email,
    Phone,
    Country,
    PostalCode,
    Source,
    Status,
    Rating,
    ProductInterest,
    Description,
}

impl Column {
    /// The lead field the column fills, as the API names it.
    pub fn field(self) -> &'static str {
        match self {
            Column::Name | Column::FirstName | Column::LastName => "name",
            Column::Company => "company",
            Column::Title => "title",
            Column::Email => "email",
            Column::Phone => "phone",
            Column::Country => "country",
            Column::PostalCode => "postal_code",
            Column::Source => "source",
            Column::Status => "status",
            Column::Rating => "rating",
            Column::ProductInterest => "product_interest",
            Column::Description => "description",
        }
    }

    /// The column a heading names, if any.
    pub fn from_heading(heading: &str) -> Option<Column> {
        let key = heading_key(heading);
        ALIASES
            .iter()
            .find(|(_, names)| names.contains(&key.as_str()))
            .map(|(column, _)| *column)
    }
}

/// Headings as compared: lower case, letters and digits only, so
/// `E-mail`, `EMAIL` and ` e mail ` are one.
fn heading_key(heading: &str) -> String {
    heading
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every heading each column answers to, as [`heading_key`] leaves them.
const ALIASES: &[(Column, &[&str])] = &[
    (
        Column::Name,
        &[
            "name",
            "fullname",
            "contactname",
            "contact",
            "contactperson",
            "leadname",
            "navn",
            "fuldtnavn",
            "fuldenavn",
            "kontakt",
            "kontaktperson",
            "kontaktnavn",
        ],
    ),
    (
        Column::FirstName,
        &["firstname", "givenname", "forename", "fornavn"],
    ),
    (
        Column::LastName,
        &["lastname", "surname", "familyname", "efternavn"],
    ),
    (
        Column::Company,
        &[
            "company",
            "companyname",
            "organisation",
            "organization",
            "account",
            "accountname",
            "firma",
            "firmanavn",
            "virksomhed",
            "virksomhedsnavn",
            "organisationsnavn",
        ],
    ),
    (
        Column::Title,
        &[
            "title", "jobtitle", "position", "role", "titel", "jobtitel", "stilling",
        ],
    ),
    (
        Column::Email,
        &[
            "email",
            "emailaddress",
            "mail",
            "mailaddress",
            "emailadresse",
            "mailadresse",
        ],
    ),
    (
        Column::Phone,
        &[
            "phone",
            "phonenumber",
            "telephone",
            "tel",
            "mobile",
            "mobilephone",
            "telefon",
            "telefonnummer",
            "tlf",
            "tlfnr",
            "mobil",
            "mobilnummer",
        ],
    ),
    (
        Column::Country,
        &["country", "countrycode", "land", "landekode"],
    ),
    (
        Column::PostalCode,
        &[
            "postalcode",
            "postcode",
            "zip",
            "zipcode",
            "postnummer",
            "postnr",
        ],
    ),
    (Column::Source, &["source", "leadsource", "kilde"]),
    (Column::Status, &["status", "leadstatus"]),
    (Column::Rating, &["rating", "vurdering"]),
    (
        Column::ProductInterest,
        &[
            "productinterest",
            "product",
            "products",
            "interest",
            "interestedin",
            "produktinteresse",
            "produkt",
            "produkter",
            "interesse",
            "interessereti",
        ],
    ),
    (
        Column::Description,
        &[
            "description",
            "notes",
            "note",
            "comment",
            "comments",
            "message",
            "beskrivelse",
            "noter",
            "kommentar",
            "kommentarer",
            "besked",
            "bemærkninger",
            "bemaerkninger",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_danish_headings_in_any_case() {
        for (heading, column) in [
            ("Name", Column::Name),
            ("NAVN", Column::Name),
            ("Company", Column::Company),
            ("Firma", Column::Company),
            ("virksomhed", Column::Company),
            ("E-mail", Column::Email),
            ("Email", Column::Email),
            ("mail", Column::Email),
            ("E-mail-adresse", Column::Email),
            ("Phone", Column::Phone),
            ("Telefon", Column::Phone),
            ("Tlf.", Column::Phone),
            ("Country", Column::Country),
            ("Land", Column::Country),
            ("Postal code", Column::PostalCode),
            ("ZIP", Column::PostalCode),
            ("Postnummer", Column::PostalCode),
            ("Post nr.", Column::PostalCode),
            ("Title", Column::Title),
            ("Titel", Column::Title),
            ("Source", Column::Source),
            ("Kilde", Column::Source),
            ("Status", Column::Status),
            ("Rating", Column::Rating),
            ("Product interest", Column::ProductInterest),
            ("Produktinteresse", Column::ProductInterest),
            ("Produkt", Column::ProductInterest),
            ("Description", Column::Description),
            ("Beskrivelse", Column::Description),
            ("Bemærkninger", Column::Description),
            ("First name", Column::FirstName),
            ("Efternavn", Column::LastName),
        ] {
            assert_eq!(Column::from_heading(heading), Some(column), "{heading}");
        }
    }

    #[test]
    fn unknown_headings_name_nothing() {
        for heading in ["Shoe size", "", "  ", "Navnet på hunden", "e"] {
            assert_eq!(Column::from_heading(heading), None, "{heading}");
        }
    }

    #[test]
    fn no_heading_names_two_columns() {
        let mut all: Vec<&str> = ALIASES
            .iter()
            .flat_map(|(_, names)| names.iter().copied())
            .collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count);
        assert!(all.iter().all(|name| heading_key(name) == *name));
    }
}
