-- Sign out everywhere: tokens of a user issued (`iat`) before `sessions_valid_after` are
-- refused, checked in the statement that checks a token's revocation. One write ends every
-- session of the user, however many tokens they hold. Always a whole second (the first after
-- the end; JWT `iat` has whole seconds). NULL: never set.
--
-- Nullable with no default: on a database the Go backend created, PostgreSQL adds the column
-- without rewriting `users` (a catalog change only), and existing rows read NULL.
ALTER TABLE users ADD COLUMN IF NOT EXISTS sessions_valid_after timestamptz NULL;
