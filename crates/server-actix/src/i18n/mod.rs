//! Answers in the user's language (English, Russian): the language a request negotiates
//! ([`Language`], from `Accept-Language`), the Fluent catalogs in `locales/<language>/`, and the
//! middleware that renders every error in the negotiated language.
//!
//! Text of other kinds (an e-mail) uses the same pieces: take [`Language`] as an extractor in
//! the handler, add the entries to every language's catalog (a file of its own is listed in
//! `catalog.rs`), and call [`render`] with the id and its arguments, as the password-reset
//! e-mail does ([`CatalogMailTemplates`]).

mod catalog;
mod language;
mod mail;
mod middleware;

pub use catalog::{Arg, catalog_ids, catalog_problems, render, try_render};
pub use language::Language;
pub use mail::{
    CatalogMailTemplates, PASSWORD_RESET_ACCEPTED, PASSWORD_RESET_BODY, PASSWORD_RESET_SUBJECT,
};
pub use middleware::localise;
