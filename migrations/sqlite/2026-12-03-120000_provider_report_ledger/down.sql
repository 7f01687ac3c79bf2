ALTER TABLE calls DROP COLUMN report_version;
ALTER TABLE calls DROP COLUMN duration_source;
ALTER TABLE calls DROP COLUMN dialled_sequence;
ALTER TABLE calls DROP COLUMN dialled_session_id;
ALTER TABLE calls DROP COLUMN own_sequence;
