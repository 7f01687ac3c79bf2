//! `stamp_user_repository!`: user accounts.

/// Implements `UserRepository` for the calling crate's storage type (which holds its
/// `Blocking` runner in a field `db`, over connections of type `connection`), over the rows of
/// [`stamp_rows!`](crate::stamp_rows).
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_user_repository {
    ($storage:ident, connection: $($connection:ident)::+ $(,)?) => {
        /// Ending a user's sessions inside a caller's transaction: shared by the user
        /// repository and the password resets.
        pub(crate) mod user_sessions {
            use calls_core::domain::{UserId, sessions_cutoff};
            use chrono::{DateTime, Utc};
            use diesel::prelude::*;

            use crate::columns::{StoredId, StoredTime};
            use crate::schema::users;

            /// Moves the user's cutoff to `sessions_cutoff(at)` unless it is there or later
            /// already; the cutoff in force, `None` without the user. Run in the caller's
            /// transaction, so the answer is what the guarded update left.
            pub(crate) fn end_sessions(
                conn: &mut $($connection)::+,
                id: UserId,
                at: DateTime<Utc>,
            ) -> Result<Option<DateTime<Utc>>, diesel::result::Error> {
                let user = StoredId(*id.as_uuid());
                let stored: Option<Option<StoredTime>> = users::table
                    .find(user)
                    .select(users::sessions_valid_after)
                    .first(conn)
                    .optional()?;
                let Some(stored) = stored else {
                    return Ok(None);
                };
                // The next whole second; or, when an earlier end already reached it (tokens
                // may have been signed at that very second since), one second past it: the
                // cutoff never moves back, and every end ends the tokens signed before it.
                let next = sessions_cutoff(at);
                let cutoff = match stored {
                    Some(previous) if previous.0 >= next => {
                        previous.0 + chrono::TimeDelta::seconds(1)
                    }
                    _ => next,
                };
                diesel::update(users::table.find(user))
                    .set(users::sessions_valid_after.eq(Some(StoredTime(cutoff))))
                    .execute(conn)?;
                Ok(Some(cutoff))
            }
        }

        const _: () = {
            use calls_core::domain::{Email, NewUser, PasswordHash, User, UserId};
            use calls_core::ports::{CreateUserError, StorageError, UserRepository};
            use chrono::{DateTime, Utc};
            use diesel::prelude::*;
            use $crate::conversions::stored_email;
            use $crate::errors::{is_email_conflict, storage_error};

            use crate::columns::{StoredId, StoredTime};
            use crate::rows::{NewUserRow, UserRow, found_user};
            use crate::schema::{
                calls, password_reset_tokens, user_call_counts, user_call_day_counts, users,
            };
            use crate::user_sessions::end_sessions;

            #[async_trait::async_trait]
            impl UserRepository for $storage {
                /// The unique index on `users.email` decides, so concurrent registrations of
                /// one address get exactly one success.
                async fn create(&self, user: NewUser) -> Result<User, CreateUserError> {
                    self.db
                        .run("create_user", move |conn| {
                            diesel::insert_into(users::table)
                                .values(NewUserRow::new(&user))
                                .returning(UserRow::as_returning())
                                .get_result(conn)
                                .map(User::from)
                                .map_err(|error| {
                                    if is_email_conflict(&error) {
                                        CreateUserError::EmailTaken
                                    } else {
                                        storage_error(error).into()
                                    }
                                })
                        })
                        .await
                }

                async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StorageError> {
                    let email = stored_email(email);
                    self.db
                        .run("find_user_by_email", move |conn| {
                            let by_email = users::table.filter(users::email.eq(email));
                            found_user(by_email.select(UserRow::as_select()).first(conn).optional())
                        })
                        .await
                }

                async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StorageError> {
                    self.db
                        .run("find_user_by_id", move |conn| {
                            let by_id = users::table.find(StoredId(*id.as_uuid()));
                            found_user(by_id.select(UserRow::as_select()).first(conn).optional())
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
                            diesel::update(users::table.find(StoredId(*id.as_uuid())))
                                .set(users::password_hash.eq(hash.as_str()))
                                .execute(conn)
                                .map(|updated| updated > 0)
                                .map_err(storage_error)
                        })
                        .await
                }

                async fn end_all_sessions(
                    &self,
                    id: UserId,
                    at: DateTime<Utc>,
                ) -> Result<Option<DateTime<Utc>>, StorageError> {
                    self.db
                        .run("end_all_sessions", move |conn| {
                            conn.transaction(|conn| end_sessions(conn, id, at))
                                .map_err(storage_error)
                        })
                        .await
                }

                async fn change_password(
                    &self,
                    id: UserId,
                    hash: PasswordHash,
                    at: DateTime<Utc>,
                ) -> Result<Option<DateTime<Utc>>, StorageError> {
                    self.db
                        .run("change_password", move |conn| {
                            conn.transaction(|conn| {
                                diesel::update(users::table.find(StoredId(*id.as_uuid())))
                                    .set(users::password_hash.eq(hash.as_str()))
                                    .execute(conn)?;
                                end_sessions(conn, id, at)
                            })
                            .map_err(storage_error)
                        })
                        .await
                }

                /// The calls go first, by one statement, so the counter triggers take them off
                /// the counters (on PostgreSQL, once for the statement); the counter rows of the
                /// user and its reset links go next, then the user. One transaction: nothing or everything. Logged-
                /// out tokens are keyed by token, not by user, and die with the user anyway.
                async fn delete(&self, id: UserId) -> Result<bool, StorageError> {
                    self.db
                        .run("delete_user", move |conn| {
                            let user = StoredId(*id.as_uuid());
                            conn.transaction(|conn| {
                                diesel::delete(calls::table.filter(calls::user_id.eq(user)))
                                    .execute(conn)?;
                                diesel::delete(
                                    user_call_day_counts::table
                                        .filter(user_call_day_counts::user_id.eq(user)),
                                )
                                .execute(conn)?;
                                diesel::delete(
                                    user_call_counts::table
                                        .filter(user_call_counts::user_id.eq(user)),
                                )
                                .execute(conn)?;
                                diesel::delete(
                                    password_reset_tokens::table
                                        .filter(password_reset_tokens::user_id.eq(user)),
                                )
                                .execute(conn)?;
                                diesel::delete(users::table.find(user))
                                    .execute(conn)
                                    .map(|deleted| deleted > 0)
                            })
                            .map_err(storage_error)
                        })
                        .await
                }
            }
        };
    };
}
