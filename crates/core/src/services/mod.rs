//! Use cases, written only against the ports.

mod auth;
mod calls;

pub use auth::{
    AuthDeps, AuthService, AuthenticateError, LoginError, LogoutError, RegisterError, Session,
};
pub use calls::{CallService, RecordCallError, UpdateCallError};
