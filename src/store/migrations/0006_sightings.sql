-- Sightings: EIR queries (N5g-eir, Diameter S13) that named a watched, suspect or locked device.
-- They are the police's leads: when and where a device was seen, and with which SIM.
--
-- A device is its 14-digit IMEI core, so that a sighting joins every spelling of the device and
-- outlives the purge of the device's parcel link.
CREATE TABLE sightings (
  sighting_id INTEGER PRIMARY KEY,
  imei_core INTEGER NOT NULL,
  seen_at INTEGER NOT NULL,
  -- 'n5g-eir' or 's13'; other interfaces may add their own names.
  interface TEXT NOT NULL,
  -- The asking node: an NF instance (User-Agent) or a Diameter Origin-Host.
  network_element TEXT NOT NULL DEFAULT '',
  -- The IMSI digits, or another SUPI as given; '' when the query named none.
  imsi TEXT NOT NULL DEFAULT '',
  gpsi TEXT NOT NULL DEFAULT '',
  -- The device's lock state when it was seen.
  lock_state TEXT NOT NULL
    CHECK (lock_state IN ('watched', 'greylisted', 'lock_pending', 'locked', 'unlock_pending',
                          'released'))
);

CREATE INDEX sightings_by_device ON sightings (imei_core, sighting_id);
CREATE INDEX sightings_by_imsi ON sightings (imsi, sighting_id) WHERE imsi <> '';
-- Fences: SIMs seen in stolen devices.
CREATE INDEX sightings_of_stolen_by_imsi ON sightings (imsi, imei_core)
  WHERE imsi <> '' AND lock_state IN ('greylisted', 'lock_pending', 'locked', 'unlock_pending');
