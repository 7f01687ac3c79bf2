//! Which language a request is answered in: `Accept-Language` (RFC 9110 section 12.5.4), its
//! quality values honoured, matched on the primary language subtag so that `ru-RU` and `ru`
//! both mean Russian. Anything else (no header, only unsupported languages, a malformed
//! header) is English: the header never causes an error, since the answer is the same API in
//! another language.

use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{FromRequest, HttpRequest};

/// The languages the catalogs exist in. The first is the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Language {
    #[default]
    En,
    Ru,
}

impl From<Language> for calls_core::ports::NameLanguage {
    fn from(language: Language) -> Self {
        match language {
            Language::En => Self::English,
            Language::Ru => Self::Russian,
        }
    }
}

impl From<calls_core::ports::NameLanguage> for Language {
    fn from(language: calls_core::ports::NameLanguage) -> Self {
        match language {
            calls_core::ports::NameLanguage::English => Language::En,
            calls_core::ports::NameLanguage::Russian => Language::Ru,
        }
    }
}

/// Longer headers are not read (English); real browsers send a few dozen bytes.
const MAX_HEADER_BYTES: usize = 1024;

impl Language {
    /// Every supported language, the default first.
    pub const ALL: [Language; 2] = [Language::En, Language::Ru];

    /// The BCP 47 tag, as `Content-Language` carries it.
    pub const fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ru => "ru",
        }
    }

    /// The language of a primary subtag (`ru` of `ru-RU`), any case.
    fn of_primary_subtag(subtag: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|language| language.tag().eq_ignore_ascii_case(subtag))
    }

    /// The best supported language for an `Accept-Language` value, English when none is
    /// acceptable or the value cannot be read. Each supported language gets the highest quality
    /// among the ranges naming it, else that of `*`; the highest quality wins, a tie goes to the
    /// language named first, and a language only `*` reaches to the default.
    pub fn negotiate(accept_language: &str) -> Self {
        if accept_language.len() > MAX_HEADER_BYTES {
            return Self::default();
        }
        // (quality in thousandths, position of the range that gave it) per language.
        let mut named: [Option<(u16, usize)>; 2] = [None, None];
        let mut wildcard: Option<u16> = None;
        for (position, item) in accept_language.split(',').enumerate() {
            let Some((range, quality)) = parse_item(item) else {
                continue;
            };
            if range == "*" {
                wildcard = wildcard.max(Some(quality));
                continue;
            }
            let primary = range.split('-').next().unwrap_or_default();
            let Some(language) = Self::of_primary_subtag(primary) else {
                continue;
            };
            let slot = &mut named[language as usize];
            if slot.is_none_or(|(q, _)| quality > q) {
                *slot = Some((quality, position));
            }
        }
        let mut chosen = Self::default();
        let mut chosen_rank: Option<(u16, usize)> = None;
        for language in Self::ALL {
            // A language reached only through `*` ranks after every named one of its quality.
            let rank = named[language as usize].or(wildcard.map(|q| (q, usize::MAX)));
            let Some((quality, position)) = rank.filter(|(quality, _)| *quality > 0) else {
                continue;
            };
            let better = chosen_rank.is_none_or(|(best_quality, best_position)| {
                quality > best_quality || (quality == best_quality && position < best_position)
            });
            if better {
                chosen = language;
                chosen_rank = Some((quality, position));
            }
        }
        chosen
    }

    /// The request's language: its `Accept-Language` lines, joined as RFC 9110 allows.
    pub fn of_headers(headers: &HeaderMap) -> Self {
        let mut joined = String::new();
        for value in headers.get_all(header::ACCEPT_LANGUAGE) {
            let Ok(value) = value.to_str() else {
                return Self::default();
            };
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(value);
            if joined.len() > MAX_HEADER_BYTES {
                return Self::default();
            }
        }
        Self::negotiate(&joined)
    }

    pub fn of_request(req: &HttpRequest) -> Self {
        Self::of_headers(req.headers())
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// The negotiated language, for a handler that renders text of its own (an e-mail).
impl FromRequest for Language {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of_request(req)))
    }
}

/// One `range;q=value` element: the range, lower-cased, and its quality in thousandths.
/// `None` for an empty or malformed element, which is skipped.
fn parse_item(item: &str) -> Option<(String, u16)> {
    let mut parts = item.split(';');
    let range = parts.next()?.trim();
    if !is_language_range(range) {
        return None;
    }
    let mut quality = 1000;
    for parameter in parts {
        let (name, value) = parameter.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("q") {
            return None;
        }
        quality = parse_quality(value.trim())?;
    }
    Some((range.to_ascii_lowercase(), quality))
}

/// `*`, or 1 to 8 letters followed by `-` and 1 to 8 letters or digits, any number of times.
fn is_language_range(range: &str) -> bool {
    if range == "*" {
        return true;
    }
    let mut subtags = range.split('-');
    let primary_ok = subtags
        .next()
        .is_some_and(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// RFC 9110 `qvalue`: `0`, `1`, or up to three decimals (`0.5`, `1.000`).
fn parse_quality(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiated(header: &str) -> &'static str {
        Language::negotiate(header).tag()
    }

    #[test]
    fn russian_in_any_region_or_case() {
        for header in ["ru", "ru-RU", "RU-ru", "ru-Cyrl-RU", " ru ; q=0.8 "] {
            assert_eq!(negotiated(header), "ru", "{header}");
        }
    }

    #[test]
    fn unsupported_or_absent_is_english() {
        for header in ["", "de", "de-DE, fr;q=0.9", "zh-Hant-TW", "rus", "russian"] {
            assert_eq!(negotiated(header), "en", "{header:?}");
        }
    }

    #[test]
    fn quality_values_decide() {
        assert_eq!(negotiated("en;q=0.5, ru;q=0.9"), "ru");
        assert_eq!(negotiated("ru;q=0.5, en"), "en");
        assert_eq!(negotiated("de, ru;q=0.1"), "ru");
        assert_eq!(negotiated("ru-RU;q=0.9, en-US;q=0.8, en;q=0.7"), "ru");
        assert_eq!(negotiated("en-GB;q=0.2, ru;q=0.3, en;q=0.4"), "en");
        assert_eq!(negotiated("ru;q=1.000, en;q=0.999"), "ru");
    }

    #[test]
    fn a_zero_quality_refuses_a_language() {
        assert_eq!(negotiated("ru;q=0"), "en");
        assert_eq!(negotiated("ru;q=0.000, de"), "en");
        // Nothing acceptable at all: still English, never an error.
        assert_eq!(negotiated("en;q=0, ru;q=0"), "en");
    }

    #[test]
    fn ties_go_to_the_language_named_first() {
        assert_eq!(negotiated("ru, en"), "ru");
        assert_eq!(negotiated("en, ru"), "en");
        assert_eq!(negotiated("ru;q=0.5, en;q=0.5"), "ru");
        assert_eq!(negotiated("de;q=0.9, en-US;q=0.5, ru;q=0.5"), "en");
    }

    #[test]
    fn the_wildcard_reaches_languages_not_named() {
        assert_eq!(negotiated("*"), "en");
        assert_eq!(negotiated("de, *;q=0.5"), "en");
        assert_eq!(negotiated("en;q=0, *"), "ru");
        assert_eq!(negotiated("*;q=0.5, ru;q=0.6"), "ru");
        // A named language beats `*` at the same quality, wherever `*` stands.
        assert_eq!(negotiated("*, ru"), "ru");
        assert_eq!(negotiated("*;q=0"), "en");
    }

    #[test]
    fn malformed_elements_are_skipped_and_never_fail() {
        assert_eq!(negotiated("ru;q=2"), "en");
        assert_eq!(negotiated("ru;q=0.5000"), "en");
        assert_eq!(negotiated("ru;q=abc"), "en");
        assert_eq!(negotiated("ru;q"), "en");
        assert_eq!(negotiated("ru;level=1"), "en");
        assert_eq!(negotiated("ru_RU"), "en");
        assert_eq!(negotiated("ru-"), "en");
        assert_eq!(negotiated("toolongsubtag"), "en");
        assert_eq!(negotiated(",,;;==,"), "en");
        assert_eq!(negotiated("\u{430}\u{431}"), "en");
        assert_eq!(negotiated("garbage;;, ru"), "ru");
        assert_eq!(negotiated(&format!("{}, ru", "x-y,".repeat(300))), "en");
    }

    #[test]
    fn header_lines_are_joined_and_unreadable_ones_are_english() {
        let mut headers = HeaderMap::new();
        assert_eq!(Language::of_headers(&headers), Language::En);
        headers.append(
            header::ACCEPT_LANGUAGE,
            header::HeaderValue::from_static("de"),
        );
        headers.append(
            header::ACCEPT_LANGUAGE,
            header::HeaderValue::from_static("ru;q=0.5"),
        );
        assert_eq!(Language::of_headers(&headers), Language::Ru);
        headers.append(
            header::ACCEPT_LANGUAGE,
            header::HeaderValue::from_bytes(b"\xff").expect("opaque value"),
        );
        assert_eq!(Language::of_headers(&headers), Language::En);
    }
}
