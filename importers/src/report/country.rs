//! Countries: report files name them by ISO alpha-2, alpha-3 or an English name; records always
//! carry the alpha-2 code so that the same country from two sources lands on the same key.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 3166-1 country (or Kosovo, `XK`, which trackers report although ISO has not assigned
/// it), held as its upper-case alpha-2 code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// The alpha-2 code, e.g. `"US"`.
    pub fn code(&self) -> &str {
        // Only ever built from the ASCII table below.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The country's English short name from ISO 3166-1.
    pub fn name(&self) -> &'static str {
        COUNTRIES
            .iter()
            .find(|c| c.0.as_bytes() == self.0)
            .map_or("", |c| c.2)
    }

    /// Reads an alpha-2 code, an alpha-3 code or an English name (case, spaces, punctuation and
    /// accents do not matter). `Ok(None)` means the value says "no country" (`--`, `unknown`,
    /// `ZZ`, `(not set)`), which trackers write for traffic they could not place.
    pub fn parse(value: &str) -> Result<Option<Country>, UnknownCountry> {
        if is_unplaced(value) {
            return Ok(None);
        }
        let mut key = [0u8; 64];
        let Some(len) = fold_key(value, &mut key) else {
            return Err(UnknownCountry);
        };
        let key = &key[..len];
        if key.is_empty() {
            return Ok(None);
        }
        // The key is made of ASCII letters and digits only.
        let key = std::str::from_utf8(key).map_err(|_| UnknownCountry)?;
        if NO_COUNTRY.contains(&key) {
            return Ok(None);
        }
        match INDEX.get(key) {
            Some(c) => Ok(Some(*c)),
            None => Err(UnknownCountry),
        }
    }

    /// Every country the parser knows, in alpha-2 order.
    pub fn all() -> impl Iterator<Item = Country> {
        COUNTRIES.iter().map(|c| Country(alpha2_bytes(c.0)))
    }
}

/// The value named no country the parser knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownCountry;

/// Values that stand for "no country" once folded to a key. `na` is not among them: it is
/// Namibia; `n/a` would fold to `na` too, so [`is_unplaced`] looks at it before folding.
const NO_COUNTRY: &[&str] = &[
    "unknown",
    "zz",
    "xx",
    "notset",
    "other",
    "others",
    "none",
    "null",
    "world",
    "worldwide",
    "ww",
    "global",
    "all",
    "undefined",
    "a1",
    "a2",
    "o1",
];

/// Raw spellings of "no country" that would fold to a real key or to nothing.
fn is_unplaced(value: &str) -> bool {
    let v = value.trim();
    v.eq_ignore_ascii_case("n/a") || v.chars().all(|c| c == '-' || c == '—' || c == '–')
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        match Country::parse(&code) {
            Ok(Some(c)) => Ok(c),
            _ => Err(serde::de::Error::custom(format!(
                "unknown country `{code}`"
            ))),
        }
    }
}

/// Folds `value` into `out` as lower-case ASCII letters and digits, dropping spaces and
/// punctuation and stripping accents, so "Côte d'Ivoire", "COTE D IVOIRE" and "cote-divoire"
/// meet on one key. `None` when the value holds a letter we cannot fold (a name in another
/// script) or is too long to be a country.
fn fold_key(value: &str, out: &mut [u8; 64]) -> Option<usize> {
    let mut len = 0;
    for c in value.chars() {
        let folded = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else if c.is_ascii() || c.is_whitespace() || matches!(c, '’' | '‘' | '—' | '–') {
            continue;
        } else {
            fold_accent(c)?
        };
        if len == out.len() {
            return None;
        }
        out[len] = folded as u8;
        len += 1;
    }
    Some(len)
}

fn fold_accent(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        _ => return None,
    })
}

fn alpha2_bytes(code: &str) -> [u8; 2] {
    let b = code.as_bytes();
    [b[0], b[1]]
}

static INDEX: LazyLock<HashMap<String, Country>> = LazyLock::new(|| {
    let mut map = HashMap::with_capacity(COUNTRIES.len() * 3 + ALIASES.len());
    let mut add = |name: &str, country: Country| {
        let mut key = [0u8; 64];
        if let Some(len) = fold_key(name, &mut key)
            && let Ok(k) = std::str::from_utf8(&key[..len])
        {
            map.entry(k.to_string()).or_insert(country);
        }
    };
    for (a2, a3, name) in COUNTRIES {
        let country = Country(alpha2_bytes(a2));
        add(a2, country);
        add(a3, country);
        add(name, country);
    }
    for (alias, a2) in ALIASES {
        add(alias, Country(alpha2_bytes(a2)));
    }
    map
});

/// Names in common use that differ from the ISO short names, as written by ad networks and
/// trackers (Moloco writes "Korea, Republic of"; Voluum writes "South Korea").
const ALIASES: &[(&str, &str)] = &[
    ("United States", "US"),
    ("America", "US"),
    ("U.S.", "US"),
    ("UK", "GB"),
    ("United Kingdom", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("England", "GB"),
    ("Russia", "RU"),
    ("South Korea", "KR"),
    ("Korea", "KR"),
    ("Republic of Korea", "KR"),
    ("North Korea", "KP"),
    ("Vietnam", "VN"),
    ("Iran", "IR"),
    ("Syria", "SY"),
    ("Laos", "LA"),
    ("Moldova", "MD"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
    ("Tanzania", "TZ"),
    ("Czech Republic", "CZ"),
    ("Ivory Coast", "CI"),
    ("Macedonia", "MK"),
    ("Turkey", "TR"),
    ("Taiwan", "TW"),
    ("Macau", "MO"),
    ("Palestine", "PS"),
    ("Brunei", "BN"),
    ("Micronesia", "FM"),
    ("DR Congo", "CD"),
    ("Democratic Republic of the Congo", "CD"),
    ("Congo (Kinshasa)", "CD"),
    ("Congo-Kinshasa", "CD"),
    ("Republic of the Congo", "CG"),
    ("Congo (Brazzaville)", "CG"),
    ("Congo-Brazzaville", "CG"),
    ("Cape Verde", "CV"),
    ("Swaziland", "SZ"),
    ("Burma", "MM"),
    ("East Timor", "TL"),
    ("Vatican", "VA"),
    ("Vatican City", "VA"),
    ("Saint Martin", "MF"),
    ("Sint Maarten", "SX"),
    ("Falkland Islands", "FK"),
    ("British Virgin Islands", "VG"),
    ("US Virgin Islands", "VI"),
    ("Kosovo", "XK"),
    ("XKX", "XK"),
    ("The Bahamas", "BS"),
    ("The Gambia", "GM"),
    ("The Netherlands", "NL"),
    ("Holland", "NL"),
    ("UAE", "AE"),
    ("Hong Kong SAR", "HK"),
    ("Macao SAR", "MO"),
    ("St Kitts and Nevis", "KN"),
    ("St Lucia", "LC"),
    ("St Vincent and the Grenadines", "VC"),
    ("Saint Vincent", "VC"),
    ("Trinidad", "TT"),
    ("Bosnia", "BA"),
    ("Reunion", "RE"),
    ("Curacao", "CW"),
    ("Pitcairn Islands", "PN"),
    ("Heard and McDonald Islands", "HM"),
    ("South Georgia", "GS"),
    ("Svalbard", "SJ"),
    ("Wallis and Futuna Islands", "WF"),
    ("Caribbean Netherlands", "BQ"),
    ("Bonaire", "BQ"),
    ("Slovak Republic", "SK"),
    ("Kyrgyz Republic", "KG"),
    ("Lao PDR", "LA"),
    ("Turkiye", "TR"),
];

/// ISO 3166-1: alpha-2, alpha-3, English short name. All 249 officially assigned entries, plus
/// Kosovo (XK), which trackers' GeoIP databases report.
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("AD", "AND", "Andorra"),
    ("AE", "ARE", "United Arab Emirates"),
    ("AF", "AFG", "Afghanistan"),
    ("AG", "ATG", "Antigua and Barbuda"),
    ("AI", "AIA", "Anguilla"),
    ("AL", "ALB", "Albania"),
    ("AM", "ARM", "Armenia"),
    ("AO", "AGO", "Angola"),
    ("AQ", "ATA", "Antarctica"),
    ("AR", "ARG", "Argentina"),
    ("AS", "ASM", "American Samoa"),
    ("AT", "AUT", "Austria"),
    ("AU", "AUS", "Australia"),
    ("AW", "ABW", "Aruba"),
    ("AX", "ALA", "Åland Islands"),
    ("AZ", "AZE", "Azerbaijan"),
    ("BA", "BIH", "Bosnia and Herzegovina"),
    ("BB", "BRB", "Barbados"),
    ("BD", "BGD", "Bangladesh"),
    ("BE", "BEL", "Belgium"),
    ("BF", "BFA", "Burkina Faso"),
    ("BG", "BGR", "Bulgaria"),
    ("BH", "BHR", "Bahrain"),
    ("BI", "BDI", "Burundi"),
    ("BJ", "BEN", "Benin"),
    ("BL", "BLM", "Saint Barthélemy"),
    ("BM", "BMU", "Bermuda"),
    ("BN", "BRN", "Brunei Darussalam"),
    ("BO", "BOL", "Bolivia (Plurinational State of)"),
    ("BQ", "BES", "Bonaire, Sint Eustatius and Saba"),
    ("BR", "BRA", "Brazil"),
    ("BS", "BHS", "Bahamas"),
    ("BT", "BTN", "Bhutan"),
    ("BV", "BVT", "Bouvet Island"),
    ("BW", "BWA", "Botswana"),
    ("BY", "BLR", "Belarus"),
    ("BZ", "BLZ", "Belize"),
    ("CA", "CAN", "Canada"),
    ("CC", "CCK", "Cocos (Keeling) Islands"),
    ("CD", "COD", "Congo, Democratic Republic of the"),
    ("CF", "CAF", "Central African Republic"),
    ("CG", "COG", "Congo"),
    ("CH", "CHE", "Switzerland"),
    ("CI", "CIV", "Côte d'Ivoire"),
    ("CK", "COK", "Cook Islands"),
    ("CL", "CHL", "Chile"),
    ("CM", "CMR", "Cameroon"),
    ("CN", "CHN", "China"),
    ("CO", "COL", "Colombia"),
    ("CR", "CRI", "Costa Rica"),
    ("CU", "CUB", "Cuba"),
    ("CV", "CPV", "Cabo Verde"),
    ("CW", "CUW", "Curaçao"),
    ("CX", "CXR", "Christmas Island"),
    ("CY", "CYP", "Cyprus"),
    ("CZ", "CZE", "Czechia"),
    ("DE", "DEU", "Germany"),
    ("DJ", "DJI", "Djibouti"),
    ("DK", "DNK", "Denmark"),
    ("DM", "DMA", "Dominica"),
    ("DO", "DOM", "Dominican Republic"),
    ("DZ", "DZA", "Algeria"),
    ("EC", "ECU", "Ecuador"),
    ("EE", "EST", "Estonia"),
    ("EG", "EGY", "Egypt"),
    ("EH", "ESH", "Western Sahara"),
    ("ER", "ERI", "Eritrea"),
    ("ES", "ESP", "Spain"),
    ("ET", "ETH", "Ethiopia"),
    ("FI", "FIN", "Finland"),
    ("FJ", "FJI", "Fiji"),
    ("FK", "FLK", "Falkland Islands (Malvinas)"),
    ("FM", "FSM", "Micronesia (Federated States of)"),
    ("FO", "FRO", "Faroe Islands"),
    ("FR", "FRA", "France"),
    ("GA", "GAB", "Gabon"),
    (
        "GB",
        "GBR",
        "United Kingdom of Great Britain and Northern Ireland",
    ),
    ("GD", "GRD", "Grenada"),
    ("GE", "GEO", "Georgia"),
    ("GF", "GUF", "French Guiana"),
    ("GG", "GGY", "Guernsey"),
    ("GH", "GHA", "Ghana"),
    ("GI", "GIB", "Gibraltar"),
    ("GL", "GRL", "Greenland"),
    ("GM", "GMB", "Gambia"),
    ("GN", "GIN", "Guinea"),
    ("GP", "GLP", "Guadeloupe"),
    ("GQ", "GNQ", "Equatorial Guinea"),
    ("GR", "GRC", "Greece"),
    ("GS", "SGS", "South Georgia and the South Sandwich Islands"),
    ("GT", "GTM", "Guatemala"),
    ("GU", "GUM", "Guam"),
    ("GW", "GNB", "Guinea-Bissau"),
    ("GY", "GUY", "Guyana"),
    ("HK", "HKG", "Hong Kong"),
    ("HM", "HMD", "Heard Island and McDonald Islands"),
    ("HN", "HND", "Honduras"),
    ("HR", "HRV", "Croatia"),
    ("HT", "HTI", "Haiti"),
    ("HU", "HUN", "Hungary"),
    ("ID", "IDN", "Indonesia"),
    ("IE", "IRL", "Ireland"),
    ("IL", "ISR", "Israel"),
    ("IM", "IMN", "Isle of Man"),
    ("IN", "IND", "India"),
    ("IO", "IOT", "British Indian Ocean Territory"),
    ("IQ", "IRQ", "Iraq"),
    ("IR", "IRN", "Iran (Islamic Republic of)"),
    ("IS", "ISL", "Iceland"),
    ("IT", "ITA", "Italy"),
    ("JE", "JEY", "Jersey"),
    ("JM", "JAM", "Jamaica"),
    ("JO", "JOR", "Jordan"),
    ("JP", "JPN", "Japan"),
    ("KE", "KEN", "Kenya"),
    ("KG", "KGZ", "Kyrgyzstan"),
    ("KH", "KHM", "Cambodia"),
    ("KI", "KIR", "Kiribati"),
    ("KM", "COM", "Comoros"),
    ("KN", "KNA", "Saint Kitts and Nevis"),
    ("KP", "PRK", "Korea (Democratic People's Republic of)"),
    ("KR", "KOR", "Korea, Republic of"),
    ("KW", "KWT", "Kuwait"),
    ("KY", "CYM", "Cayman Islands"),
    ("KZ", "KAZ", "Kazakhstan"),
    ("LA", "LAO", "Lao People's Democratic Republic"),
    ("LB", "LBN", "Lebanon"),
    ("LC", "LCA", "Saint Lucia"),
    ("LI", "LIE", "Liechtenstein"),
    ("LK", "LKA", "Sri Lanka"),
    ("LR", "LBR", "Liberia"),
    ("LS", "LSO", "Lesotho"),
    ("LT", "LTU", "Lithuania"),
    ("LU", "LUX", "Luxembourg"),
    ("LV", "LVA", "Latvia"),
    ("LY", "LBY", "Libya"),
    ("MA", "MAR", "Morocco"),
    ("MC", "MCO", "Monaco"),
    ("MD", "MDA", "Moldova, Republic of"),
    ("ME", "MNE", "Montenegro"),
    ("MF", "MAF", "Saint Martin (French part)"),
    ("MG", "MDG", "Madagascar"),
    ("MH", "MHL", "Marshall Islands"),
    ("MK", "MKD", "North Macedonia"),
    ("ML", "MLI", "Mali"),
    ("MM", "MMR", "Myanmar"),
    ("MN", "MNG", "Mongolia"),
    ("MO", "MAC", "Macao"),
    ("MP", "MNP", "Northern Mariana Islands"),
    ("MQ", "MTQ", "Martinique"),
    ("MR", "MRT", "Mauritania"),
    ("MS", "MSR", "Montserrat"),
    ("MT", "MLT", "Malta"),
    ("MU", "MUS", "Mauritius"),
    ("MV", "MDV", "Maldives"),
    ("MW", "MWI", "Malawi"),
    ("MX", "MEX", "Mexico"),
    ("MY", "MYS", "Malaysia"),
    ("MZ", "MOZ", "Mozambique"),
    ("NA", "NAM", "Namibia"),
    ("NC", "NCL", "New Caledonia"),
    ("NE", "NER", "Niger"),
    ("NF", "NFK", "Norfolk Island"),
    ("NG", "NGA", "Nigeria"),
    ("NI", "NIC", "Nicaragua"),
    ("NL", "NLD", "Netherlands"),
    ("NO", "NOR", "Norway"),
    ("NP", "NPL", "Nepal"),
    ("NR", "NRU", "Nauru"),
    ("NU", "NIU", "Niue"),
    ("NZ", "NZL", "New Zealand"),
    ("OM", "OMN", "Oman"),
    ("PA", "PAN", "Panama"),
    ("PE", "PER", "Peru"),
    ("PF", "PYF", "French Polynesia"),
    ("PG", "PNG", "Papua New Guinea"),
    ("PH", "PHL", "Philippines"),
    ("PK", "PAK", "Pakistan"),
    ("PL", "POL", "Poland"),
    ("PM", "SPM", "Saint Pierre and Miquelon"),
    ("PN", "PCN", "Pitcairn"),
    ("PR", "PRI", "Puerto Rico"),
    ("PS", "PSE", "Palestine, State of"),
    ("PT", "PRT", "Portugal"),
    ("PW", "PLW", "Palau"),
    ("PY", "PRY", "Paraguay"),
    ("QA", "QAT", "Qatar"),
    ("RE", "REU", "Réunion"),
    ("RO", "ROU", "Romania"),
    ("RS", "SRB", "Serbia"),
    ("RU", "RUS", "Russian Federation"),
    ("RW", "RWA", "Rwanda"),
    ("SA", "SAU", "Saudi Arabia"),
    ("SB", "SLB", "Solomon Islands"),
    ("SC", "SYC", "Seychelles"),
    ("SD", "SDN", "Sudan"),
    ("SE", "SWE", "Sweden"),
    ("SG", "SGP", "Singapore"),
    ("SH", "SHN", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SI", "SVN", "Slovenia"),
    ("SJ", "SJM", "Svalbard and Jan Mayen"),
    ("SK", "SVK", "Slovakia"),
    ("SL", "SLE", "Sierra Leone"),
    ("SM", "SMR", "San Marino"),
    ("SN", "SEN", "Senegal"),
    ("SO", "SOM", "Somalia"),
    ("SR", "SUR", "Suriname"),
    ("SS", "SSD", "South Sudan"),
    ("ST", "STP", "Sao Tome and Principe"),
    ("SV", "SLV", "El Salvador"),
    ("SX", "SXM", "Sint Maarten (Dutch part)"),
    ("SY", "SYR", "Syrian Arab Republic"),
    ("SZ", "SWZ", "Eswatini"),
    ("TC", "TCA", "Turks and Caicos Islands"),
    ("TD", "TCD", "Chad"),
    ("TF", "ATF", "French Southern Territories"),
    ("TG", "TGO", "Togo"),
    ("TH", "THA", "Thailand"),
    ("TJ", "TJK", "Tajikistan"),
    ("TK", "TKL", "Tokelau"),
    ("TL", "TLS", "Timor-Leste"),
    ("TM", "TKM", "Turkmenistan"),
    ("TN", "TUN", "Tunisia"),
    ("TO", "TON", "Tonga"),
    ("TR", "TUR", "Türkiye"),
    ("TT", "TTO", "Trinidad and Tobago"),
    ("TV", "TUV", "Tuvalu"),
    ("TW", "TWN", "Taiwan, Province of China"),
    ("TZ", "TZA", "Tanzania, United Republic of"),
    ("UA", "UKR", "Ukraine"),
    ("UG", "UGA", "Uganda"),
    ("UM", "UMI", "United States Minor Outlying Islands"),
    ("US", "USA", "United States of America"),
    ("UY", "URY", "Uruguay"),
    ("UZ", "UZB", "Uzbekistan"),
    ("VA", "VAT", "Holy See"),
    ("VC", "VCT", "Saint Vincent and the Grenadines"),
    ("VE", "VEN", "Venezuela (Bolivarian Republic of)"),
    ("VG", "VGB", "Virgin Islands (British)"),
    ("VI", "VIR", "Virgin Islands (U.S.)"),
    ("VN", "VNM", "Viet Nam"),
    ("VU", "VUT", "Vanuatu"),
    ("WF", "WLF", "Wallis and Futuna"),
    ("WS", "WSM", "Samoa"),
    ("XK", "XKX", "Kosovo"),
    ("YE", "YEM", "Yemen"),
    ("YT", "MYT", "Mayotte"),
    ("ZA", "ZAF", "South Africa"),
    ("ZM", "ZMB", "Zambia"),
    ("ZW", "ZWE", "Zimbabwe"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn code(v: &str) -> Option<String> {
        Country::parse(v)
            .ok()
            .flatten()
            .map(|c| c.code().to_string())
    }

    #[test]
    fn table_holds_every_iso_entry_once() {
        // 249 assigned ISO 3166-1 codes plus XK.
        assert_eq!(COUNTRIES.len(), 250);
        let mut a2: Vec<_> = COUNTRIES.iter().map(|c| c.0).collect();
        let mut a3: Vec<_> = COUNTRIES.iter().map(|c| c.1).collect();
        a2.sort_unstable();
        a2.dedup();
        a3.sort_unstable();
        a3.dedup();
        assert_eq!(a2.len(), 250);
        assert_eq!(a3.len(), 250);
        for (a2, a3, name) in COUNTRIES {
            assert_eq!(code(a2).as_deref(), Some(*a2));
            assert_eq!(code(a3).as_deref(), Some(*a2), "{a3}");
            assert_eq!(code(name).as_deref(), Some(*a2), "{name}");
        }
    }

    #[test]
    fn names_codes_and_aliases() {
        assert_eq!(code("us").as_deref(), Some("US"));
        assert_eq!(code("USA").as_deref(), Some("US"));
        assert_eq!(code("United States").as_deref(), Some("US"));
        assert_eq!(code(" korea, republic of ").as_deref(), Some("KR"));
        assert_eq!(code("South Korea").as_deref(), Some("KR"));
        assert_eq!(code("COTE D'IVOIRE").as_deref(), Some("CI"));
        assert_eq!(code("Côte d’Ivoire").as_deref(), Some("CI"));
        assert_eq!(code("Türkiye").as_deref(), Some("TR"));
        assert_eq!(code("UK").as_deref(), Some("GB"));
        assert_eq!(code("NA").as_deref(), Some("NA"));
        for none in ["", "--", "-", "Unknown", "ZZ", "(not set)", "n/a", "N/A"] {
            assert_eq!(Country::parse(none), Ok(None), "{none}");
        }
        assert_eq!(Country::parse("Narnia"), Err(UnknownCountry));
        assert_eq!(Country::parse("Россия"), Err(UnknownCountry));
        assert_eq!(Country::parse(&"x".repeat(100)), Err(UnknownCountry));
    }

    #[test]
    fn serde_as_code() {
        let c = Country::parse("Germany").unwrap().unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"DE\"");
        assert_eq!(serde_json::from_str::<Country>("\"deu\"").unwrap(), c);
        assert_eq!(c.name(), "Germany");
    }
}
