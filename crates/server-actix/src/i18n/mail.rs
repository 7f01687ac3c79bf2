//! The e-mails' words, from the catalogs (`locales/<language>/password-reset.ftl`): the
//! [`MailTemplates`] port, so that translators edit mail where they edit every other text.

use calls_core::ports::{MailTemplates, MailText, NameLanguage};

use super::{Language, render};

/// The message ids of the password-reset e-mail.
pub const PASSWORD_RESET_SUBJECT: &str = "password-reset-subject";
pub const PASSWORD_RESET_BODY: &str = "password-reset-body";
/// The answer to a reset request (not an e-mail; kept beside it).
pub const PASSWORD_RESET_ACCEPTED: &str = "password-reset-accepted";

#[derive(Debug, Clone, Copy, Default)]
pub struct CatalogMailTemplates;

impl MailTemplates for CatalogMailTemplates {
    fn password_reset(&self, language: NameLanguage, link: &str, valid_minutes: u64) -> MailText {
        let language = Language::from(language);
        MailText {
            subject: render(language, PASSWORD_RESET_SUBJECT, &[]),
            text: render(
                language,
                PASSWORD_RESET_BODY,
                &[
                    ("link", link.to_owned().into()),
                    ("minutes", valid_minutes.into()),
                ],
            ),
        }
    }
}
