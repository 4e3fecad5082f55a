// The hotspots page in headless Chromium on a simulated flow with an insider: a handler who
// steals phones on one shift at one node. The page must show that handler first, with a
// p-value that marks it as significant, in the chart's summary and in its table.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { ServerFixture } from './server_fixture.js';
import { CHROMIUM_FLAGS } from './chromium.js';

const artifacts = process.env.IMEIGUARD_CONSOLE_ARTIFACTS || 'console-artifacts';
mkdirSync(artifacts, { recursive: true });

let server;
let browser;
let flow;

// The handler of the last scan of most parcels the insider stole: where the phones vanished.
function insiderHandler(folder) {
  const insiderParcels = new Set(readFileSync(join(folder, 'labels.csv'), 'utf8').split('\n')
    .map((line) => line.split(','))
    .filter((fields) => fields[5] === 'theft_insider')
    .map((fields) => fields[2]));
  const last = new Map();
  for (const line of readFileSync(join(folder, 'events.ndjson'), 'utf8').split('\n')) {
    if (!line) continue;
    const scan = JSON.parse(line);
    if (!insiderParcels.has(scan.parcel_id)) continue;
    const seen = last.get(scan.parcel_id);
    if (!seen || Date.parse(scan.time) >= Date.parse(seen.time)) last.set(scan.parcel_id, scan);
  }
  const counts = new Map();
  for (const scan of last.values()) counts.set(scan.handler, (counts.get(scan.handler) || 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

before(async () => {
  // Sixty thefts at one hub within three days would otherwise count as an outage of that hub
  // (suspect, not lost), and hotspots count lost parcels only. The flow is one upload.
  server = new ServerFixture({
    policy: 'outage_min_parcels = 1000',
    tables: '[ingest]\nmax_batch_lines = 200000',
  });
  await server.start();
  flow = join(server.dir, 'flow');
  execFileSync(server.binary, ['simulate', '--seed', '7', '--days', '6', '--parcels', '4000',
    '--phone-parcels', '3000', '--min-thefts', '60', '--out', flow]);
  const { keys } = server;
  const manifest = readFileSync(join(flow, 'manifest.csv'), 'utf8');
  const registered = await server.api('POST', '/v1/manifests', keys.admin, manifest);
  assert.equal(registered.status, 200, JSON.stringify(registered.body));
  const events = readFileSync(join(flow, 'events.ndjson'), 'utf8');
  const uploaded = await server.api('POST', '/v1/events', keys.carrier, events);
  assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
  // The feed counts as complete a second after the upload; then the silent parcels turn lost.
  // The window leaves out the flow's last two days, whose parcels are still on their way.
  await server.waitFor('a significant handler in the hotspot report', async () => {
    const report = await server.api('GET',
      '/v1/hotspots?dimension=handler&from=2026-03-01T00:00:00Z&to=2026-03-05T00:00:00Z&limit=1',
      keys.officer);
    return report.status === 200 && report.body.rows.length > 0 && report.body.rows[0].q_value < 0.01;
  }, 120);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('hotspots put the insider handler first', async () => {
  const expected = insiderHandler(flow);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.baseUrl}/console/`);
  await page.getByLabel('API key').fill(server.keys.police);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Hotspots' }).click();
  await page.getByRole('link', { name: 'Handlers' }).click();
  await page.getByLabel('From (event time, UTC)').fill('2026-03-01');
  await page.getByLabel('To (exclusive)').fill('2026-03-05');
  await page.getByRole('button', { name: 'Show' }).click();

  const summary = page.locator('#hotspot-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), new RegExp(`stand out\\. ${expected}: \\d+ lost`));
  const chart = page.getByRole('img', { name: /Bar chart of lost and expected parcels per handler/ });
  const box = await chart.boundingBox();
  assert.ok(box, 'the chart is not on the page');
  assert.ok(box.width > 300, `the chart is ${box.width} px wide`);
  assert.ok(box.height > 100, `the chart is ${box.height} px high`);
  await page.screenshot({ path: join(artifacts, 'hotspots-handler.png'), fullPage: true });

  const table = page.locator('#hotspot-table');
  assert.equal(await table.isVisible(), false);
  await page.getByRole('button', { name: 'Show as a table' }).click();
  const first = table.locator('tbody tr').first();
  assert.equal(await first.locator('th').innerText(), expected);
  assert.equal(await first.getAttribute('class'), 'significance-strong');
  await page.screenshot({ path: join(artifacts, 'hotspots-handler-table.png'), fullPage: true });

  // At a phone's width the chart and the table fit without sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  // Chart.js redraws the canvas on its next resize observation.
  await page.waitForFunction(() =>
    document.querySelector('canvas').getBoundingClientRect().width <= window.innerWidth);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth),
    false);
  await page.screenshot({ path: join(artifacts, 'hotspots-handler-390.png') });
  await context.close();
});
