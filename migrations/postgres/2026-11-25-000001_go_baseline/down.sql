-- Deliberately keeps the tables: on an upgraded Go database they hold that backend's users and
-- calls, and reverting our migrations must never delete them. Drop them by hand if you mean it.
SELECT 1;
