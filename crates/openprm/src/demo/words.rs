//! The word lists the demo's leads are made from: people, companies, places,
//! titles and what they asked about, per Nordic country.

/// One country's words.
pub(super) struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    /// The top-level domain of its companies' web addresses.
    pub tld: &'static str,
    pub first_names: &'static [&'static str],
    pub last_names: &'static [&'static str],
    /// The first part of a company name, often a place.
    pub company_stems: &'static [&'static str],
    /// What the company does, in the country's language.
    pub trades: &'static [&'static str],
    pub legal_forms: &'static [&'static str],
    /// City, postal code, telephone area code.
    pub cities: &'static [(&'static str, &'static str, &'static str)],
    pub calling_code: &'static str,
    /// Titles in the country's language (English titles are shared).
    pub local_titles: &'static [&'static str],
}

#[rustfmt::skip]
pub(super) const DENMARK: Country = Country {
    code: "DK",
    tld: "dk",
    first_names: &[
        "Anders", "Mette", "Lars", "Camilla", "Søren", "Louise", "Jens", "Katrine", "Rasmus",
        "Sofie", "Morten", "Line", "Thomas", "Pernille", "Mads", "Anne", "Kasper", "Trine",
        "Christian", "Helle", "Jakob", "Maria", "Niels", "Ida", "Frederik", "Birgitte",
    ],
    last_names: &[
        "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
        "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
        "Poulsen", "Møller", "Knudsen", "Vestergaard", "Lauridsen", "Kjærgaard", "Bach", "Dahl",
        "Holm", "Friis", "Skov",
    ],
    company_stems: &[
        "Nordhavn", "Limfjord", "Storebælt", "Himmerland", "Østjysk", "Skovlund", "Fyns",
        "Trekant", "Gudenå", "Kystvej", "Bornholms", "Mols", "Vejle Fjord", "Sønderjysk",
        "Vesthimmerlands", "Køge Bugt",
    ],
    trades: &[
        "Logistik", "Maskinfabrik", "Energi", "Revision", "Byg", "Medico", "Transport",
        "Fødevarer", "Data", "Ejendomme", "Rådgivning", "Elektro",
    ],
    legal_forms: &["A/S", "ApS", "A/S", "ApS", "I/S"],
    cities: &[
        ("København", "1050", "33"),
        ("Aarhus", "8000", "86"),
        ("Odense", "5000", "66"),
        ("Aalborg", "9000", "98"),
        ("Esbjerg", "6700", "75"),
        ("Vejle", "7100", "75"),
        ("Kolding", "6000", "75"),
        ("Horsens", "8700", "76"),
        ("Roskilde", "4000", "46"),
        ("Herning", "7400", "97"),
        ("Silkeborg", "8600", "86"),
        ("Næstved", "4700", "55"),
        ("Hillerød", "3400", "48"),
        ("Kongens Lyngby", "2800", "45"),
        ("Ballerup", "2750", "44"),
        ("Sønderborg", "6400", "74"),
    ],
    calling_code: "+45",
    local_titles: &[
        "IT-chef", "Indkøbschef", "Driftschef", "Administrerende direktør", "Økonomichef",
        "IT-ansvarlig",
    ],
};

#[rustfmt::skip]
pub(super) const SWEDEN: Country = Country {
    code: "SE",
    tld: "se",
    first_names: &[
        "Erik", "Anna", "Johan", "Maria", "Karl", "Sara", "Lars", "Emma", "Anders", "Elin",
        "Fredrik", "Karin", "Mikael", "Linnea", "Per", "Ingrid", "Oskar", "Malin", "Gustav",
        "Sofia", "Henrik", "Johanna", "Magnus", "Ebba",
    ],
    last_names: &[
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindqvist",
        "Berglund", "Sandberg", "Forsberg", "Lundgren", "Holmberg", "Ekström", "Sjöberg", "Wallin",
        "Åberg", "Nyström",
    ],
    company_stems: &[
        "Mälardalens", "Norrlands", "Vänerns", "Kullabergs", "Roslagens", "Skånska", "Göta",
        "Dalarnas", "Hallands", "Söderkust", "Vätterns", "Bergslagens",
    ],
    trades: &[
        "Logistik", "Verkstad", "Energi", "Bygg", "Fastigheter", "Konsult", "Medicinteknik",
        "Livsmedel", "Data", "Transport", "Revision", "Industri",
    ],
    legal_forms: &["AB"],
    cities: &[
        ("Stockholm", "111 22", "8"),
        ("Göteborg", "411 05", "31"),
        ("Malmö", "211 20", "40"),
        ("Uppsala", "753 20", "18"),
        ("Västerås", "722 11", "21"),
        ("Örebro", "702 10", "19"),
        ("Linköping", "582 24", "13"),
        ("Helsingborg", "252 21", "42"),
        ("Jönköping", "553 20", "36"),
        ("Umeå", "903 26", "90"),
    ],
    calling_code: "+46",
    local_titles: &[
        "IT-chef", "Inköpschef", "Driftchef", "Verkställande direktör", "Ekonomichef",
        "IT-ansvarig",
    ],
};

#[rustfmt::skip]
pub(super) const NORWAY: Country = Country {
    code: "NO",
    tld: "no",
    first_names: &[
        "Ole", "Ingrid", "Kristian", "Kari", "Magnus", "Silje", "Håkon", "Ida", "Sindre", "Marte",
        "Eirik", "Nora", "Thomas", "Hanne", "Jørgen", "Ragnhild", "Torbjørn", "Guro", "Vegard",
        "Ane", "Sigurd", "Tone", "Øyvind", "Solveig",
    ],
    last_names: &[
        "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
        "Karlsen", "Berg", "Haugen", "Hagen", "Johannessen", "Bakke", "Solberg", "Strand", "Eide",
        "Lunde", "Halvorsen", "Moen", "Aasen", "Fjeld", "Sæther", "Røed",
    ],
    company_stems: &[
        "Vestland", "Trøndelag", "Nordkapp", "Hardanger", "Lofoten", "Oslofjord", "Romsdal",
        "Telemark", "Jæren", "Sognefjord", "Helgeland", "Nordmøre",
    ],
    trades: &[
        "Shipping", "Havbruk", "Energi", "Bygg", "Eiendom", "Rådgivning", "Elektro", "Transport",
        "Data", "Verft", "Mat", "Regnskap",
    ],
    legal_forms: &["AS", "AS", "AS", "ASA"],
    cities: &[
        ("Oslo", "0150", ""),
        ("Bergen", "5003", ""),
        ("Trondheim", "7011", ""),
        ("Stavanger", "4006", ""),
        ("Kristiansand", "4611", ""),
        ("Tromsø", "9008", ""),
        ("Drammen", "3015", ""),
        ("Fredrikstad", "1606", ""),
    ],
    calling_code: "+47",
    local_titles: &[
        "IT-sjef", "Innkjøpssjef", "Driftssjef", "Daglig leder", "Økonomisjef", "IT-ansvarlig",
    ],
};

#[rustfmt::skip]
pub(super) const FINLAND: Country = Country {
    code: "FI",
    tld: "fi",
    first_names: &[
        "Mikko", "Anna", "Juha", "Laura", "Jari", "Sanna", "Timo", "Heidi", "Antti", "Johanna",
        "Petri", "Katja", "Janne", "Riikka", "Ville", "Elina", "Markku", "Tiina", "Teemu", "Noora",
    ],
    last_names: &[
        "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
        "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen",
        "Heinonen", "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen",
    ],
    company_stems: &[
        "Pohjolan", "Saimaan", "Lapin", "Hämeen", "Karjalan", "Kymen", "Satakunnan", "Pirkan",
        "Uudenmaan", "Päijät-Hämeen",
    ],
    trades: &[
        "Logistiikka", "Energia", "Rakennus", "Konepaja", "Tilintarkastus", "Data", "Kuljetus",
        "Kiinteistöt", "Elintarvike", "Teknologia",
    ],
    legal_forms: &["Oy", "Oy", "Oy", "Oyj"],
    cities: &[
        ("Helsinki", "00100", "9"),
        ("Espoo", "02150", "9"),
        ("Tampere", "33100", "3"),
        ("Turku", "20100", "2"),
        ("Oulu", "90100", "8"),
        ("Vantaa", "01300", "9"),
        ("Jyväskylä", "40100", "14"),
        ("Kuopio", "70100", "17"),
    ],
    calling_code: "+358",
    local_titles: &[
        "IT-päällikkö", "Hankintapäällikkö", "Tietohallintojohtaja", "Toimitusjohtaja",
        "Talousjohtaja", "Kehityspäällikkö",
    ],
};

/// Titles as Nordic companies often write them, in English.
#[rustfmt::skip]
pub(super) const ENGLISH_TITLES: &[&str] = &[
    "IT Manager", "Head of IT", "CIO", "CTO", "IT Director", "Infrastructure Manager",
    "Procurement Manager", "CFO", "Operations Manager", "Head of Digital", "Systems Administrator",
    "Head of Security", "IT Architect", "Managing Director", "Service Delivery Manager",
    "Head of Operations",
];

/// Danish public bodies: the "Public sector Denmark" queue.
#[rustfmt::skip]
pub(super) const DANISH_PUBLIC_BODIES: &[(&str, &str, &str)] = &[
    ("Aarhus Kommune", "8000", "aarhus-kommune"),
    ("Odense Kommune", "5000", "odense-kommune"),
    ("Aalborg Kommune", "9000", "aalborg-kommune"),
    ("Vejle Kommune", "7100", "vejle-kommune"),
    ("Esbjerg Kommune", "6700", "esbjerg-kommune"),
    ("Silkeborg Kommune", "8600", "silkeborg-kommune"),
    ("Holbæk Kommune", "4300", "holbaek-kommune"),
    ("Viborg Kommune", "8800", "viborg-kommune"),
    ("Region Midtjylland", "8800", "region-midtjylland"),
    ("Region Syddanmark", "7100", "region-syddanmark"),
    ("Region Nordjylland", "9000", "region-nordjylland"),
    ("Region Sjælland", "4180", "region-sjaelland"),
    ("Professionshøjskolen Nord", "9000", "ph-nord"),
    ("Erhvervsakademi Sydvest", "6700", "eak-sydvest"),
];

/// Public-sector titles, in Danish.
#[rustfmt::skip]
pub(super) const PUBLIC_TITLES: &[&str] = &[
    "IT-chef", "Digitaliseringschef", "Indkøbskonsulent", "Informationssikkerhedskoordinator",
    "Teamleder, IT-drift", "Enhedschef",
];

/// What a lead asked about, as customers put it, and the product it names.
#[rustfmt::skip]
pub(super) const INTERESTS: &[(&str, &str)] = &[
    ("Wants a quote for Nordlys Backup", "Nordlys Backup"),
    ("Evaluating endpoint protection to replace their current suite", "Endpoint Protection"),
    ("Asked about single sign-on for their cloud apps", "Identity and SSO"),
    ("Interested in network monitoring for several sites", "Network Monitoring"),
    ("Planning a move of file servers to the cloud", "Cloud Migration"),
    ("Looking for managed patching of servers and laptops", "Managed Patching"),
    ("Needs e-mail security after a phishing incident", "E-mail Security"),
    ("Wants to consolidate licences across subsidiaries", "Licence Consolidation"),
    ("Asked for a demo of the security operations dashboard", "Security Operations"),
    ("Interested in a NIS2 readiness assessment", "NIS2 Assessment"),
    ("Looking at device management for field staff", "Device Management"),
    ("Wants log retention that satisfies their auditors", "Log Retention"),
];

/// How many people the customer has, as a phrase.
#[rustfmt::skip]
pub(super) const SIZES: &[&str] = &[
    "about 25 users", "around 60 employees", "120 seats", "some 250 users over three sites",
    "roughly 400 employees", "900 users in the Nordics",
];

/// When they want to move.
#[rustfmt::skip]
pub(super) const TIMINGS: &[&str] = &[
    "Budget approved for this quarter.", "Current contract ends in the autumn.",
    "Decision expected before the summer holidays.",
    "No budget yet; wants figures for next year's plan.", "Board meeting next month decides.",
    "Would like to start a pilot soon.",
];

/// Notes partners write after a call or a meeting.
#[rustfmt::skip]
pub(super) const NOTES: &[&str] = &[
    "Called; demo booked for next week.", "Sent the price list and two customer references.",
    "Left a voicemail, will try again on Thursday.",
    "Met on site. They want a pilot with one department first.",
    "Spoke to procurement; tender documents expected soon.",
    "Follow-up meeting with their CFO agreed.",
    "They already run a competitor; contract ends in eight months.",
    "Good fit. Preparing a proposal.",
];
