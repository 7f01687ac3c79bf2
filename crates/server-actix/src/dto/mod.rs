//! Wire shapes, exactly as the contract (and the existing browser client) spells them.

pub mod account;
pub mod auth;
pub mod calls;
pub mod countries;
pub mod export;
pub mod history;
pub mod password_reset;
pub mod time;
pub mod voice;
