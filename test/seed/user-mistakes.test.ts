import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineExit2, runInProcess } from './helpers/bin.js';
import { uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { tempDir } from './helpers/temp.js';

/**
 * The other mistakes a new user makes with seed, ping and purge — a bad --server, a directory that is
 * not fhirseed output, unreadable secret or key files, an unwritable state directory or log — each
 * one line naming what and where, exit 2, before any request (the server named does not exist). The message and
 * the exit code are what is under test, so the CLI runs in this process; the procfs case below is a real child.
 */
const temp = tempDir('fhirseed-mistakes-');
const out = join(temp.dir, 'out');
const aFile = join(temp.dir, 'a-file');
const empty = join(temp.dir, 'empty');
const badManifest = join(temp.dir, 'bad-manifest');
const NO_SERVER = 'http://127.0.0.1:9/fhir';
const SECRET_VARIABLES = ['FHIRSEED_TOKEN', 'FHIRSEED_CLIENT_SECRET'];
const savedSecrets = SECRET_VARIABLES.map((name) => [name, process.env[name]] as const);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

beforeAll(() => {
  writeFixtureOutput(out, { members: 1, runId: uniqueRunId('mistakes') });
  writeFileSync(aFile, 'not a directory');
  writeFileSync(join(temp.dir, 'empty-key.pem'), '\n');
  writeFileSync(join(temp.dir, 'key.pem'), generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  mkdirSync(empty);
  writeFixtureOutput(badManifest, { members: 1, runId: uniqueRunId('bad-manifest') });
  writeFileSync(join(badManifest, 'manifest.json'), '{\n  "runId": "r",\n  counts: {}\n}\n');
  for (const name of SECRET_VARIABLES) delete process.env[name];
});
afterAll(() => {
  for (const [name, value] of savedSecrets) if (value !== undefined) process.env[name] = value;
  temp.remove();
});

const cases: [string, () => string[], RegExp][] = [
  ['a --server that is not a URL', () => ['seed', out, '--server', 'http//localhost:8080'], /--server "http\/\/localhost:8080": not a URL/],
  ['a --server with another scheme', () => ['purge', '--server', 'ftp://127.0.0.1/fhir', '--run', 'r'], /--server: expected an http or https URL, not ftp:/],
  ['a --server with credentials in it', () => ['ping', '--server', 'http://user:pw@127.0.0.1/fhir'], /--server must not hold credentials/],
  ['a file given as the output directory', () => ['seed', aFile, '--server', NO_SERVER], /a-file is a file, not a directory; give a directory written by fhirseed generate/],
  ['a directory without a manifest', () => ['seed', empty, '--server', NO_SERVER], /empty has no manifest\.json; give a directory written by fhirseed generate/],
  ['a missing output directory', () => ['seed', join(temp.dir, 'nowhere'), '--server', NO_SERVER], /nowhere does not exist/],
  ['a --state-dir that is a file', () => ['seed', out, '--server', NO_SERVER, '--state-dir', aFile], /cannot keep the seed state .* in \S+a-file \(EEXIST\); give a writable --state-dir/],
  ['a --state-dir under a file', () => ['seed', out, '--server', NO_SERVER, '--state-dir', join(aFile, 'state')], /cannot keep the seed state .*\(ENOTDIR\); give a writable --state-dir/],
  ['a --log that cannot be written', () => ['seed', out, '--server', NO_SERVER, '--log', join(aFile, 'seed.log')], /--log \S+seed\.log: cannot write it \(ENOTDIR\)/],
  ['a --log that cannot be written (purge)', () => ['purge', '--server', NO_SERVER, '--run', 'r', '--log', join(temp.dir, 'no', 'dir', 'x.log')], /--log \S+x\.log: cannot write it \(ENOENT\)/],
  ['a missing --token-file', () => ['seed', out, '--server', NO_SERVER, '--auth', 'bearer', '--token-file', join(temp.dir, 'no-token')], /cannot read the bearer token file \S+no-token: ENOENT/],
  ['a directory as --token-file', () => ['ping', '--server', NO_SERVER, '--auth', 'bearer', '--token-file', empty], /cannot read the bearer token file \S+empty: EISDIR/],
  ['an empty --private-key-file', () => ['purge', '--server', NO_SERVER, '--run', 'r', '--auth', 'smart-backend', '--client-id', 'c', '--private-key-file', join(temp.dir, 'empty-key.pem')], /the private key file \S+empty-key\.pem is empty/],
  ['a --private-key-file that is not a key', () => ['seed', out, '--server', NO_SERVER, '--auth', 'smart-backend', '--client-id', 'c', '--private-key-file', aFile], /the private key is not a PEM or JWK private key/],
  ['a missing --jwks-file', () => ['seed', out, '--server', NO_SERVER, '--auth', 'smart-backend', '--client-id', 'c', '--private-key-file', join(temp.dir, 'key.pem'), '--jwks-file', join(temp.dir, 'no.jwks')], /--jwks-file \S+no\.jwks: cannot read it \(ENOENT\)/],
  ['a missing --accounts file', () => ['ping', '--server', NO_SERVER, '--accounts', join(temp.dir, 'no-accounts.json')], /--accounts \S+: not a readable test-accounts\.json/],
  ['a manifest.json that is not JSON, at its line and column', () => ['seed', badManifest, '--server', NO_SERVER], /bad-manifest\/manifest\.json:3:3: not JSON \(Expected double-quoted property name\)\n$/],
  ['--auth bearer without a token, naming both ways to give it', () => ['seed', out, '--server', NO_SERVER, '--auth', 'bearer'], /no bearer token: give --token-file FILE or set environment variable FHIRSEED_TOKEN\n$/],
  ['--auth client-credentials without a secret', () => ['ping', '--server', NO_SERVER, '--auth', 'client-credentials', '--client-id', 'c'], /no client secret: give --client-secret-file FILE or set environment variable FHIRSEED_CLIENT_SECRET\n$/],
  ['--resume with --retry-dead-letter', () => ['seed', out, '--server', NO_SERVER, '--resume', '--retry-dead-letter'], /give --resume or --retry-dead-letter, not both/],
];

describe('seed, ping and purge: user mistakes are one line, exit 2', () => {
  for (const [name, args, pattern] of cases) {
    it(`should report ${name} in one line, exit 2`, async () => {
      expectOneLineExit2(await runInProcess(args()), pattern);
    });
  }
});

describe('seed: a --state-dir under a folder that refuses children (procfs)', () => {
  // Node's recursive mkdir never returned there, at full CPU, deaf to SIGTERM (its handler is JS on a blocked loop):
  // spawnSync's SIGKILL after 60 s ends the old code's child, so a regression fails here instead of hanging the run.
  it('should say so in one line, exit 2, instead of hanging', () => {
    const run = spawnSync(process.execPath, ['--import', './test/seed/helpers/offline-dns.mjs', 'dist/src/cli/bin.js', 'seed', out, '--server', NO_SERVER, '--state-dir', '/proc/fhirseed-nope/state'], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL',
    });
    expect(run.signal).toBeNull();
    expectOneLineExit2({ code: run.status, stdout: run.stdout, stderr: run.stderr }, /cannot keep the seed state .* in \/proc\/fhirseed-nope\/state \(ENOENT\); give a writable --state-dir/);
  }, 90_000);
});
