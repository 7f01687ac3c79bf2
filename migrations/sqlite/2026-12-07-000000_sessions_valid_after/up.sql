-- Sign out everywhere: tokens of a user issued (`iat`) before `sessions_valid_after` are
-- refused (microseconds since the Unix epoch, as every time here; always a whole second, the
-- first after the end). NULL: never set.
ALTER TABLE users ADD COLUMN sessions_valid_after BIGINT NULL;
