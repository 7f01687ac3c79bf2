//! The domain of the calls platform, independent of any framework or database.
//!
//! * [`domain`]: entities and value objects. Constructors validate, so a value of these types is
//!   always well-formed and the rest of the code never re-checks it.
//! * [`ports`]: the traits the outside world implements (storage, hashing, tokens, voice
//!   provider and its webhooks' wire format, clock). Each operation documents the errors it can
//!   return.
//! * [`services`]: the use cases, written only against the ports.
//!
//! This crate must not depend on diesel, actix, reqwest, jsonwebtoken, argon2 or bcrypt: CI checks it.

pub mod domain;
pub mod ports;
pub mod services;
