//! The message catalogs, one Fluent bundle per language, compiled into the binary
//! (`include_str!`): no file to deploy, and a catalog that does not parse fails the catalog
//! test rather than a server at start.
//!
//! A missing message or argument never fails a request: the English entry is used instead,
//! then the id itself, and the mistake is logged (the catalog test keeps it from shipping).

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast::Entry;

use super::Language;

/// The catalog files of each language: `(file name, contents)`. A new file (say the e-mails')
/// is added to every language here.
const FILES: [(Language, &[(&str, &str)]); 2] = [
    (
        Language::En,
        &[
            ("errors.ftl", include_str!("../../locales/en/errors.ftl")),
            (
                "password-reset.ftl",
                include_str!("../../locales/en/password-reset.ftl"),
            ),
        ],
    ),
    (
        Language::Ru,
        &[
            ("errors.ftl", include_str!("../../locales/ru/errors.ftl")),
            (
                "password-reset.ftl",
                include_str!("../../locales/ru/password-reset.ftl"),
            ),
        ],
    ),
];

/// A value for a Fluent variable. Numbers are kept as numbers so that the catalogs can choose
/// plural forms (`{ $seconds -> [one] ... *[other] ... }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(Cow<'static, str>),
    Number(u64),
}

impl From<&'static str> for Arg {
    fn from(text: &'static str) -> Self {
        Arg::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Text(Cow::Owned(text))
    }
}

macro_rules! number_args {
    ($($t:ty),+) => {$(
        impl From<$t> for Arg {
            fn from(number: $t) -> Self {
                Arg::Number(u64::try_from(number).unwrap_or(u64::MAX))
            }
        }
    )+};
}
number_args!(u16, u32, u64, usize);

struct Catalog {
    bundle: FluentBundle<FluentResource>,
    /// The message ids of each file, in file order.
    ids: Vec<(&'static str, Vec<String>)>,
    /// What did not parse or load, for the catalog test.
    problems: Vec<String>,
}

/// Indexed by `Language as usize`, as [`FILES`] is ordered.
static CATALOGS: LazyLock<[Catalog; 2]> =
    LazyLock::new(|| FILES.map(|(language, files)| load(language, files)));

fn load(language: Language, files: &[(&'static str, &'static str)]) -> Catalog {
    let tag = language.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // No Unicode isolation marks around arguments: the text goes into JSON and e-mails, both
    // left-to-right languages.
    bundle.set_use_isolating(false);
    let mut ids = Vec::new();
    let mut problems = Vec::new();
    for (name, source) in files {
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(resource) => resource,
            Err((resource, errors)) => {
                problems.push(format!("{language}/{name} does not parse: {errors:?}"));
                resource
            }
        };
        let file_ids = resource
            .entries()
            .filter_map(|entry| match entry {
                Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect();
        ids.push((*name, file_ids));
        if let Err(errors) = bundle.add_resource(resource) {
            problems.push(format!("{language}/{name} does not load: {errors:?}"));
        }
    }
    Catalog {
        bundle,
        ids,
        problems,
    }
}

fn catalog(language: Language) -> &'static Catalog {
    &CATALOGS[language as usize]
}

/// The text of message `id` in `language`, its variables set from `args`.
pub fn render(language: Language, id: &str, args: &[(&str, Arg)]) -> String {
    match try_render(language, id, args) {
        Ok(text) => text,
        Err(problem) => {
            tracing::error!(language = %language, id, %problem, "message catalog incomplete");
            if language != Language::En
                && let Ok(text) = try_render(Language::En, id, args)
            {
                return text;
            }
            id.to_owned()
        }
    }
}

/// [`render`], or what is wrong: no such message, or a variable it uses that `args` lacks.
pub fn try_render(language: Language, id: &str, args: &[(&str, Arg)]) -> Result<String, String> {
    let bundle = &catalog(language).bundle;
    let pattern = bundle
        .get_message(id)
        .and_then(|message| message.value())
        .ok_or_else(|| format!("no message {id} in {language}"))?;
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        let value = match value {
            Arg::Text(text) => FluentValue::from(text.as_ref()),
            // Exact for every count a message shows (limits, seconds, bytes).
            #[allow(clippy::cast_precision_loss)]
            Arg::Number(number) => FluentValue::from(*number as f64),
        };
        fluent_args.set(*name, value);
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if errors.is_empty() {
        Ok(text.into_owned())
    } else {
        Err(format!("{id} in {language}: {errors:?}"))
    }
}

/// The message ids of every catalog file of `language`: `(file name, ids)`.
pub fn catalog_ids(language: Language) -> &'static [(&'static str, Vec<String>)] {
    &catalog(language).ids
}

/// What in `language`'s catalogs does not parse or load (duplicate ids); empty when all is well.
pub fn catalog_problems(language: Language) -> &'static [String] {
    &catalog(language).problems
}
