-- Stands in for version 4, which the outbox rework on its own branch defines. It changes nothing,
-- and is replaced by that branch's 0004 migration when the two are merged.
SELECT 1;
