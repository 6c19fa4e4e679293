// The library's bad input in the library's words: each public function of src/index.ts given a bad value throws one
// UserError line naming the property the caller gave (`options.port 70000: …`), before any work, where it threw a raw
// RangeError/TypeError, accepted it silently or named a CLI option (`--port`, `--server`, `--packages`). The CLI rows
// show the same checks still name the CLI's options.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createValidator, defaultConnection, generate, generateAsync, seed, startServer, UserError, type SeedOptions } from '../../src/index.js';
import { runCli } from '../../src/cli/run.js';
import { purge, PURGE_CLI_NAMES } from '../../src/seed/purge.js';
import { SEED_CLI_NAMES } from '../../src/seed/options.js';
import { SERVE_CLI_NAMES } from '../../src/serve/startup-checks.js';
import { useHeldPort } from '../helpers/held-port.js';
import { codeMaps, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { rejected } from '../helpers/thrown.js';

const temp = tempDir('fhirseed-bad-input-');
afterAll(() => temp.cleanup());
const profile = { ...shippedProfile(), members: 2 };
let outs = 0;
const out = () => join(temp.dir, `out-${++outs}`);
// A port nothing listens on: the seed rows fail before any request, or they would name the connection instead.
const NO_SERVER = 'http://127.0.0.1:9/fhir';
const seedDir = join(temp.dir, 'seeded');
const seedOptions = (o: Partial<SeedOptions>): SeedOptions => ({
  ...defaultConnection(NO_SERVER), dir: seedDir, mode: 'transaction', dryRun: false, resume: false, retryDeadLetter: false, verify: false, ...o,
});

beforeAll(() => {
  generateTo(seedDir, profile);
  mkdirSync(join(temp.dir, 'empty'));
});

/** [what the caller did, the call, the one line it must throw]. */
type Row = [string, () => unknown, string];

const generateRows: Row[] = [
  ['maxBundleEntries 0', () => generate({ profile, out: out(), codeMaps, maxBundleEntries: 0 }), 'options.maxBundleEntries 0: expected a whole number ≥ 1'],
  ['maxBundleEntries -1', () => generate({ profile, out: out(), codeMaps, maxBundleEntries: -1 }), 'options.maxBundleEntries -1: expected a whole number ≥ 1'],
  ['maxBundleEntries 1.5', () => generate({ profile, out: out(), codeMaps, maxBundleEntries: 1.5 }), 'options.maxBundleEntries 1.5: expected a whole number ≥ 1'],
  ["maxBundleEntries 'x'", () => generate({ profile, out: out(), codeMaps, maxBundleEntries: 'x' as never }), 'options.maxBundleEntries "x": expected a whole number ≥ 1'],
  ["formats ['xml']", () => generate({ profile, out: out(), codeMaps, formats: ['xml' as never] }), `options.formats ["xml"]: unknown format 'xml' (known: bundles, ndjson)`],
  ['formats []', () => generate({ profile, out: out(), codeMaps, formats: [] }), 'options.formats: name at least one of bundles, ndjson'],
  ["formats 'ndjson'", () => generate({ profile, out: out(), codeMaps, formats: 'ndjson' as never }), 'options.formats "ndjson": expected a list of bundles, ndjson'],
  ["igs ['nope']", () => generate({ profile, out: out(), codeMaps, igs: ['nope' as never] }), `options.igs ["nope"]: unknown IG 'nope' (did you mean us-core? known: carin-bb, us-core, plan-net, formulary, pdex)`],
  ["usCoreVersion '7.0.0'", () => generate({ profile, out: out(), codeMaps, usCoreVersion: '7.0.0' as never }), 'options.usCoreVersion "7.0.0": fhirseed builds US Core 6.1.0 or 3.1.1'],
  ["shard '1/2'", () => generate({ profile, out: out(), codeMaps, shard: '1/2' as never }), 'options.shard "1/2": expected { index, count } with 1 ≤ index ≤ count'],
  ["codeMaps 'x'", () => generate({ profile, out: out(), codeMaps: 'x' as never }), `generate: options.codeMaps "x": expected loadCodeMaps()'s result`],
  ["onProgress 'x'", () => generate({ profile, out: out(), codeMaps, onProgress: 'x' as never }), 'generate: options.onProgress "x": expected a function'],
  ['generateAsync jobs 0', () => generateAsync({ profile, out: out(), codeMaps, jobs: 0 }), 'options.jobs 0: expected a whole number ≥ 1'],
  ['generateAsync jobs 1.5', () => generateAsync({ profile, out: out(), codeMaps, jobs: 1.5 }), 'options.jobs 1.5: expected a whole number ≥ 1'],
];

const serveRows: Row[] = [
  ['port 70000', () => startServer({ port: 70000 }), 'options.port 70000: expected a whole number 0–65535'],
  ['port -1', () => startServer({ port: -1 }), 'options.port -1: expected a whole number 0–65535'],
  ['port 1.5', () => startServer({ port: 1.5 }), 'options.port 1.5: expected a whole number 0–65535'],
  ["port 'x'", () => startServer({ port: 'x' as never }), 'options.port "x": expected a whole number 0–65535'],
  ['host 5', () => startServer({ host: 5 as never }), 'options.host 5: expected a host name or address (default 127.0.0.1)'],
  ['readWorkers -1', () => startServer({ readWorkers: -1 }), 'options.readWorkers -1: expected a whole number 0–64'],
  ['maxBody 0', () => startServer({ maxBody: 0 }), 'options.maxBody 0: expected a whole number ≥ 1'],
  ["maxBody '32MB'", () => startServer({ maxBody: '32MB' as never }), 'options.maxBody "32MB": expected a whole number ≥ 1'],
  ['tls.cert missing file', () => startServer({ tls: { cert: join(temp.dir, 'no-cert.pem'), key: join(temp.dir, 'no-key.pem') } }), `options.tls.cert ${join(temp.dir, 'no-cert.pem')}: cannot read it (ENOENT)`],
  ["rateLimit '10/s'", () => startServer({ rateLimit: '10/s' as never }), `options.rateLimit "10/s": expected { policies: [{ name, quota, windowSeconds }, …], warnShare? } (the CLI's 10/s is { name: 'per-second', quota: 10, windowSeconds: 1 })`],
  ["rateLimit.policies 'x'", () => startServer({ rateLimit: { policies: 'x' as never } }), 'options.rateLimit.policies "x": expected a list of at least one { name, quota, windowSeconds }'],
  ['rateLimit quota 0', () => startServer({ rateLimit: { policies: [{ name: 'per-second', quota: 0, windowSeconds: 1 }] } }), 'options.rateLimit.policies[0].quota 0: expected a whole number ≥ 1'],
  ['rateLimit two per-second', () => startServer({ rateLimit: { policies: [{ name: 'per-second', quota: 5, windowSeconds: 1 }, { name: 'per-second', quota: 9, windowSeconds: 1 }] } }), 'options.rateLimit.policies: one limit per window'],
  ['rateLimit warnShare 80', () => startServer({ rateLimit: { policies: [{ name: 'per-second', quota: 5, windowSeconds: 1 }], warnShare: 80 } }), 'options.rateLimit.warnShare 80: expected a share above 0 up to 1 (0.8 = 80%)'],
  ["store 'sqlit'", () => startServer({ store: 'sqlit' as never }), 'options.store "sqlit": expected memory or sqlite (a store file goes in options.storeFile)'],
  ['bulkExport.expirySeconds 0', () => startServer({ bulkExport: { expirySeconds: 0 } }), 'options.bulkExport.expirySeconds 0: expected a number of seconds > 0'],
  ['bulkExport.expirySeconds -1', () => startServer({ bulkExport: { expirySeconds: -1 } }), 'options.bulkExport.expirySeconds -1: expected a number of seconds > 0'],
  ["auth.mode 'bogus'", () => startServer({ auth: { mode: 'bogus' as never } }), 'options.auth.mode "bogus": expected one of none, bearer, smart-backend, smart-patient'],
  ["auth 'smart-backend'", () => startServer({ auth: 'smart-backend' as never }), 'options.auth "smart-backend": expected { mode, … } with mode one of none, bearer, smart-backend, smart-patient'],
  ["corsOrigins 'x'", () => startServer({ corsOrigins: 'x' as never }), `options.corsOrigins "x": expected '*' or a list of origins such as ['https://app.example']`],
  ["corsOrigins ['not a url']", () => startServer({ corsOrigins: ['not a url'] }), "options.corsOrigins: 'not a url' is not an origin (scheme://host[:port], e.g. https://app.example)"],
  ["corsOrigins ['https://a.example/app']", () => startServer({ corsOrigins: ['https://a.example/app'] }), "options.corsOrigins: 'https://a.example/app' is not an origin (scheme://host[:port] with no path, e.g. https://app.example)"],
  ['tls.cert without key', () => startServer({ tls: { cert: join(temp.dir, 'cert.pem') } as never }), 'options.tls.cert needs options.tls.key too (HTTPS needs the certificate and its private key)'],
  ['tls.cert a list', () => startServer({ tls: { cert: ['c.pem'], key: 'k.pem' } as never }), 'options.tls.cert an array: expected a PEM file path'],
  ["storeFile a directory", () => startServer({ storeFile: temp.dir }), `store ${temp.dir}: is a directory; give options.storeFile a file path (e.g. ${join(temp.dir, 'store.sqlite')})`],
  ['smart-patient without dir', () => startServer({ auth: { mode: 'smart-patient' } }), 'options.auth.mode smart-patient needs options.dir, a population directory with test-accounts.json (fhirseed generate writes it)'],
  ['smart-patient, no test accounts', () => startServer({ dir: join(temp.dir, 'empty'), auth: { mode: 'smart-patient' } }), `options.auth.mode smart-patient: no test-accounts.json in ${join(temp.dir, 'empty')} (fhirseed generate writes it)`],
  ['the CLI names: port 70000', () => startServer({ port: 70000 }, SERVE_CLI_NAMES), '--port 70000: expected a whole number 0–65535'],
];

const seedRows: Row[] = [
  ['bundleSize -1', () => seed(seedOptions({ bundleSize: -1 })), 'options.bundleSize -1: expected a whole number ≥ 1'],
  ['bundleSize 0, dry run', () => seed(seedOptions({ bundleSize: 0, dryRun: true })), 'options.bundleSize 0: expected a whole number ≥ 1'],
  ['concurrency 0', () => seed(seedOptions({ concurrency: 0 })), 'options.concurrency 0: expected a whole number ≥ 1'],
  ['timeoutMs -1', () => seed(seedOptions({ timeoutMs: -1 })), 'options.timeoutMs -1: expected a number > 0'],
  ['requestsPerSecond 0', () => seed(seedOptions({ requestsPerSecond: 0 })), 'options.requestsPerSecond 0: expected a number > 0'],
  ["server 'x'", () => seed(seedOptions({ server: 'x' })), 'options.server "x": not a URL (did you mean http://x?)'],
  ['server missing', () => seed({ dir: seedDir } as never), 'options.server missing: expected the FHIR base URL (http://HOST:PORT/fhir)'],
  ['a server elsewhere', () => seed(seedOptions({ server: 'https://fhir.example.org/r4' })), 'https://fhir.example.org/r4 is not on this machine: seed it only with options.production: true'],
  ['stateDir a file', () => seed(seedOptions({ stateDir: join(seedDir, 'manifest.json') })), `cannot keep the seed state (checkpoint, dead letters) in ${join(seedDir, 'manifest.json')} (EEXIST); give a writable options.stateDir`],
  ["mode 'x'", () => seed(seedOptions({ mode: 'x' as never })), 'options.mode "x": expected one of transaction, batch, upsert'],
  ["auth.mode 'backend'", () => seed(seedOptions({ auth: { mode: 'backend' as never } })), 'options.auth.mode "backend": expected one of none, bearer, basic, client-credentials, smart-backend'],
  ['the CLI names: bundleSize -1', () => seed(seedOptions({ bundleSize: -1 }), SEED_CLI_NAMES), '--bundle-size -1: expected a whole number ≥ 1'],
  ['purge with no run', () => purge({ ...defaultConnection(NO_SERVER), allFhirseed: false, dryRun: true }), 'purge needs options.runId or options.allFhirseed: true'],
  ['purge, the CLI names', () => purge({ ...defaultConnection(NO_SERVER), allFhirseed: false, dryRun: true }, PURGE_CLI_NAMES), 'purge needs --run ID or --all-fhirseed'],
];

const validatorRows: Row[] = [
  ["igs ['x']", () => createValidator({ igs: ['x'] }), 'options.igs x: expected <name>@<version>, e.g. carin-bb@2.0.0 or us-core@6.1.0'],
  ["igs 'x'", () => createValidator({ igs: 'x' as never }), `options.igs "x": expected a list of <name>@<version>, e.g. ['carin-bb@2.0.0', 'us-core@6.1.0']`],
  ['packagesDir 5', () => createValidator({ packagesDir: 5 as never }), 'options.packagesDir 5: expected the path of the folder holding the <name>#<version>.tgz files or <name>#<version>/package/ folders'],
  ["startServer validate.igs ['x']", () => startServer({ validate: { igs: ['x'] } }), 'options.validate.igs x: expected <name>@<version>, e.g. carin-bb@2.0.0 or us-core@6.1.0'],
];

describe('the library: bad input throws one UserError line naming the property', () => {
  it.each([...generateRows.map((r) => ['generate', ...r] as const)])('%s %s', async (_, __, call, message) => {
    const outsBefore = outs;
    const error = await rejected(Promise.resolve().then(call));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(message);
    // Before any work: the output directory the call named is not there.
    expect(existsSync(join(temp.dir, `out-${outsBefore + 1}`))).toBe(false);
  });

  it.each([...serveRows.map((r) => ['startServer', ...r] as const), ...seedRows.map((r) => ['seed', ...r] as const), ...validatorRows.map((r) => ['createValidator', ...r] as const)])(
    '%s %s',
    async (_, __, call, message) => {
      const error = await rejected(Promise.resolve().then(call));
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toBe(message);
    },
    30_000,
  );
});

describe('advice names the property: a port in use, missing packages', () => {
  const heldPort = useHeldPort();

  it('should tell startServer to pick another options.port, and the CLI another --port', async () => {
    const port = heldPort();
    const error = await rejected(startServer({ port }));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(new RegExp(`^port ${port} is in use \\(on 127\\.0\\.0\\.1, [^)]*\\); pick another with options\\.port$`));
    expect((await rejected(startServer({ port }, SERVE_CLI_NAMES))).message).toMatch(/; pick another with --port$/);
  });

  it('should name options.packagesDir in a missing package error of createValidator (the CLI: --packages)', async () => {
    const dir = join(temp.dir, 'no-packages');
    const error = await rejected(createValidator({ packagesDir: dir, igs: ['zz@1.0.0'] }));
    expect(error).toBeInstanceOf(UserError);
    const [first, hint] = error.message.split('\n');
    expect(first).toMatch(/^FHIR package zz#1\.0\.0 not found\. Looked in .*; not downloaded, as options\.packagesDir is given$/);
    expect(hint).toContain('with options.packagesDir, with FHIRSEED_PACKAGES=DIR');
  });
});

describe('the CLI still names its options (the same checks)', () => {
  async function run(args: string[]) {
    let stderr = '';
    const code = await runCli(args, { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
    return { code, stderr };
  }

  it.each([
    [['generate', '--members', '2', '--max-bundle-entries', '0'], '--max-bundle-entries 0: expected a whole number ≥ 1'],
    [['generate', '--members', '2', '--format', 'bundles,xml'], "--format bundles,xml: unknown format 'xml' (known: bundles, ndjson)"],
    [['serve', '--port', '70000'], '--port 70000: expected a whole number 0–65535'],
    [['serve', '--rate-limit', '10/s,20/sec'], '--rate-limit 10/s,20/sec: one limit per window'],
    [['serve', '--cors-origins', 'not a url'], "--cors-origins: 'not a url' is not an origin (scheme://host[:port], e.g. https://app.example)"],
    [['serve', '--auth', 'bogus'], '--auth: "bogus" is not one of none, bearer, smart-backend, smart-patient'],
    [['serve', '--tls-cert', 'c.pem'], '--tls-cert needs --tls-key too (HTTPS needs the certificate and its private key)'],
    [['serve', '--auth', 'smart-patient', '--port', '0'], '--auth smart-patient needs a population directory with test-accounts.json (fhirseed generate writes it)'],
    [['serve', '--rate-limit', '10/h'], '--rate-limit 10/h: expected N/s, N/min or both (e.g. 10/s,300/min), N at least 1'],
    [['purge', '--server', 'https://fhir.example.org/r4', '--run', 'r'], 'https://fhir.example.org/r4 is not on this machine: purge it only with --production'],
  ])('%j', async (args, message) => {
    const r = await run([...args, ...(args[0] === 'generate' ? ['--out', out()] : [])]);
    expect([r.code, r.stderr]).toEqual([2, `fhirseed: ${message}\n`]);
  });

  it('should say --state-dir for seed --state-dir FILE', async () => {
    const file = join(seedDir, 'manifest.json');
    const r = await run(['seed', seedDir, '--server', NO_SERVER, '--state-dir', file]);
    expect([r.code, r.stderr]).toEqual([2, `fhirseed: cannot keep the seed state (checkpoint, dead letters) in ${file} (EEXIST); give a writable --state-dir\n`]);
  });
});
