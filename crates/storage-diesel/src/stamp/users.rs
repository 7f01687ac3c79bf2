//! `stamp_user_repository!`: user accounts.

/// Implements `UserRepository` for the calling crate's storage type (which holds its
/// `Blocking` runner in a field `db`), over the rows of [`stamp_rows!`](crate::stamp_rows).
#[macro_export]
#[allow(clippy::crate_in_macro_def)] // `crate` is meant: the backend crate that stamps this.
macro_rules! stamp_user_repository {
    ($storage:ident) => {
        const _: () = {
            use calls_core::domain::{Email, NewUser, PasswordHash, User, UserId};
            use calls_core::ports::{CreateUserError, StorageError, UserRepository};
            use diesel::prelude::*;
            use $crate::conversions::stored_email;
            use $crate::errors::{is_email_conflict, storage_error};

            use crate::columns::StoredId;
            use crate::rows::{NewUserRow, UserRow, found_user};
            use crate::schema::users;

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

                async fn delete(&self, id: UserId) -> Result<bool, StorageError> {
                    self.db
                        .run("delete_user", move |conn| {
                            diesel::delete(users::table.find(StoredId(*id.as_uuid())))
                                .execute(conn)
                                .map(|deleted| deleted > 0)
                                .map_err(storage_error)
                        })
                        .await
                }
            }
        };
    };
}
