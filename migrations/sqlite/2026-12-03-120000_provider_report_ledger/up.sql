-- What the voice provider's reports have left on a call (see calls_core::domain::ReportLedger):
-- the last SequenceNumber applied per provider leg, the dialled leg's id, whose measurement the
-- duration is, and a version every write to the status or ledger moves on. As in PostgreSQL.
ALTER TABLE calls ADD COLUMN own_sequence BIGINT CHECK (own_sequence >= 0);
ALTER TABLE calls ADD COLUMN dialled_session_id TEXT CHECK (length(dialled_session_id) <= 255);
ALTER TABLE calls ADD COLUMN dialled_sequence BIGINT CHECK (dialled_sequence >= 0);
ALTER TABLE calls ADD COLUMN duration_source TEXT
    CHECK (duration_source IN ('own_leg', 'dialled_leg'));
ALTER TABLE calls ADD COLUMN report_version BIGINT NOT NULL DEFAULT 0 CHECK (report_version >= 0);
