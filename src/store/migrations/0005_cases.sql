-- Cases: the security officers' and the police's record of a parcel that became suspect or lost.
--
-- One case per parcel, opened the first time the parcel becomes suspect or lost, and kept when it
-- is later delivered. The steps of a case are its audit entries (entity 'case:' || case_id), so
-- the trail that proves who did what is the one the case shows.
CREATE TABLE cases (
  case_id INTEGER PRIMARY KEY,
  parcel_id TEXT NOT NULL UNIQUE REFERENCES parcels (parcel_id),
  shipper_id TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- Sum of the devices' declared values, in öre, when the case was opened.
  value_ore INTEGER NOT NULL DEFAULT 0,
  -- Where the officers' part in locking stands: see CaseLock.
  lock TEXT NOT NULL DEFAULT 'automatic'
    CHECK (lock IN ('automatic', 'awaiting_approval', 'approved', 'rejected',
                    'unlock_awaiting_approval', 'unlocked')),
  -- The start of the lost verdict that `lock` decides (its verdict_since), or NULL.
  lock_since INTEGER,
  -- Why a lock waits: 'rule_needs_approval', 'second_officer_required' or 'blast_radius_guard'.
  hold_reason TEXT NOT NULL DEFAULT '',
  hold_rule TEXT NOT NULL DEFAULT '',
  -- The officer's key whose declaration or unlock request waits for a second officer.
  requested_by TEXT NOT NULL DEFAULT '',
  request_reason TEXT NOT NULL DEFAULT '',
  -- The blast-radius guard trip that holds the lock, or 0.
  guard_trip INTEGER NOT NULL DEFAULT 0,
  theft_confirmed INTEGER NOT NULL DEFAULT 0 CHECK (theft_confirmed IN (0, 1)),
  police_report TEXT NOT NULL DEFAULT ''
);

-- The case queue: newest first, then most valuable.
CREATE INDEX cases_queue ON cases (opened_at DESC, value_ore DESC, case_id DESC);
CREATE INDEX cases_by_guard_trip ON cases (guard_trip) WHERE guard_trip <> 0;

-- Back-fill: a parcel that is suspect or lost now gets its case, opened when its verdict began.
-- Its lock stays 'automatic': the locks it has were ordered before officers approved any.
INSERT INTO cases (parcel_id, shipper_id, opened_at, updated_at, value_ore)
SELECT p.parcel_id, p.shipper_id, p.verdict_since, p.verdict_since,
       coalesce((SELECT sum(d.value_ore) FROM devices d WHERE d.parcel_id = p.parcel_id), 0)
FROM parcels p
WHERE p.verdict IN ('suspect', 'lost');
