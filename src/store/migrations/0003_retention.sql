-- What the retention purge needs: which parcels have had a case, and when a parcel's devices
-- were purged.
--
-- A parcel "has had a case" once it has had a suspect, lost or recovered verdict or a lock order.
-- Investigators may come back to such a parcel, so the retention purge never removes its devices.
-- The flag only ever goes from 0 to 1: a later delivery closes the parcel but keeps its case.
ALTER TABLE parcels ADD COLUMN had_case INTEGER NOT NULL DEFAULT 0 CHECK (had_case IN (0, 1));

-- When the retention purge removed the parcel's devices (milliseconds since the Unix epoch), or
-- NULL while it still has them.
ALTER TABLE parcels ADD COLUMN devices_purged_at INTEGER;

-- Back-fill from what schema 2 kept: the current verdict, lock orders, device lock states, and
-- the verdict changes and declarations of loss in the audit trail. The verdict entries' detail is
-- compact JSON written by the engine, such as {"from":"in_flow","to":"lost",...}; LIKE reads it
-- without depending on SQLite's JSON functions.
UPDATE parcels SET had_case = 1
WHERE verdict IN ('suspect', 'lost', 'recovered')
   OR parcel_id IN (SELECT parcel_id FROM lock_orders)
   OR parcel_id IN (SELECT parcel_id FROM devices
                    WHERE state IN ('greylisted', 'lock_pending', 'locked', 'unlock_pending'))
   OR 'parcel:' || parcel_id IN (
        SELECT entity FROM audit
        WHERE action = 'declared_lost'
           OR (action = 'verdict' AND (detail LIKE '%"to":"suspect"%'
                                       OR detail LIKE '%"to":"lost"%'
                                       OR detail LIKE '%"to":"recovered"%')));

-- The parcels the retention purge may still work on, oldest closure first. The WHERE clause must
-- match the purge query's text.
CREATE INDEX parcels_purgeable ON parcels (verdict_since)
  WHERE verdict IN ('delivered', 'returned') AND had_case = 0 AND devices_purged_at IS NULL;
