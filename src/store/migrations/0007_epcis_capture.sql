-- EPCIS 2.0 capture: the capture jobs of the REST binding, the captured events for queries, and
-- the scan events withdrawn by an errorDeclaration.

-- One POST /capture. The document is stored before the 202 answer and emptied once the job has
-- finished, because its events are then in epcis_events.
CREATE TABLE capture_jobs (
  capture_id INTEGER PRIMARY KEY,
  key_id TEXT NOT NULL,
  error_behaviour TEXT NOT NULL CHECK (error_behaviour IN ('rollback', 'proceed')),
  document TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  finished_at INTEGER,
  success INTEGER NOT NULL DEFAULT 1 CHECK (success IN (0, 1)),
  -- JSON array of RFC 9457 problem details, one per rejected event.
  errors TEXT NOT NULL DEFAULT '[]',
  events_captured INTEGER NOT NULL DEFAULT 0
);

-- The jobs a restart resumes. The WHERE clause must match the query's text.
CREATE INDEX capture_jobs_unfinished ON capture_jobs (capture_id) WHERE finished_at IS NULL;

-- Every captured event once, keyed by its CBV event hash (marked for an error declaration, whose
-- hash would otherwise equal the declared event's). `sequence` orders the query's pages.
CREATE TABLE epcis_events (
  sequence INTEGER PRIMARY KEY,
  archive_key TEXT NOT NULL UNIQUE,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  event_time INTEGER NOT NULL,
  record_time INTEGER NOT NULL,
  capture_id INTEGER NOT NULL,
  -- The event as served back: JSON-LD with eventID and recordTime filled in.
  body TEXT NOT NULL
);

CREATE INDEX epcis_events_by_time ON epcis_events (event_time);

-- The canonical EPCs (GS1 Digital Link URIs) of each event's epcList and childEPCs, for MATCH_epc.
CREATE TABLE epcis_event_epcs (
  epc TEXT NOT NULL,
  sequence INTEGER NOT NULL REFERENCES epcis_events (sequence),
  PRIMARY KEY (epc, sequence)
) WITHOUT ROWID;

-- Scan events declared in error. A withdrawn event is deleted from events or pending_events, and
-- its event_id stays here so that a later copy of it is not stored again. `applied` becomes 1
-- once the parcel's verdict was re-assessed without it, so that a restart finishes the rest.
CREATE TABLE withdrawn_events (
  event_id TEXT PRIMARY KEY NOT NULL,
  parcel_id TEXT NOT NULL,
  declared_at INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  recorded_at INTEGER NOT NULL,
  applied INTEGER NOT NULL DEFAULT 0 CHECK (applied IN (0, 1))
) WITHOUT ROWID;

CREATE INDEX withdrawn_events_unapplied ON withdrawn_events (event_id) WHERE applied = 0;
