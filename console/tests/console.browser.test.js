// The web console in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// against a real `imeiguard serve` and the reference device-management simulator. Screenshots go
// to IMEIGUARD_CONSOLE_ARTIFACTS.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { ServerFixture } from './server_fixture.js';
import { CHROMIUM_FLAGS } from './chromium.js';


// Three parcels of telco-a: one falls silent after a light re-weigh that was uploaded two days
// late (its lock waits for an officer), one is scanned missing (locks on its own), and one is
// delivered to a mailbox.
const SILENT = { parcel: '373500000000001234', imei: '490154203237518' };
const MISSING = { parcel: '373500000000005678', imei: '358472100042174' };
const DELIVERED = { parcel: '073501231245399880', imei: '867315044110835' };
const MANIFEST = [
  'parcel_id,shipper_id,service,promised_by,destination_postcode,declared_weight_g,imei,model,value_sek',
  `${SILENT.parcel},telco-a,locker,2030-01-01,41301,640,${SILENT.imei},Fjord X2,9990`,
  `${MISSING.parcel},telco-a,home,2030-01-01,41302,500,${MISSING.imei},Nimbus 5,4990`,
  `${DELIVERED.parcel},telco-a,mailbox,2030-01-01,21516,457,${DELIVERED.imei},Fjord X1,2990`,
  '',
].join('\n');
const SCANS = [
  { event_id: 'c-1', parcel_id: SILENT.parcel, type: 'accepted', time: '2026-03-02T06:14:09+01:00',
    received: '2026-03-02T06:15:00+01:00', node: 'SE-TERM-GBG', node_type: 'terminal',
    handler: 'h-1042', weight_g: 640 },
  { event_id: 'c-2', parcel_id: SILENT.parcel, type: 'reweighed', time: '2026-03-02T11:02:00+01:00',
    received: '2026-03-04T09:30:00+01:00', node: 'SE-TERM-MMA', node_type: 'terminal',
    handler: 'h-2210', weight_g: 420 },
  { event_id: 'c-3', parcel_id: MISSING.parcel, type: 'exception_missing',
    time: '2026-03-02T06:20:00+01:00', received: '2026-03-02T06:21:00+01:00', node: 'SE-TERM-GBG',
    node_type: 'terminal', handler: 'h-1042' },
  { event_id: 'c-4', parcel_id: DELIVERED.parcel, type: 'accepted', time: '2026-03-02T07:00:00+01:00',
    received: '2026-03-02T07:01:00+01:00', node: 'SE-TERM-STO', node_type: 'terminal' },
  { event_id: 'c-5', parcel_id: DELIVERED.parcel, type: 'delivered', time: '2026-03-02T15:00:00+01:00',
    received: '2026-03-02T15:01:00+01:00', node: 'SE-MBX-21516', node_type: 'mailbox' },
].map((scan) => JSON.stringify(scan)).join('\n') + '\n';

const artifacts = process.env.IMEIGUARD_CONSOLE_ARTIFACTS || 'console-artifacts';
mkdirSync(artifacts, { recursive: true });

let server;
let browser;
let context;
let page;
let silentCaseId;
const requestedUrls = [];
const pageProblems = [];

async function newPage(viewport = { width: 1280, height: 800 }) {
  context = await browser.newContext({ viewport });
  const created = await context.newPage();
  created.on('request', (request) => requestedUrls.push(request.url()));
  created.on('console', (message) => {
    if (message.type() === 'error') pageProblems.push(message.text());
  });
  created.on('pageerror', (error) => pageProblems.push(String(error)));
  return created;
}

async function screenshot(name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

// Signs in with `key`, after forgetting any key that the tab holds.
async function signIn(key) {
  await page.goto(`${server.baseUrl}/console/`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Case queue' }).waitFor();
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
}

async function openCase(caseId) {
  await page.goto(`${server.baseUrl}/console/#/cases/${caseId}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`^Case ${caseId}:`) }).waitFor();
}

// Reloads the case page until `text` shows in the devices section. A reload, because going to
// the same URL with the same hash loads nothing new.
async function waitForDeviceText(caseId, text) {
  await openCase(caseId);
  await server.waitFor(`"${text}" on case ${caseId}`, async () => {
    await page.reload();
    await page.locator('section[aria-labelledby="devices-title"]').waitFor();
    const devices = await page.locator('section[aria-labelledby="devices-title"]').innerText();
    return devices.includes(text);
  });
}

// Whether the page is wider than the viewport, which would make it scroll sideways.
async function scrollsSideways() {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

before(async () => {
  server = new ServerFixture({ policy: 'auto_lock_rules = ["exception_scan"]' });
  await server.start();
  const { keys } = server;
  assert.equal((await server.api('POST', '/v1/manifests', keys.shipper, MANIFEST)).status, 200);
  assert.equal((await server.api('POST', '/v1/events', keys.carrier, SCANS)).status, 200);
  const cases = await server.waitFor('two cases', async () => {
    const queue = await server.api('GET', '/v1/cases', keys.officer);
    return queue.body.cases.length >= 2 ? queue.body.cases : null;
  });
  silentCaseId = cases.find((item) => item.parcel_id === SILENT.parcel).case_id;
  await server.waitFor('the missing parcel locked', async () =>
    (await server.api('GET', `/v1/check/${MISSING.imei}`)).body.status === 'blocked');

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  page = await newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('console', () => {
  test('pages carry a strict content security policy', async () => {
    for (const path of ['/console/', '/console/check/']) {
      const response = await page.goto(`${server.baseUrl}${path}`);
      const policy = response.headers()['content-security-policy'] || '';
      assert.match(policy, /default-src 'self'/, path);
      assert.match(policy, /script-src 'self';/, path);
      assert.doesNotMatch(policy, /unsafe-inline/, path);
    }
  });

  test('rejects a wrong key and signs in with a right one', async () => {
    await page.goto(`${server.baseUrl}/console/`);
    await page.getByLabel('API key').fill('igk_0123456789ab_000000000000000000000000000000000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('was not accepted').waitFor();
    // A shipper's key is valid but may not read the case queue.
    await page.getByLabel('API key').fill(server.keys.shipper);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('role may not do this').waitFor();
    await signIn(server.keys.officer);
    const rows = page.locator('main table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    // The queue lists the case waiting for approval with its value.
    assert.match(await rows.first().innerText(), /awaiting approval/);
    await screenshot('case-queue-1280');
  });

  test('case shows timeline, late upload, evidence and masked IMEIs', async () => {
    await openCase(silentCaseId);
    const timeline = page.locator('table.timeline');
    const lateRow = timeline.locator('tr#event-c-2');
    assert.match(await lateRow.innerText(), /late upload/);
    assert.match(await lateRow.innerText(), /420 g/);
    assert.match(await lateRow.innerText(), /h-2210/);
    assert.doesNotMatch(await timeline.locator('tr#event-c-1').innerText(), /late upload/);
    const evidence = await page.locator('section[aria-labelledby="evidence-title"]').innerText();
    assert.match(evidence, /silence|light reweigh/);
    const text = await page.locator('body').innerText();
    assert.ok(!text.includes(SILENT.imei), 'the whole IMEI shows before a reveal');
    await screenshot('case-detail-1280');
  });

  test('reveal goes through the API with a reason', async () => {
    await openCase(silentCaseId);
    const before = requestedUrls.length;
    await page.getByRole('button', { name: 'Reveal IMEIs…' }).click();
    await page.getByLabel(/Why do you need the whole IMEIs/).fill('police asked for case file');
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    await page.locator('code.imei', { hasText: SILENT.imei }).waitFor();
    const reveal = requestedUrls.slice(before).find((url) => url.includes('reveal=true'));
    assert.ok(reveal, 'no request asked the API to reveal');
    assert.match(reveal, /reason=police\+asked\+for\+case\+file/);
  });

  test('approval to unlock with a second officer', async () => {
    await openCase(silentCaseId);
    await page.getByLabel('Reason (recorded in the audit trail)').fill('silent two days after a light re-weigh');
    await page.getByRole('button', { name: 'Approve lock' }).click();
    await page.getByRole('status').getByText('Lock approved').waitFor();
    await waitForDeviceText(silentCaseId, 'acknowledged');
    assert.equal((await server.api('GET', `/v1/check/${SILENT.imei}`)).body.status, 'blocked');

    await page.getByLabel('Reason (recorded in the audit trail)').fill('re-weigh shows the phone gone');
    await page.getByRole('button', { name: 'Confirm theft' }).click();
    await page.getByRole('status').getByText('Theft confirmed').waitFor();

    await page.getByLabel('Reason (recorded in the audit trail)').fill('owner has the phone');
    await page.getByRole('button', { name: 'Order unlock' }).click();
    await page.getByRole('status').getByText('A second security officer must approve').waitFor();
    await page.getByLabel('Reason (recorded in the audit trail)').fill('approving my own request');
    await page.getByRole('button', { name: 'Order unlock' }).click();
    const refusal = page.getByRole('alert');
    await refusal.getByText('A second security officer must do this step').waitFor();
    assert.match(await refusal.innerText(), /second_officer_required/);
    await screenshot('second-officer-required');

    await signOut();
    await signIn(server.keys.secondOfficer);
    await openCase(silentCaseId);
    await page.getByLabel('Reason (recorded in the audit trail)').fill('receipt checked');
    await page.getByRole('button', { name: 'Order unlock' }).click();
    await page.getByRole('status').getByText('Unlock ordered').waitFor();
    await server.waitFor('the unlock acknowledged', async () =>
      (await server.api('GET', `/v1/check/${SILENT.imei}`)).body.status === 'not_blocked');
    await waitForDeviceText(silentCaseId, 'unlock');
    const steps = await page.locator('section[aria-labelledby="steps-title"]').innerText();
    assert.match(steps, /lock approved/);
    assert.match(steps, /unlock approved/);
    await screenshot('case-unlocked');
  });

  test('device lookup shows each order with the platform steps', async () => {
    await page.goto(`${server.baseUrl}/console/#/devices`);
    await page.getByLabel(/^IMEI/).fill(SILENT.imei);
    await page.getByRole('button', { name: 'Show history' }).click();
    const orders = page.locator('table.orders tbody tr');
    await orders.first().waitFor();
    assert.equal(await orders.count(), 2);
    assert.match(await orders.nth(0).innerText(), /lock[\s\S]*acknowledged/);
    assert.match(await orders.nth(1).innerText(), /unlock[\s\S]*acknowledged/);
    await page.getByText(/^Steps of order \d+ \(lock via dm\)/).click();
    assert.match(await page.locator('details[open]').innerText(), /lock order acknowledged/);
    assert.ok(!(await page.locator('main').innerText()).includes(SILENT.imei.slice(8)),
      'the lookup shows the whole IMEI without a reveal');
    await screenshot('device-lock-history');
  });

  test('public check page answers without a key', async () => {
    await context.close();
    page = await newPage();
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'Is this phone reported stolen?' }).waitFor();
    const ask = async (imei) => {
      await page.getByLabel('IMEI').fill(imei);
      await page.getByRole('button', { name: 'Check' }).click();
    };
    await ask(MISSING.imei);
    await page.getByRole('status').getByText('Blocked.').waitFor();
    await screenshot('public-check-blocked');
    await ask(DELIVERED.imei);
    await page.getByRole('status').getByText('Not blocked.').waitFor();
    await ask('4901542032375');
    await page.getByRole('alert').getByText('not a valid IMEI').waitFor();
  });

  test('keyboard alone reaches and works a case', async () => {
    await signIn(server.keys.officer);
    await page.locator('main table tbody tr').first().waitFor();
    // Tab from the top of the page to the first case link, then open it with Enter.
    let focused = '';
    for (let i = 0; i < 30 && !focused.startsWith('Case '); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent || '');
    }
    assert.match(focused, /^Case \d+$/);
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    assert.notEqual(ring.style, 'none', 'the focused link shows no outline');
    assert.ok(ring.width >= 2, `the focus outline is ${ring.width}px wide`);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /^Case \d+:/ }).waitFor();
    // The heading takes the focus once the case has loaded.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1', null,
      { timeout: 5000 });
    assert.match(await page.evaluate(() => document.activeElement.textContent), /^Case \d+: parcel/);

    // Onward from the heading, the police report field comes before the timeline.
    let label = '';
    for (let i = 0; i < 20 && label !== 'police-report'; i++) {
      await page.keyboard.press('Tab');
      label = await page.evaluate(() => document.activeElement?.id || '');
    }
    assert.equal(label, 'police-report');
    await page.keyboard.type('5000-K123456-26');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('Recorded').waitFor();
    await screenshot('keyboard-police-report');
  });

  test('pages have landmarks, one heading and labelled controls', async () => {
    await signIn(server.keys.officer);
    for (const hash of ['#/cases', `#/cases/${silentCaseId}`, '#/devices']) {
      await page.goto(`${server.baseUrl}/console/${hash}`);
      await page.locator('main h1').waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      const audit = await page.evaluate(() => ({
        banner: document.querySelectorAll('header').length,
        navigation: document.querySelectorAll('nav').length,
        main: document.querySelectorAll('main').length,
        contentinfo: document.querySelectorAll('footer').length,
        headings: document.querySelectorAll('h1').length,
        unlabelled: [...document.querySelectorAll('input, textarea, select')]
          .filter((control) => control.labels.length === 0 && !control.getAttribute('aria-label'))
          .map((control) => control.outerHTML),
        unnamedButtons: [...document.querySelectorAll('button, a')]
          .filter((control) => !control.textContent.trim() && !control.getAttribute('aria-label'))
          .map((control) => control.outerHTML),
      }));
      assert.equal(audit.banner, 1, hash);
      assert.ok(audit.navigation >= 1, hash);
      assert.equal(audit.main, 1, hash);
      assert.equal(audit.contentinfo, 1, hash);
      assert.equal(audit.headings, 1, hash);
      assert.deepEqual(audit.unlabelled, [], hash);
      assert.deepEqual(audit.unnamedButtons, [], hash);
    }
  });

  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    test(`no sideways scrolling at ${viewport.width}x${viewport.height}`, async () => {
      await context.close();
      page = await newPage(viewport);
      await signIn(server.keys.police);
      assert.equal(await scrollsSideways(), false, 'case queue');
      await screenshot(`case-queue-${viewport.width}`);
      await openCase(silentCaseId);
      assert.equal(await scrollsSideways(), false, 'case detail');
      await screenshot(`case-detail-${viewport.width}`);
      await page.goto(`${server.baseUrl}/console/check/`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      assert.equal(await scrollsSideways(), false, 'public check');
    });
  }

  test('every request stays on the server and nothing breaks the policy', async () => {
    const foreign = requestedUrls.filter((url) =>
      !url.startsWith(server.baseUrl) && !url.startsWith('data:'));
    assert.deepEqual(foreign, []);
    assert.deepEqual(pageProblems.filter((text) => !text.includes('status of 4')), []);
  });
});
