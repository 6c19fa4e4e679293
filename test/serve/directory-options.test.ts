// `serve --packages FILE` served without a word of the mistake (the packages "not found" in a note), `--state-dir FILE`
// served and failed only at the first registration: each is now one line (exit 2) before the port is bound and the data
// loaded, as the start's other cheap checks (src/serve/startup-checks.ts). The token and export lifetimes of 0 were
// already refused at once; pinned here before the port too.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startServer, type ServeOptions } from '../../src/serve/index.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-directory-options-');
const file = join(temp.dir, 'afile.txt');
let held: Server;
let heldPort = 0;

beforeAll(async () => {
  writeFileSync(file, 'not a folder\n');
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  heldPort = (held.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => held.close(() => resolve()));
  temp.cleanup();
});

/** startServer's refusal (a UserError), or a failure naming what was started instead. */
async function refusal(options: ServeOptions): Promise<string> {
  let started;
  try {
    started = await startServer({ host: '127.0.0.1', port: 0, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  await started.close();
  throw new Error(`started at ${started.url} instead of refusing`);
}

const smart = (stateDir: string): ServeOptions['auth'] => ({ mode: 'smart-backend', clients: [{ clientId: 'c', secret: 's' }], registration: { mode: 'open', stateDir } });

describe('startServer: packagesDir and the registration stateDir that are files (named as the library caller gave them)', () => {
  it('should refuse packagesDir FILE (or a path under a file), saying what it takes', async () => {
    expect(await refusal({ packagesDir: file })).toBe(
      `options.packagesDir ${file}: is a file, not a directory (options.packagesDir takes the folder holding the <name>#<version>.tgz files or <name>#<version>/package/ folders)`,
    );
    expect(await refusal({ packagesDir: join(file, 'packages') })).toMatch(new RegExp(`^options\\.packagesDir ${file}/packages: ${file} is a file, not a directory`));
  });

  it('should refuse stateDir FILE where clients register (a SMART mode), and ignore it where none do', async () => {
    expect(await refusal({ auth: smart(file) })).toMatch(new RegExp(`^options\\.auth\\.registration\\.stateDir ${file}: is a file, not a directory \\(options\\.auth\\.registration\\.stateDir takes a folder for the registered clients`));
    expect(await refusal({ auth: smart(join(file, 'state')) })).toMatch(new RegExp(`^options\\.auth\\.registration\\.stateDir ${file}/state: ${file} is a file`));
    const off = await startServer({ port: 0, auth: { mode: 'smart-backend', clients: [{ clientId: 'c', secret: 's' }], registration: { mode: 'off', stateDir: file } } });
    await off.close();
  });

  it('should still serve a --packages or --state-dir folder that does not exist yet', async () => {
    const missing = join(temp.dir, 'missing', 'deeper');
    const server = await startServer({ port: 0, packagesDir: missing, auth: smart(join(temp.dir, 'state-to-be')) });
    await server.close();
  });

  it('should name a port in use in the same line', async () => {
    expect(await refusal({ packagesDir: file, port: heldPort })).toMatch(new RegExp(`^options\\.packagesDir ${file}: is a file.*; and port ${heldPort} is in use`));
  });
});

describe('serve and start from the command line', () => {
  async function cli(args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
    return { code, stdout, stderr };
  }

  it.each([
    [['--packages', 'FILE'], /^fhirseed: --packages \S+: is a file, not a directory/],
    [['--auth', 'smart-patient', '--state-dir', 'FILE'], /^fhirseed: --state-dir \S+: is a file, not a directory/],
    [['--access-token-ttl', '0'], /^fhirseed: --access-token-ttl 0: expected at least 1 s/],
    [['--refresh-token-ttl', '0s'], /^fhirseed: --refresh-token-ttl 0s: expected at least 1 s/],
    [['--export-ttl', '0'], /^fhirseed: --export-ttl 0: expected at least 1 s/],
  ])('start %j: one line, exit 2, nothing generated', async (extra, message) => {
    const out = join(temp.dir, `start-${extra.join('')}`);
    const r = await cli(['start', '--out', out, '--members', '1', '--port', '0', ...extra.map((a) => (a === 'FILE' ? file : a))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  }, 60_000);

  it.each([
    [['--packages', 'FILE'], /^fhirseed: --packages \S+: is a file, not a directory \(--packages takes /],
    [['--auth', 'smart-backend', '--client-secret', 's', '--state-dir', 'FILE'], /^fhirseed: --state-dir \S+: is a file, not a directory \(--state-dir takes /],
  ])('serve %j: one line naming the option (startServer is told the CLI names), exit 2', async (extra, message) => {
    const dir = join(temp.dir, 'served');
    mkdirSync(dir, { recursive: true });
    const r = await cli(['serve', dir, '--port', '0', ...extra.map((a) => (a === 'FILE' ? file : a))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  // s19 trial V 10: under --auth none (sqlite or memory store) serve took a --state-dir FILE and served.
  it.each([
    [['--auth', 'none'], ''],
    [['--auth', 'none', '--store', 'memory'], '/sub'],
    [['--auth', 'bearer', '--token', 't'], ''],
    [['--auth', 'smart-backend', '--client-secret', 's', '--registration', 'off'], ''],
  ])('serve %j --state-dir FILE%s: one line, exit 2, whatever the mode', async (extra, under) => {
    const r = await cli(['serve', '--port', String(heldPort), ...extra, '--state-dir', `${file}${under}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^fhirseed: --state-dir ${file}${under}: (${file} )?is a file, not a directory \\(--state-dir takes a folder`));
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  }, 60_000);

  it('serve and start --state-dir where nothing can be written (/proc/nope): one line, exit 2, before the port', async () => {
    const dir = join(temp.dir, 'served');
    mkdirSync(dir, { recursive: true });
    const args = ['--auth', 'smart-backend', '--client-secret', 's', '--state-dir', '/proc/nope'];
    const served = await cli(['serve', dir, '--port', String(heldPort), ...args]);
    expect(served.code).toBe(2);
    expect(served.stderr).toMatch(/^fhirseed: --state-dir \/proc\/nope: cannot write in \/proc \([A-Z]+\)\n$/);
    const started = await cli(['start', '--out', join(temp.dir, 'start-proc'), '--members', '1', '--port', '0', ...args]);
    expect(started.code).toBe(2);
    expect(started.stderr).toMatch(/^fhirseed: --state-dir \/proc\/nope: cannot write in \/proc \([A-Z]+\)\n$/);
  }, 60_000);

  it.each([['--access-token-ttl'], ['--refresh-token-ttl'], ['--export-ttl']])('serve %s 0 on a port in use: the lifetime is told, before the port', async (option) => {
    const dir = join(temp.dir, 'served');
    mkdirSync(dir, { recursive: true });
    const r = await cli(['serve', dir, '--port', String(heldPort), '--auth', 'smart-patient', option, '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fhirseed: ${option} 0: expected at least 1 s (a duration such as 300, 90s, 15m, 1h or 30d)\n`);
  });
});
