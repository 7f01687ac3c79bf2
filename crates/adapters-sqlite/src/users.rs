//! User accounts: the `UserRepository` port.

use async_trait::async_trait;
use calls_core::domain::{Email, NewUser, PasswordHash, User, UserId};
use calls_core::ports::{CreateUserError, StorageError, UserRepository};
use diesel::SqliteConnection;
use diesel::prelude::*;

use crate::errors::{is_email_conflict, storage_error};
use crate::models::{NewUserRow, UserRow, id_text, stored_email};
use crate::schema::users;
use crate::storage::SqliteStorage;

#[async_trait]
impl UserRepository for SqliteStorage {
    async fn create(&self, user: NewUser) -> Result<User, CreateUserError> {
        self.db
            .run("create_user", move |conn| insert(conn, &user))
            .await
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StorageError> {
        let email = stored_email(email);
        self.db
            .run("find_user_by_email", move |conn| {
                users::table
                    .filter(users::email.eq(email))
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()
                    .map_err(storage_error)?
                    .map(User::try_from)
                    .transpose()
            })
            .await
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StorageError> {
        self.db
            .run("find_user_by_id", move |conn| {
                users::table
                    .find(id_text(id.as_uuid()))
                    .select(UserRow::as_select())
                    .first(conn)
                    .optional()
                    .map_err(storage_error)?
                    .map(User::try_from)
                    .transpose()
            })
            .await
    }

    async fn update_password_hash(
        &self,
        id: UserId,
        hash: PasswordHash,
    ) -> Result<bool, StorageError> {
        self.db
            .run("update_password_hash", move |conn| {
                diesel::update(users::table.find(id_text(id.as_uuid())))
                    .set(users::password_hash.eq(hash.as_str()))
                    .execute(conn)
                    .map(|updated| updated > 0)
                    .map_err(storage_error)
            })
            .await
    }

    async fn delete(&self, id: UserId) -> Result<bool, StorageError> {
        self.db
            .run("delete_user", move |conn| delete(conn, id))
            .await
    }
}

/// The unique constraint on `users.email` decides, so concurrent registrations of one address
/// get exactly one success.
fn insert(conn: &mut SqliteConnection, user: &NewUser) -> Result<User, CreateUserError> {
    let row = diesel::insert_into(users::table)
        .values(NewUserRow::new(user))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .map_err(|error| {
            if is_email_conflict(&error) {
                CreateUserError::EmailTaken
            } else {
                storage_error(error).into()
            }
        })?;
    Ok(User::try_from(row)?)
}

pub(crate) fn delete(conn: &mut SqliteConnection, id: UserId) -> Result<bool, StorageError> {
    diesel::delete(users::table.find(id_text(id.as_uuid())))
        .execute(conn)
        .map(|deleted| deleted > 0)
        .map_err(storage_error)
}
