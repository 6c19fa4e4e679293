// `serve DIR` stopped by SIGTERM or SIGINT while it is still building its SQLite store stops at once (between load
// batches), not after the whole load: exit 130 with one line, the output as it was, nothing of the unfinished store
// left (no store.sqlite.building, no scratch files, no sandbox-store/ this start made: s15 trial C5), and the next
// start builds the store anew. Child processes on the built CLI (dist/); 60 members load for a few seconds,
// and the signal is sent as soon as store.sqlite.building appears. Three starts, one a full load: ~17 s at load 6 (over
// ~10 s: a smaller population loads too fast to be caught mid-load).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTo, readTree, shippedProfile, tempDir } from '../helpers/output.js';
import { withoutNotes } from '../helpers/stderr.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const CLOSE_CHILD = join(ROOT, 'test/serve/store-close-child.mjs');
const REGISTER_TS = join(ROOT, 'test/seed/helpers/register-ts.mjs');
const temp = tempDir('fhirseed-store-interrupt-');
const out = join(temp.dir, 'out');
const STORE = join(out, 'sandbox-store', 'store.sqlite');

beforeAll(() => void generateTo(out, { ...shippedProfile('default'), members: 60 }));
afterAll(() => temp.cleanup());

// Preloaded into the child: once every store load worker (its workerData names its key files) has answered its first
// task, the load is under way and no worker is still opening its files (a process that ends while a worker is inside
// libsql's open panics: bulk-load.ts Pool.close); the process then sends itself a SIGINT and, as soon as fhirseed's
// listener has acted on it (the load told to stop), a second one, as a user pressing Ctrl-C again would. The first
// one's clean-up (the load stopped between batches, the workers closed, the build removed) takes turns of the event
// loop: the second meets it under way.
const TWO_SIGINTS_MID_LOAD = `data:text/javascript,${encodeURIComponent(`
import threads from 'node:worker_threads';
import { syncBuiltinESMExports } from 'node:module';
const on = process.on.bind(process);
let again = false;
process.on = (event, listener) => on(event, event !== 'SIGINT' ? listener : function (...args) {
  listener.apply(this, args);
  if (!again) { again = true; process.kill(process.pid, 'SIGINT'); }
});
let loading = 0;
let sent = false;
threads.Worker = class extends threads.Worker {
  constructor(...args) {
    super(...args);
    if (!args[1]?.workerData?.keys) return;
    loading++;
    this.once('message', () => { if (--loading === 0 && !sent) { sent = true; process.kill(process.pid, 'SIGINT'); } });
  }
};
syncBuiltinESMExports();`)}`;

/** `fhirseed serve out` in a child process (no IG packages: the store is what is tested); `preload`: node's --import. */
function serve(...extra: string[]) {
  return serveWith([], ...extra);
}

function serveWith(preload: string[], ...extra: string[]) {
  if (!existsSync(BIN)) throw new Error('dist/src/cli/bin.js is missing: run npm run build before these tests');
  const child = spawn(process.execPath, [...preload, BIN, 'serve', out, '--port', '0', '--store', 'sqlite', '--packages', join(temp.dir, 'no-packages'), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, exited, stdout: () => stdout };
}

/** The output's files (sandbox-store/ aside) as path → sha256: comparing the bytes themselves is slow in expect. */
function digest(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, bytes] of readTree(out)) if (!name.startsWith('sandbox-store')) files.set(name, createHash('sha256').update(bytes).digest('hex'));
  return files;
}

/** What sandbox-store/ holds; undefined when it is not there. */
function storeFolder(): string[] | undefined {
  return existsSync(join(out, 'sandbox-store')) ? readdirSync(join(out, 'sandbox-store')) : undefined;
}

/** Resolves true once `file` exists, false when the child has served (or ended) first. */
async function appears(file: string, run: ReturnType<typeof serve>): Promise<boolean> {
  let ended = false;
  void run.exited.then(() => (ended = true));
  while (!ended && !run.stdout().includes('sandbox at')) {
    if (existsSync(file)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** Calls `served` once the child says it serves; fails the test when it ends first. */
function run(child: ReturnType<typeof serve>, served: () => void): void {
  child.child.stdout.on('data', () => child.stdout().includes('Ctrl-C') && served());
  void child.exited.then((result) => {
    if (!result.stdout.includes('Ctrl-C')) throw new Error(`serve ended before serving: ${result.stderr}`);
  });
}

/** Starts serve on a directory without a store, signals it once its build has begun; its exit code and output. */
async function interruptedLoad(signal: NodeJS.Signals) {
  rmSync(join(out, 'sandbox-store'), { recursive: true, force: true });
  const before = digest();
  const run = serve();
  expect(await appears(`${STORE}.building`, run), run.stdout()).toBe(true);
  run.child.kill(signal);
  const result = await run.exited;
  expect(result.code, result.stderr).toBe(130);
  // Stopped mid-load: never served, the build never renamed into place.
  expect(result.stdout).not.toContain('sandbox at');
  // The line says what became of the unfinished store, and it is so.
  expect(result.stderr).toBe(`fhirseed: ${LOAD_INTERRUPTED}; the unfinished store ${STORE}.building removed\n`);
  expect(existsSync(STORE)).toBe(false);
  expect(storeFolder()).toBeUndefined();
  expect(digest()).toEqual(before);
}

const LOAD_INTERRUPTED = 'interrupted while loading the data; nothing served, the data files as they were';

describe('serve: a signal while the SQLite store is loading', () => {
  it('should stop the load on SIGTERM (exit 130, one line, the output as it was, no store), and the next start builds the store', async () => {
    await interruptedLoad('SIGTERM');
    const run = serve();
    const served = await new Promise<boolean>((resolve) => {
      run.child.stdout.on('data', () => run.stdout().includes('Ctrl-C') && resolve(true));
      void run.exited.then(() => resolve(false));
    });
    expect(served, run.stdout()).toBe(true);
    expect(run.stdout()).toMatch(/store \S+store\.sqlite built/);
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(130);
    expect(readdirSync(join(out, 'sandbox-store'))).toEqual(['store.sqlite']);
  }, 60_000);

  it('should stop the load on SIGINT the same way', async () => {
    await interruptedLoad('SIGINT');
  }, 60_000);

  it('should stop the load at any moment of it: exit 130 and the one line for how far it got, the output as it was', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3_000 }), async (delay) => {
        rmSync(join(out, 'sandbox-store'), { recursive: true, force: true });
        const before = digest();
        const run = serve();
        expect(await appears(`${STORE}.building`, run), run.stdout()).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, delay));
        run.child.kill('SIGINT');
        const result = await run.exited;
        expect(result.code, result.stderr).toBe(130);
        // Where the signal met it is known only from what it said: the load, the time between the store's rename and
        // the announcement (attribution Groups, read workers: a second at load), or the server.
        const left = storeFolder();
        if (result.stdout.includes('sandbox at')) {
          expect(withoutNotes(result.stderr)).toBe('fhirseed: interrupted; server stopped (exit 130)\n');
          expect(left).toEqual(['store.sqlite']);
        } else if (existsSync(STORE)) {
          expect(result.stderr).toBe('fhirseed: interrupted before serving; the data loaded, nothing served (exit 130)\n');
          expect(left).toEqual(['store.sqlite']);
        } else {
          expect(result.stderr).toMatch(/^fhirseed: interrupted while loading[^\n]*\n$/);
          expect(left).toBeUndefined();
        }
        expect(digest()).toEqual(before);
      }),
      { numRuns: 3, endOnFailure: true },
    );
  }, 300_000);

  it('should say, when it stops a rebuild, that the unfinished store is removed and what apps wrote to the old one is gone', async () => {
    rmSync(join(out, 'sandbox-store'), { recursive: true, force: true });
    const built = serve();
    await new Promise<void>((resolve) => run(built, resolve));
    built.child.kill('SIGINT');
    expect((await built.exited).code).toBe(130);
    expect(readdirSync(join(out, 'sandbox-store'))).toEqual(['store.sqlite']);
    // A served file changed: the next start replaces the store, and is stopped while it builds the new one.
    utimesSync(join(out, 'manifest.json'), new Date(), new Date(Date.now() + 60_000));
    const before = digest();
    const rebuild = serve();
    expect(await appears(`${STORE}.building`, rebuild), rebuild.stdout()).toBe(true);
    rebuild.child.kill('SIGINT');
    const result = await rebuild.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stdout).not.toContain('sandbox at');
    expect(result.stderr).toBe(`fhirseed: ${LOAD_INTERRUPTED}; the unfinished store ${STORE}.building removed; what apps wrote to the old store is gone (the served files changed)\n`);
    expect(storeFolder()).toEqual([]);
    expect(digest()).toEqual(before);
  }, 60_000);

  it('should say so when the signal comes after the store is built but before the server is announced', async () => {
    rmSync(join(out, 'sandbox-store'), { recursive: true, force: true });
    const before = digest();
    // --read-workers 2: the announcement waits for both read workers, which start only once the store is built.
    const run = serve('--read-workers', '2');
    expect(await appears(STORE, run), run.stdout()).toBe(true);
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect({ code: result.code, stderr: result.stderr, served: result.stdout.includes('sandbox at') }).toEqual({
      code: 130,
      stderr: 'fhirseed: interrupted before serving; the data loaded, nothing served (exit 130)\n',
      served: false,
    });
    expect(readdirSync(join(out, 'sandbox-store'))).toEqual(['store.sqlite']);
    expect(digest()).toEqual(before);
  }, 60_000);

  it('should end at once on a second signal while the store builds: one line saying the unfinished store is left, which the next start removes', async () => {
    rmSync(join(out, 'sandbox-store'), { recursive: true, force: true });
    const before = digest();
    const first = serveWith(['--import', TWO_SIGINTS_MID_LOAD]);
    const result = await first.exited;
    expect({ code: result.code, stderr: result.stderr, served: result.stdout.includes('sandbox at') }).toEqual({
      code: 130,
      stderr: `fhirseed: interrupted again while starting; nothing served; the unfinished store ${STORE}.building is left (the next start removes it)\n`,
      served: false,
    });
    expect(existsSync(`${STORE}.building`)).toBe(true);
    expect(existsSync(STORE)).toBe(false);
    expect(digest()).toEqual(before);
    // The next start builds the store anew over what was left (the build, its scratch files, the dead process's lock).
    const next = serve();
    await new Promise<void>((resolve) => run(next, resolve));
    expect(next.stdout()).toContain(`store ${STORE} built\n`);
    next.child.kill('SIGINT');
    expect((await next.exited).code).toBe(130);
    expect(storeFolder()).toEqual(['store.sqlite']);
    expect(digest()).toEqual(before);
  }, 60_000);

  it('should end the load workers without a native panic when closed while they open their key files', async () => {
    const child = spawn(process.execPath, ['--import', REGISTER_TS, CLOSE_CHILD, out, '6'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal, panicked: stderr.includes('panicked') }, stderr).toEqual({ code: 0, signal: null, panicked: false });
    expect(stdout).toBe([0, 1, 2, 3, 4, 5].map((n) => `closed ${n}\n`).join(''));
  }, 300_000);
});
