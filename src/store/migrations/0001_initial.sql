-- The first schema of the embedded store.
--
-- Conventions: times are INTEGER milliseconds since the Unix epoch (UTC); IMEIs are the INTEGER value
-- of their 14-digit core; enums are stored as their wire names ("lock_pending"), so that a person
-- reading the file with the sqlite3 shell sees the same words as the API; absent optional text is ''
-- and absent optional numbers are NULL.

-- Parcels named by a manifest, with their latest assessment.
CREATE TABLE parcels (
  parcel_id TEXT PRIMARY KEY NOT NULL,
  shipper_id TEXT NOT NULL,
  service TEXT NOT NULL
    CHECK (service IN ('home', 'service_point', 'locker', 'mailbox', 'business')),
  promised_by INTEGER NOT NULL,
  origin TEXT NOT NULL DEFAULT '',
  destination_postcode TEXT NOT NULL,
  declared_weight_g INTEGER,
  recorded_at INTEGER NOT NULL,
  verdict TEXT NOT NULL DEFAULT 'in_flow'
    CHECK (verdict IN ('in_flow', 'delivered', 'returned', 'suspect', 'lost', 'recovered')),
  verdict_since INTEGER NOT NULL,
  -- JSON array of {"rule", "at", "event_id", "detail"} objects, "at" in milliseconds.
  evidence TEXT NOT NULL DEFAULT '[]',
  next_deadline INTEGER
);

-- The parcels the engine loads at start-up. The WHERE clause must match the queries' text.
CREATE INDEX parcels_open ON parcels (parcel_id) WHERE verdict NOT IN ('delivered', 'returned');
CREATE INDEX parcels_by_shipper ON parcels (shipper_id, recorded_at);

-- One row per phone. A dual-SIM phone is one row with both IMEIs.
CREATE TABLE devices (
  device_id INTEGER PRIMARY KEY,
  parcel_id TEXT NOT NULL REFERENCES parcels (parcel_id),
  shipper_id TEXT NOT NULL,
  imei INTEGER NOT NULL CHECK (imei BETWEEN 0 AND 99999999999999),
  imei2 INTEGER CHECK (imei2 BETWEEN 0 AND 99999999999999),
  serial TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  value_ore INTEGER,
  state TEXT NOT NULL DEFAULT 'watched'
    CHECK (state IN ('watched', 'greylisted', 'lock_pending', 'locked', 'unlock_pending',
                     'released')),
  state_since INTEGER NOT NULL,
  UNIQUE (parcel_id, imei)
);

-- Lookup by either IMEI: "imei = ? OR imei2 = ?" uses both indexes.
CREATE INDEX devices_by_imei ON devices (imei);
CREATE INDEX devices_by_imei2 ON devices (imei2) WHERE imei2 IS NOT NULL;

-- Scan events of manifest parcels. Keyed by event_id without a rowid, because the key is what every
-- insert probes to deduplicate.
CREATE TABLE events (
  event_id TEXT PRIMARY KEY NOT NULL,
  parcel_id TEXT NOT NULL REFERENCES parcels (parcel_id),
  type TEXT NOT NULL,
  time INTEGER NOT NULL,
  received INTEGER,
  node TEXT NOT NULL DEFAULT '',
  node_type TEXT NOT NULL DEFAULT '',
  handler TEXT NOT NULL DEFAULT '',
  weight_g INTEGER,
  next_node TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  recorded_at INTEGER NOT NULL
) WITHOUT ROWID;

-- A parcel's history in event-time order, the order of EventTimeOrder.
CREATE INDEX events_by_parcel ON events (parcel_id, time, event_id);

-- Events of parcels that no manifest names yet. ImportManifest moves them into events; after
-- pending_until they may be purged. An event_id is in at most one of the two tables.
CREATE TABLE pending_events (
  event_id TEXT PRIMARY KEY NOT NULL,
  parcel_id TEXT NOT NULL,
  type TEXT NOT NULL,
  time INTEGER NOT NULL,
  received INTEGER,
  node TEXT NOT NULL DEFAULT '',
  node_type TEXT NOT NULL DEFAULT '',
  handler TEXT NOT NULL DEFAULT '',
  weight_g INTEGER,
  next_node TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  recorded_at INTEGER NOT NULL,
  pending_until INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX pending_events_by_parcel ON pending_events (parcel_id);
CREATE INDEX pending_events_by_expiry ON pending_events (pending_until);

-- The durable outbox: one lock or unlock of one device through one connector.
CREATE TABLE lock_orders (
  order_id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices (device_id),
  parcel_id TEXT NOT NULL,
  shipper_id TEXT NOT NULL,
  connector TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('lock', 'unlock')),
  imei INTEGER NOT NULL CHECK (imei BETWEEN 0 AND 99999999999999),
  imei2 INTEGER CHECK (imei2 BETWEEN 0 AND 99999999999999),
  status TEXT NOT NULL
    CHECK (status IN ('pending', 'sent', 'acknowledged', 'cancelled', 'failed')),
  idempotency_key TEXT NOT NULL UNIQUE,
  platform_order_id TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  sent_at INTEGER,
  acknowledged_at INTEGER,
  last_error TEXT NOT NULL DEFAULT ''
);

-- Orders the outbox still works on. The WHERE clause must match the due-order query's text.
CREATE INDEX lock_orders_due ON lock_orders (next_attempt_at) WHERE status IN ('pending', 'sent');
CREATE INDEX lock_orders_by_parcel ON lock_orders (parcel_id, order_id);
CREATE INDEX lock_orders_by_device ON lock_orders (device_id);

-- The tamper-evident audit trail. hash is the lower-case hex SHA-256 of prev_hash and this entry's
-- fields (see store/audit_chain.h for the exact encoding); prev_hash of the first entry is 64 zeros.
-- Rows are only ever appended.
CREATE TABLE audit (
  sequence INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}',
  prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash TEXT NOT NULL CHECK (length(hash) = 64)
);

CREATE INDEX audit_by_entity ON audit (entity, sequence);

-- API keys: only the SHA-256 of the secret part is stored.
CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY NOT NULL,
  secret_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  shipper_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
