// A real `imeiguard serve` with the reference device-management simulator, each on a free port
// of 127.0.0.1 with a new store in a temporary folder, for the console's browser tests.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function requiredEnvironment(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this test through ctest`);
  return value;
}

async function waitForPort(child, portFile, logFile) {
  for (let i = 0; i < 200; i++) {
    if (existsSync(portFile)) {
      const text = readFileSync(portFile, 'utf8').trim();
      if (/^\d+$/.test(text)) return Number(text);
    }
    if (child.exitCode !== null) {
      throw new Error(`the process exited with ${child.exitCode}; its log: ${readFileSync(logFile, 'utf8')}`);
    }
    await sleep(100);
  }
  throw new Error(`no port in ${portFile} after 20 s; see ${logFile}`);
}

function startProcess(binary, args, logFile) {
  const log = openSync(logFile, 'a');
  return spawn(binary, args, { stdio: ['ignore', log, log] });
}

export class ServerFixture {
  // `policy` is appended to the configuration's [default] table, and `tables` (TOML tables of
  // their own) to the end. IMEIGUARD_KEEP_TEST_FOLDER=1 keeps the folder, for its logs.
  constructor({ policy = '', tables = '', keep = process.env.IMEIGUARD_KEEP_TEST_FOLDER === '1' } = {}) {
    this.binary = requiredEnvironment('IMEIGUARD_BINARY');
    this.simulatorBinary = requiredEnvironment('IMEIGUARD_DM_SIMULATOR');
    this.consoleDir = requiredEnvironment('IMEIGUARD_CONSOLE_DIR');
    this.dir = mkdtempSync(join(tmpdir(), 'imeiguard-console-'));
    this.store = join(this.dir, 'store.db');
    this.policy = policy;
    this.tables = tables;
    this.keep = keep;
    this.children = [];
  }

  async start() {
    const simulatorPortFile = join(this.dir, 'simulator.port');
    const simulator = startProcess(this.simulatorBinary, ['--listen', '127.0.0.1', '--port', '0',
      '--port-file', simulatorPortFile, '--secret', 'demo:console-secret'],
    join(this.dir, 'simulator.log'));
    this.children.push(simulator);
    const simulatorPort = await waitForPort(simulator, simulatorPortFile, join(this.dir, 'simulator.log'));
    writeFileSync(join(this.dir, 'dm.secret'), 'console-secret\n');

    // Scans are days old and no more follow, so the feed counts as complete about a second after
    // the last upload.
    writeFileSync(join(this.dir, 'config.toml'), [
      '[default]', 'connectors = ["dm"]', this.policy,
      '[outbox]', 'poll_interval_ms = 100',
      '[feed]', 'idle_after_hours = 0.0003',
      '[server]', `console_directory = "${this.consoleDir}"`,
      '[connectors.dm]', 'host = "127.0.0.1"', `port = ${simulatorPort}`, 'tenant = "demo"',
      `secret_file = "${join(this.dir, 'dm.secret')}"`, this.tables, '',
    ].join('\n'));

    this.keys = {
      officer: this.createKey('security_officer'),
      secondOfficer: this.createKey('security_officer'),
      police: this.createKey('police'),
      carrier: this.createKey('carrier'),
      shipper: this.createKey('shipper', 'telco-a'),
      admin: this.createKey('admin'),
    };

    const portFile = join(this.dir, 'imeiguard.port');
    const server = startProcess(this.binary, ['serve', '--config', join(this.dir, 'config.toml'),
      '--store', this.store, '--listen', '127.0.0.1', '--port', '0', '--port-file', portFile],
    join(this.dir, 'imeiguard.log'));
    this.children.push(server);
    const port = await waitForPort(server, portFile, join(this.dir, 'imeiguard.log'));
    this.baseUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      const ready = await fetch(`${this.baseUrl}/readyz`).then((r) => r.ok, () => false);
      if (ready) return;
      await sleep(100);
    }
    throw new Error('imeiguard did not become ready');
  }

  createKey(role, shipper) {
    const args = ['keys', 'create', '--store', this.store, '--role', role];
    if (shipper) args.push('--shipper', shipper);
    return execFileSync(this.binary, args, { encoding: 'utf8' }).trim();
  }

  // Sends one API request and returns {status, body}.
  async api(method, path, key, body) {
    const headers = {};
    if (key) headers.Authorization = `Bearer ${key}`;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method, headers, body: typeof body === 'object' ? JSON.stringify(body) : body,
    });
    const text = await response.text();
    let parsed = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  }

  // Polls `probe` until it returns a truthy value, for up to `seconds`. The default is generous
  // because CI machines run other builds beside the test.
  async waitFor(what, probe, seconds = 60) {
    for (let i = 0; i < seconds * 10; i++) {
      const value = await probe();
      if (value) return value;
      await sleep(100);
    }
    throw new Error(`timed out after ${seconds} s waiting for ${what}`);
  }

  async stop() {
    for (const child of this.children.reverse()) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    if (!this.keep) rmSync(this.dir, { recursive: true, force: true });
  }
}
