-- What the voice provider's reports have left on a call (see calls_core::domain::ReportLedger),
-- so that a report arriving twice, late or out of order changes nothing: the last SequenceNumber
-- applied per provider leg, the dialled leg's id, whose measurement the duration is, and a
-- version that every write to the status or ledger moves on (guarded writes compare it).
-- Plain added columns: rows of the Go backend read as "nothing reported yet".
ALTER TABLE calls ADD COLUMN IF NOT EXISTS own_sequence bigint;
ALTER TABLE calls ADD COLUMN IF NOT EXISTS dialled_session_id varchar(255);
ALTER TABLE calls ADD COLUMN IF NOT EXISTS dialled_sequence bigint;
ALTER TABLE calls ADD COLUMN IF NOT EXISTS duration_source varchar(20);
ALTER TABLE calls ADD COLUMN IF NOT EXISTS report_version bigint NOT NULL DEFAULT 0;

ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_duration_source_known;
ALTER TABLE calls ADD CONSTRAINT calls_duration_source_known
    CHECK (duration_source IN ('own_leg', 'dialled_leg'));
ALTER TABLE calls DROP CONSTRAINT IF EXISTS calls_sequences_not_negative;
ALTER TABLE calls ADD CONSTRAINT calls_sequences_not_negative
    CHECK (own_sequence >= 0 AND dialled_sequence >= 0 AND report_version >= 0);
