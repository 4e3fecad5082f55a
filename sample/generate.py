#!/usr/bin/env python3
"""Generate the demo's sample: a manifest of phone parcels and one day of carrier scans.

Writes manifest.csv, events.ndjson and late-events.ndjson in the manifest and NDJSON formats that
imeiguard reads. The output depends only on --seed, so running it again with the same seed gives
the same files byte for byte.

The story of 2026-03-02, all times in CET (+01:00):
- 40 phone parcels of two shippers, telco-a and retail-b; a few dual-SIM phones and one parcel with
  two phones. 35 of them are delivered or picked up during the day.
- 2 get an exception scan (missing, opened) as their last scan: the exception rule declares them
  lost at once.
- 2 stop after leaving the hub and stay silent. They were promised for 2026-03-02, so the overdue
  rule declares them lost once the clock passes the end of 2026-03-03.
- 1 goes out for delivery and is heard of no more that day. It is declared lost by the overdue rule,
  and then its delivered scan of 15:42 arrives in late-events.ndjson, a batch that a vehicle
  uploads days later: the parcel is delivered after all and its phone is unlocked.
- About 2,000 scans of parcels that carry no phone, which imeiguard must read and set aside.
- A few events sent twice (one copy with its keys in another order), and one line with an invalid
  time, so that the upload report shows a per-line error.
"""

import argparse
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

CET = timezone(timedelta(hours=1))
DAY = datetime(2026, 3, 2, tzinfo=CET)

# Invented type allocation codes (the first 8 digits of an IMEI) with a model name each.
MODELS = [
    ("35693803", "Nordphone 12, 128 GB", 8990),
    ("35693804", "Nordphone 12 Pro, 256 GB", 12490),
    ("86731504", "Fjord X2", 6490),
    ("49015420", "Fjord X2 Duo", 7290),
    ("35209111", "Tundra Lite", 2990),
    ("35884510", "Aurora S 5G", 10990),
]
MODEL_SHARES = [5, 3, 4, 1, 4, 1]
DUAL_SIM_TACS = {"49015420", "35884510"}

# Terminals (with their destination postcode prefix) and the hub between them.
TERMINALS = {
    "SE-TERM-STO": "11",
    "SE-TERM-GBG": "41",
    "SE-TERM-MMA": "21",
    "SE-TERM-UME": "90",
}
HUB = "SE-HUB-JKG"
SERVICES = ["home", "home", "home", "service_point", "locker", "mailbox", "business"]

# GS1 company prefix used for every invented SSCC (7350 is in the Swedish range).
SSCC_PREFIX = "07350123"


def luhn_digit(core14: str) -> str:
    """Return the Luhn check digit of a 14-digit IMEI core."""
    total = 0
    for i, ch in enumerate(core14):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def gs1_check_digit(digits17: str) -> str:
    """Return the GS1 mod-10 check digit of the first 17 digits of an SSCC."""
    total = 0
    for i, ch in enumerate(reversed(digits17)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def sscc(serial: int) -> str:
    body = SSCC_PREFIX + f"{serial:09d}"
    return body + gs1_check_digit(body)


def rfc3339(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.event_ids = set()
        self.imeis = set()
        self.sscc_serials = set()

    def new_event_id(self) -> str:
        while True:
            event_id = f"e-{self.rng.getrandbits(48):012x}"
            if event_id not in self.event_ids:
                self.event_ids.add(event_id)
                return event_id

    def new_parcel_id(self) -> str:
        while True:
            serial = self.rng.randrange(10**8, 10**9)
            if serial not in self.sscc_serials:
                self.sscc_serials.add(serial)
                return sscc(serial)

    def new_imei(self, tac: str) -> str:
        while True:
            core = tac + f"{self.rng.randrange(10**5, 10**6):06d}"
            imei = core + luhn_digit(core)
            if imei not in self.imeis:
                self.imeis.add(imei)
                return imei

    def handler(self) -> str:
        return f"h-{self.rng.randrange(1000, 1400)}"

    def event(self, parcel_id, kind, t, node, node_type, **extra):
        """Build one scan event, recorded by the carrier's systems seconds to minutes later."""
        received = t + timedelta(seconds=self.rng.randrange(2, 240))
        fields = {
            "event_id": self.new_event_id(),
            "parcel_id": parcel_id,
            "type": kind,
            "time": rfc3339(t),
            "node": node,
            "node_type": node_type,
            "handler": self.handler(),
        }
        fields.update(extra)
        fields["received"] = rfc3339(received)
        return fields

    def journey(self, parcel_id, service, origin, destination, weight_g, end):
        """Scans of one parcel through the network on DAY.

        `end` is where the scans stop: "delivered" (the whole way), "silent" (after departing the
        hub), "out_for_delivery" (the last scan is on the vehicle), or an exception type scanned at
        the destination terminal.
        """
        t = DAY + timedelta(hours=self.rng.uniform(4.5, 7.0))
        events = []

        def scan(kind, node, node_type, minutes, **extra):
            nonlocal t
            t += timedelta(minutes=minutes + self.rng.uniform(0, minutes / 2))
            t = t.replace(microsecond=0)
            events.append(self.event(parcel_id, kind, t, node, node_type, **extra))

        measured = weight_g + self.rng.randrange(-4, 5)
        scan("accepted", origin, "terminal", 1, weight_g=measured)
        scan("sorted", origin, "terminal", 12)
        scan("departed", origin, "terminal", 20, next_node=HUB)
        scan("arrived", HUB, "hub", 70)
        scan("sorted", HUB, "hub", 15)
        scan("departed", HUB, "hub", 25, next_node=destination)
        if end == "silent":
            return events
        scan("arrived", destination, "terminal", 90, weight_g=weight_g + self.rng.randrange(-4, 5))
        if end.startswith("exception_"):
            scan(end, destination, "terminal", 20, detail=exception_detail(end))
            return events
        scan("sorted", destination, "terminal", 15)
        vehicle = f"SE-VEH-{self.rng.randrange(1000, 9999)}"
        scan("loaded", destination, "terminal", 20, next_node=vehicle)
        if service in ("service_point", "locker"):
            return events + self.pickup_leg(parcel_id, service, vehicle, t)
        scan("out_for_delivery", vehicle, "vehicle", 10)
        if end == "out_for_delivery":
            return events
        node_type = "mailbox" if service == "mailbox" else "address"
        scan("delivered", f"ADDR-{parcel_id[-6:]}", node_type, 60)
        return events

    def pickup_leg(self, parcel_id, service, vehicle, t):
        """Drop-off at a service point or locker, then the recipient's pickup the same day."""
        node_type = "service_point" if service == "service_point" else "locker"
        node = f"SE-{'SP' if service == 'service_point' else 'LCK'}-{self.rng.randrange(100, 999)}"
        t = t + timedelta(minutes=self.rng.randrange(30, 90))
        events = [self.event(parcel_id, "unloaded", t, node, node_type, detail=f"from {vehicle}")]
        t = t + timedelta(minutes=self.rng.randrange(2, 10))
        events.append(self.event(parcel_id, "available_for_pickup", t, node, node_type))
        t = t + timedelta(minutes=self.rng.randrange(60, 240))
        events.append(self.event(parcel_id, "picked_up", t, node, node_type))
        return events


def exception_detail(kind: str) -> str:
    if kind == "exception_missing":
        return "not found at the sorting bay"
    return "parcel found open at the sorter"


def build_sample(seed: int):
    gen = Generator(seed)
    endings = ["delivered"] * 35 + [
        "exception_missing",
        "exception_opened",
        "silent",
        "silent",
        "out_for_delivery",
    ]
    gen.rng.shuffle(endings)
    # The parcel that turns up late must go to an address, or its last scan would not be
    # out_for_delivery.
    late_index = endings.index("out_for_delivery")

    manifest_rows = []
    events = []
    late_events = []
    for i, end in enumerate(endings):
        shipper = "telco-a" if i % 5 < 3 else "retail-b"
        service = "home" if i == late_index else gen.rng.choice(SERVICES)
        origin, destination = gen.rng.sample(sorted(TERMINALS), 2)
        postcode = TERMINALS[destination] + f"{gen.rng.randrange(100, 999)}"
        weight = gen.rng.randrange(380, 720)
        overdue_today = end in ("silent", "out_for_delivery")
        promised = "2026-03-02" if overdue_today or gen.rng.random() < 0.5 else "2026-03-03"
        parcel_id = gen.new_parcel_id()

        device_count = 2 if i == 7 else 1
        for _ in range(device_count):
            tac, model, value = gen.rng.choices(MODELS, weights=MODEL_SHARES)[0]
            imei = gen.new_imei(tac)
            imei2 = gen.new_imei(tac) if tac in DUAL_SIM_TACS else ""
            manifest_rows.append(
                {
                    "parcel_id": parcel_id,
                    "shipper_id": shipper,
                    "service": service,
                    "promised_by": promised,
                    "origin": origin,
                    "destination_postcode": postcode,
                    "declared_weight_g": str(weight),
                    "imei": imei,
                    "imei2": imei2,
                    "serial": f"R{gen.rng.randrange(10**7, 10**8)}",
                    "model": model,
                    "value_sek": f"{value}.00",
                }
            )

        journey = gen.journey(parcel_id, service, origin, destination, weight, end)
        events.extend(journey)
        if end == "out_for_delivery":
            late_events.append(late_delivery(gen, parcel_id, journey[-1]))

    events.extend(non_phone_scans(gen, 2000))
    events.sort(key=lambda e: (e["received"], e["event_id"]))
    late_events.extend(late_vehicle_upload(gen, events))
    return manifest_rows, add_duplicates_and_error(gen, events), late_events


def late_delivery(gen, parcel_id, out_for_delivery):
    """Build the delivered scan that the vehicle's handheld kept offline and uploads on 2026-03-06."""
    t = DAY + timedelta(hours=15, minutes=42, seconds=18)
    assert t > datetime.fromisoformat(out_for_delivery["time"])
    event = gen.event(parcel_id, "delivered", t, f"ADDR-{parcel_id[-6:]}", "address")
    event["received"] = "2026-03-06T08:40:12+01:00"
    event["detail"] = "uploaded late from an offline handheld"
    return event


def late_vehicle_upload(gen, events):
    """Build the rest of that handheld's late batch: two scans of parcels without phones, and one
    scan that the main day had already sent (a duplicate)."""
    batch = []
    for _ in range(2):
        parcel_id = gen.new_parcel_id()
        t = DAY + timedelta(hours=gen.rng.uniform(13, 17))
        event = gen.event(parcel_id, "delivered", t.replace(microsecond=0), "ADDR-000001", "address")
        event["received"] = "2026-03-06T08:40:13+01:00"
        batch.append(event)
    batch.append(dict(events[len(events) // 3]))
    return batch


def non_phone_scans(gen, count):
    """Build `count` scans of parcels that carry no phone, which are most of the carrier's traffic."""
    scans = []
    while len(scans) < count:
        parcel_id = gen.new_parcel_id()
        origin, destination = gen.rng.sample(sorted(TERMINALS), 2)
        service = gen.rng.choice(SERVICES)
        end = "delivered" if gen.rng.random() < 0.8 else "silent"
        weight = gen.rng.randrange(100, 15000)
        scans.extend(gen.journey(parcel_id, service, origin, destination, weight, end))
    return scans[:count]


def add_duplicates_and_error(gen, events):
    """Send five events a second time a few lines later, one of them with its keys reordered and
    spaced, and break the time of one line."""
    lines = [json.dumps(e, separators=(",", ":")) for e in events]
    positions = sorted(gen.rng.sample(range(100, len(lines) - 100), 6))
    error_at = positions.pop()
    for n, pos in enumerate(reversed(positions)):
        original = events[pos]
        if n == 0:
            reordered = dict(reversed(list(original.items())))
            copy = json.dumps(reordered, separators=(", ", ": "))
        else:
            copy = lines[pos]
        lines.insert(pos + gen.rng.randrange(3, 40), copy)
    broken = dict(events[error_at])
    broken["event_id"] = gen.new_event_id()
    broken["time"] = broken["time"].replace("T", " ")[:16]
    lines.insert(error_at, json.dumps(broken, separators=(",", ":")))
    return lines


MANIFEST_COLUMNS = [
    "parcel_id",
    "shipper_id",
    "service",
    "promised_by",
    "origin",
    "destination_postcode",
    "declared_weight_g",
    "imei",
    "imei2",
    "serial",
    "model",
    "value_sek",
]


def csv_field(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seed", type=int, default=20260302, help="random seed (default: %(default)s)"
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="folder to write the three files to (default: this script's folder)",
    )
    args = parser.parse_args()

    manifest_rows, lines, late_events = build_sample(args.seed)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    with open(args.out_dir / "manifest.csv", "w", encoding="utf-8", newline="") as out:
        out.write(",".join(MANIFEST_COLUMNS) + "\n")
        for row in manifest_rows:
            out.write(",".join(csv_field(row[c]) for c in MANIFEST_COLUMNS) + "\n")
    with open(args.out_dir / "events.ndjson", "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    with open(args.out_dir / "late-events.ndjson", "w", encoding="utf-8") as out:
        for event in late_events:
            out.write(json.dumps(event, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
