//! The list of passwords too common to allow.

use crate::domain::Password;

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait CommonPasswords: Send + Sync {
    /// Whether `password` is in a list of frequently used or leaked passwords.
    fn is_common(&self, password: &Password) -> bool;
}
