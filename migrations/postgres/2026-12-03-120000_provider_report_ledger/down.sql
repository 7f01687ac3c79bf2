ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_sequences_not_negative;
ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_duration_source_known;
ALTER TABLE calls DROP COLUMN IF EXISTS report_version;
ALTER TABLE calls DROP COLUMN IF EXISTS duration_source;
ALTER TABLE calls DROP COLUMN IF EXISTS dialled_sequence;
ALTER TABLE calls DROP COLUMN IF EXISTS dialled_session_id;
ALTER TABLE calls DROP COLUMN IF EXISTS own_sequence;
