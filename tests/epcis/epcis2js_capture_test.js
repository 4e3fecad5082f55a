// Builds EPCIS 2.0 documents with the epcis2.js package, captures them through the package's own
// capture client on an `imeiguard serve` that this script starts on 127.0.0.1, and checks that
// each capture job succeeds and that the parcel's scans arrive.
//
// Usage: node epcis2js_capture_test.js IMEIGUARD_BINARY
'use strict';

const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  AggregationEvent, CaptureResponse, EPCISDocument, ObjectEvent, ReadPoint, capture, cbv, setup,
} = require('epcis2.js');

const PARCEL = '373500000000001236';
const MANIFEST = 'parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n' +
  `${PARCEL},telco-a,locker,2030-01-01,41301,490154203237518\n`;

function createKey(binary, store, role, shipper) {
  const args = ['keys', 'create', '--store', store, '--role', role];
  if (shipper) args.push('--shipper', shipper);
  const result = spawnSync(binary, args, { encoding: 'utf8' });
  const key = `${result.stdout}${result.stderr}`.match(/igk_[0-9a-zA-Z_]+/);
  assert.ok(key, `keys create --role ${role} printed no key: ${result.stderr}`);
  return key[0];
}

async function waitForPort(portFile, server) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (server.exitCode !== null) throw new Error(`imeiguard serve exited with ${server.exitCode}`);
    if (fs.existsSync(portFile)) {
      const port = parseInt(fs.readFileSync(portFile, 'utf8'), 10);
      if (port > 0) return port;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('imeiguard serve did not write its port within 20 s');
}

function arrivingDocument() {
  const arriving = new ObjectEvent()
    .setEventID('urn:uuid:epcis2js-arriving-1')
    .setAction(cbv.actionTypes.observe)
    .setEventTime('2026-03-02T06:14:09.000+01:00')
    .setEventTimeZoneOffset('+01:00')
    .setBizStep(cbv.bizSteps.arriving)
    .setReadPoint(new ReadPoint().setId('urn:epc:id:sgln:7350000.00001.0'))
    .addEPC(`https://id.gs1.org/00/${PARCEL}`);
  const product = new ObjectEvent()
    .setAction(cbv.actionTypes.observe)
    .setEventTime('2026-03-02T07:00:00.000+01:00')
    .setEventTimeZoneOffset('+01:00')
    .setBizStep(cbv.bizSteps.shipping)
    .addEPC('urn:epc:id:sgtin:0614141.107346.2017');
  return new EPCISDocument().setCreationDate('2026-03-02T06:20:00.000Z').addEvent(arriving)
    .addEvent(product);
}

function loadingDocument() {
  const loading = new AggregationEvent()
    .setEventID('urn:uuid:epcis2js-loading-1')
    .setAction(cbv.actionTypes.add)
    .setEventTime('2026-03-02T09:30:00.000+01:00')
    .setEventTimeZoneOffset('+01:00')
    .setBizStep(cbv.bizSteps.loading)
    .setReadPoint(new ReadPoint().setId('urn:epc:id:sgln:7350000.00002.0'))
    .setParentId('urn:epc:id:sscc:7350000.3000000123')
    .addChildEPC('urn:gsma:imei:490154203237518');
  return new EPCISDocument().setCreationDate('2026-03-02T09:31:00.000Z').addEvent(loading);
}

async function captureAndWait(document) {
  const response = await capture(document);
  assert.equal(response.status, 202, `capture answered ${response.status}`);
  const job = new CaptureResponse(response);
  await job.pollForTheCaptureToFinish(50, 100);
  assert.equal(job.getRunningStatus(), false, `capture job ${job.getLocation()} still runs`);
  assert.equal(job.getSuccessStatus(), true,
    `capture job ${job.getLocation()} failed: ${JSON.stringify(job.getErrors())}`);
}

async function getJson(url, key) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(response.status, 200, `GET ${url} answered ${response.status}`);
  return response.json();
}

async function main() {
  const binary = process.argv[2];
  assert.ok(binary, 'usage: node epcis2js_capture_test.js IMEIGUARD_BINARY');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imeiguard-epcis2js-'));
  const store = path.join(dir, 'store.db');
  const portFile = path.join(dir, 'port');
  fs.writeFileSync(path.join(dir, 'config.toml'),
    '[default]\nconnectors = []\nsilence = "ignore"\n');
  const carrier = createKey(binary, store, 'carrier');
  const shipper = createKey(binary, store, 'shipper', 'telco-a');
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  const server = spawn(binary, ['serve', '--config', path.join(dir, 'config.toml'), '--store',
    store, '--listen', '127.0.0.1', '--port', '0', '--port-file', portFile],
  { stdio: ['ignore', log, log] });
  try {
    const base = `http://127.0.0.1:${await waitForPort(portFile, server)}`;
    const imported = await fetch(`${base}/v1/manifests`, {
      method: 'POST', headers: { authorization: `Bearer ${shipper}` }, body: MANIFEST,
    });
    assert.equal(imported.status, 200, `manifest import answered ${imported.status}`);

    setup({
      apiUrl: base,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${carrier}` },
      timeout: 10000,
    });
    await captureAndWait(arrivingDocument());
    await captureAndWait(loadingDocument());
    // The same document again is accepted and stores nothing new.
    await captureAndWait(arrivingDocument());

    const parcel = await getJson(`${base}/v1/parcels/${PARCEL}`, shipper);
    assert.deepEqual(parcel.events.map((event) => [event.event_id, event.type]), [
      ['urn:uuid:epcis2js-arriving-1', 'arrived'],
      ['urn:uuid:epcis2js-loading-1', 'loaded'],
    ]);
    const query = await getJson(`${base}/events`, carrier);
    assert.equal(query.type, 'EPCISQueryDocument');
    assert.equal(query.epcisBody.queryResults.resultsBody.eventList.length, 3);
    console.log('epcis2.js documents captured: 3 jobs, 3 events, 2 scans');
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => { if (server.exitCode !== null) resolve(); else server.on('exit', resolve); });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
