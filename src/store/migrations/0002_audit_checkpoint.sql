-- The audit trail's checkpoint, and triggers that keep its rows append-only.
--
-- Schema 1 already chains every audit row: each one stores prev_hash and hash (see
-- store/audit_chain.h), and every insert has filled both since that schema was created. So no row
-- needs back-filling here, and the checkpoint starts at the last row that exists.
--
-- The hash chain shows an entry edited, removed or reordered in the middle, but a trail cut short
-- at the end is still a valid chain. The checkpoint records the last appended entry in a second
-- table, so that `imeiguard audit verify` detects entries removed from the end. It is in the same
-- file, so whoever can drop the triggers can also rewrite it: only a head kept outside the file
-- (the --anchor of `imeiguard audit verify`) detects a careful truncation.

CREATE TABLE audit_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  sequence INTEGER NOT NULL,
  hash TEXT NOT NULL CHECK (length(hash) = 64)
);

INSERT INTO audit_checkpoint (id, sequence, hash)
SELECT 1, coalesce(max(sequence), 0),
       coalesce((SELECT hash FROM audit ORDER BY sequence DESC LIMIT 1),
                '0000000000000000000000000000000000000000000000000000000000000000')
FROM audit;

-- Moves the checkpoint with every append, inside the INSERT statement. It never moves back, so an
-- entry appended after a truncation leaves a gap that verification reports.
CREATE TRIGGER audit_checkpoint_advance AFTER INSERT ON audit
BEGIN
  UPDATE audit_checkpoint SET sequence = NEW.sequence, hash = NEW.hash
  WHERE id = 1 AND NEW.sequence > sequence;
END;

-- The store never changes or deletes an audit row. These triggers reject such statements from
-- any connection, so that a mistaken edit fails instead of breaking the chain.
CREATE TRIGGER audit_reject_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only and cannot be updated');
END;

CREATE TRIGGER audit_reject_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only and cannot be deleted');
END;

CREATE TRIGGER audit_checkpoint_reject_delete BEFORE DELETE ON audit_checkpoint
BEGIN
  SELECT RAISE(ABORT, 'the audit checkpoint cannot be deleted');
END;

CREATE TRIGGER audit_checkpoint_reject_rewind BEFORE UPDATE ON audit_checkpoint
WHEN NEW.sequence < OLD.sequence
BEGIN
  SELECT RAISE(ABORT, 'the audit checkpoint cannot move back');
END;
