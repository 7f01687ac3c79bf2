//! The message catalogs against the code: every error code the server can answer and every
//! message id it can use (enumerated from the registries in `src/error/`, so a code added on
//! any branch is caught here) has an entry in every language, no catalog has an entry the
//! server never uses, and each entry takes exactly the variables the server passes.

use std::collections::{BTreeSet, HashSet};

use calls_server_actix::error::{ErrorCode, messages};
use calls_server_actix::i18n::{Arg, Language, catalog_ids, catalog_problems, render, try_render};

const ERRORS_FILE: &str = "errors.ftl";

fn ids_of(language: Language, file: &str) -> BTreeSet<String> {
    catalog_ids(language)
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, ids)| ids.iter().cloned().collect())
        .unwrap_or_else(|| panic!("{language} has no {file}"))
}

#[test]
fn every_catalog_parses_and_loads() {
    for language in Language::ALL {
        assert_eq!(catalog_problems(language), &[] as &[String], "{language}");
    }
}

#[test]
fn every_error_code_has_its_own_message() {
    let ids: HashSet<&str> = messages::ALL.iter().map(|id| id.id()).collect();
    for code in ErrorCode::ALL {
        assert!(
            ids.contains(code.as_str()),
            "{code} has no message id named after it in src/error/messages.rs"
        );
    }
}

#[test]
fn message_ids_are_unique_and_named_after_their_code() {
    let mut seen = HashSet::new();
    for id in messages::ALL {
        assert!(seen.insert(id.id()), "{} is listed twice", id.id());
        let code = id.code().as_str();
        let named_after_code = id.id() == code
            || id
                .id()
                .strip_prefix(code)
                .is_some_and(|rest| rest.starts_with("--") && rest.len() > 2);
        assert!(
            named_after_code,
            "{} is not {code} or {code}--<variant>",
            id.id()
        );
    }
}

#[test]
fn every_language_has_exactly_the_error_messages_the_server_uses() {
    let used: BTreeSet<String> = messages::ALL.iter().map(|id| id.id().to_owned()).collect();
    for language in Language::ALL {
        let catalog = ids_of(language, ERRORS_FILE);
        let missing: Vec<_> = used.difference(&catalog).collect();
        let orphaned: Vec<_> = catalog.difference(&used).collect();
        assert!(
            missing.is_empty(),
            "locales/{language}/{ERRORS_FILE} lacks {missing:?}"
        );
        assert!(
            orphaned.is_empty(),
            "locales/{language}/{ERRORS_FILE} has entries no code uses: {orphaned:?}"
        );
    }
}

#[test]
fn other_catalog_files_have_the_same_entries_in_every_language() {
    let files = |language| -> BTreeSet<&str> {
        catalog_ids(language)
            .iter()
            .map(|(name, _)| *name)
            .collect()
    };
    let reference = files(Language::En);
    for language in Language::ALL {
        assert_eq!(files(language), reference, "{language}: catalog files");
        for file in &reference {
            assert_eq!(
                ids_of(language, file),
                ids_of(Language::En, file),
                "{language}/{file}: entries differ from en/{file}"
            );
        }
    }
}

/// Each entry, given its declared variables, renders without a Fluent error (so it uses no
/// variable the server does not pass) and shows every one of them.
#[test]
fn every_entry_takes_exactly_its_variables() {
    for language in Language::ALL {
        for id in messages::ALL {
            let args: Vec<(&str, Arg)> = id
                .variables()
                .iter()
                .map(|name| (*name, Arg::from(format!("<{name}>"))))
                .collect();
            let text = try_render(language, id.id(), &args)
                .unwrap_or_else(|problem| panic!("{language}: {problem}"));
            for name in id.variables() {
                assert!(
                    text.contains(&format!("<{name}>")),
                    "{language}/{}: never shows ${name}: {text}",
                    id.id()
                );
            }
        }
    }
}

/// A Russian entry that is still English (an entry copied and not translated) fails.
#[test]
fn russian_entries_are_in_russian() {
    for id in messages::ALL {
        let args: Vec<(&str, Arg)> = id
            .variables()
            .iter()
            .map(|name| (*name, Arg::Number(5)))
            .collect();
        let text = try_render(Language::Ru, id.id(), &args).expect("renders");
        assert!(
            text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)),
            "ru/{}: {text}",
            id.id()
        );
        assert_ne!(
            Some(text),
            try_render(Language::En, id.id(), &args).ok(),
            "ru/{} is the English text",
            id.id()
        );
    }
}

#[test]
fn counts_take_the_plural_form_of_each_language() {
    let seconds = |language, n: u64| {
        try_render(
            language,
            messages::RATE_LIMITED.id(),
            &[("seconds", Arg::Number(n))],
        )
        .expect("renders")
    };
    assert_eq!(
        seconds(Language::En, 1),
        "too many attempts; retry in 1 second"
    );
    assert_eq!(
        seconds(Language::En, 7),
        "too many attempts; retry in 7 seconds"
    );
    assert!(seconds(Language::Ru, 1).ends_with("через 1 секунду"));
    assert!(seconds(Language::Ru, 21).ends_with("через 21 секунду"));
    assert!(seconds(Language::Ru, 3).ends_with("через 3 секунды"));
    assert!(seconds(Language::Ru, 5).ends_with("через 5 секунд"));
    assert!(seconds(Language::Ru, 11).ends_with("через 11 секунд"));
}

#[test]
fn an_unknown_id_is_an_error_and_renders_as_itself() {
    assert!(try_render(Language::Ru, "no-such-message", &[]).is_err());
    assert_eq!(
        render(Language::Ru, "no-such-message", &[]),
        "no-such-message"
    );
}

const PASSWORD_RESET_FILE: &str = "password-reset.ftl";

#[test]
fn every_language_has_the_password_reset_texts_and_they_render() {
    use calls_core::ports::{MailTemplates, NameLanguage};
    use calls_server_actix::i18n::{
        CatalogMailTemplates, PASSWORD_RESET_ACCEPTED, PASSWORD_RESET_BODY, PASSWORD_RESET_SUBJECT,
    };

    let expected: BTreeSet<String> = [
        PASSWORD_RESET_ACCEPTED,
        PASSWORD_RESET_SUBJECT,
        PASSWORD_RESET_BODY,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let link = "https://calls.example/reset?token=abc";
    for language in Language::ALL {
        assert_eq!(
            ids_of(language, PASSWORD_RESET_FILE),
            expected,
            "{language}"
        );
        for id in [PASSWORD_RESET_ACCEPTED, PASSWORD_RESET_SUBJECT] {
            let text = try_render(language, id, &[]).unwrap_or_else(|problem| panic!("{problem}"));
            assert!(!text.trim().is_empty(), "{language}/{id}");
        }
        for minutes in [1_u64, 2, 5, 21, 30] {
            let body = try_render(
                language,
                PASSWORD_RESET_BODY,
                &[("link", Arg::from(link)), ("minutes", Arg::from(minutes))],
            )
            .unwrap_or_else(|problem| panic!("{problem}"));
            assert!(body.contains(link), "{language}: the link is in the body");
            assert!(
                body.contains(&format!(" {minutes} ")),
                "{language}: {minutes} minutes in {body}"
            );
        }
        let mail = CatalogMailTemplates.password_reset(language.into(), link, 30);
        assert!(mail.text.contains(link));
    }
    let russian = CatalogMailTemplates.password_reset(NameLanguage::Russian, link, 1);
    assert!(russian.text.contains("1 минуты"), "{}", russian.text);
    let russian = CatalogMailTemplates.password_reset(NameLanguage::Russian, link, 30);
    assert_eq!(russian.subject, "Сброс пароля");
    assert!(russian.text.contains("30 минут"), "{}", russian.text);
    let english = CatalogMailTemplates.password_reset(NameLanguage::English, link, 1);
    assert!(english.text.contains("1 minute:"), "{}", english.text);
}
