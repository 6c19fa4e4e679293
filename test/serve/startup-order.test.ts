// `serve` and `start` tell a mistake the user can see at once — DIR missing, a file or holding no FHIR data, a --store
// that is not a fhirseed store or sits in a folder it cannot write, the store served by another fhirseed — in one line
// (exit 2) before the slow start-up work: before the IG packages are fetched (seconds to minutes; a registry the test
// runs counts the requests) and before `start` generates. A port in use as well is named in the same line. Child
// processes on the built CLI (dist/).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { expectOneLineExit2, runBin, type BinRun } from '../seed/helpers/bin.js';

const temp = tempDir('fhirseed-startup-');
let registry: HttpServer;
let registryHits = 0;
let held: Server;
let heldPort = 0;
/** No IG packages at hand, so that the start would fetch them from `registry` (which answers 404). */
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  registry = createHttpServer((req, res) => {
    registryHits++;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const home = join(temp.dir, 'home');
  mkdirSync(home);
  env = {
    HOME: home,
    FHIRSEED_PACKAGES: undefined,
    FHIRSEED_OFFLINE: undefined,
    FHIRSEED_PACKAGE_REGISTRY: `http://127.0.0.1:${(registry.address() as AddressInfo).port}`,
  };
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  heldPort = (held.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => registry.close(() => resolve()));
  await new Promise<void>((resolve) => held.close(() => resolve()));
  temp.cleanup();
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `fhirseed ARGS` with no packages at hand: its line, and whether it asked the registry for packages. */
async function refused(args: string[], pattern: RegExp) {
  const before = registryHits;
  const run = await runBin(args, env);
  expectOneLineExit2(run, pattern);
  expect(run.stdout).toBe('');
  // Told before the packages are fetched.
  expect(registryHits - before, 'requests to the package registry').toBe(0);
  return run;
}

function folder(name: string, files: Record<string, string> = {}): string {
  const dir = join(temp.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

describe('serve: the checks that take no time come first', () => {
  // With a port in use as well: test/serve/port-in-use.test.ts.
  it('should tell a missing DIR at once', async () => {
    const missing = join(temp.dir, 'no-such-output');
    await refused(['serve', missing, '--port', '0'], new RegExp(`^fhirseed: ${escape(missing)}: no such directory\\n$`));
    expect(existsSync(missing)).toBe(false);
  });

  it('should refuse a file as DIR, and a directory holding no FHIR data, at once', async () => {
    const file = join(folder('a-file'), 'bundle.txt');
    writeFileSync(file, 'x');
    await refused(['serve', file, '--port', '0'], /bundle\.txt: is a file, not a directory/);
    const notes = folder('downloads', { 'notes.txt': 'x', 'photo.png': 'x' });
    await refused(['serve', notes, '--port', '0'], /downloads: holds no FHIR data \(no \.json or \.ndjson file among its 2 files\)/);
    // Nothing made in it (no sandbox-store/).
    expect(readdirSync(notes).sort()).toEqual(['notes.txt', 'photo.png']);
  });

  it('should refuse a --store file that is not a fhirseed store at once, and leave it as it was', async () => {
    const dir = folder('store-not-db');
    const store = join(dir, 'mine.sqlite');
    writeFileSync(store, 'not a database at all, but long enough to have a header of sorts................................');
    const before = readFileSync(store);
    await refused(['serve', '--store', store, '--port', '0'], new RegExp(`store ${escape(store)}: not a fhirseed sandbox store .*move it away or serve with --rebuild-store`));
    expect(readFileSync(store)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['mine.sqlite']);
  });

  it('should tell a --client-jwks that is not JSON in one line, where it breaks (its quoted text made two)', async () => {
    const dir = folder('jwks', { 'keys.txt': 'x\ny\n' });
    await refused(['serve', '--auth', 'smart-backend', '--client-jwks', join(dir, 'keys.txt'), '--port', '0'], /--client-jwks .*keys\.txt:1:1: not JSON \(Unexpected token 'x'\)\n$/);
  });

  it.skipIf(!existsSync('/sys'))('should refuse a --store in a folder it cannot write, in one line (it was exit 70)', async () => {
    // sysfs takes no new files, root or not.
    await refused(['serve', '--store', '/sys/fhirseed-store.sqlite', '--port', '0'], /store \/sys\/fhirseed-store\.sqlite: cannot write in its folder \/sys \(E[A-Z]+\); serve with --store FILE in a folder you can write to, or --store memory/);
  });
});

/**
 * `fhirseed ARGS` with `env` until it exits; one that starts serving instead (the defect: it generated, then served)
 * is stopped at its start line, so that the test fails rather than hangs.
 */
async function runUnlessServing(args: string[]): Promise<BinRun> {
  const child = spawn(process.execPath, ['dist/src/cli/bin.js', ...args], { cwd: join(import.meta.dirname, '../..'), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { code: null as number | null, stdout: '', stderr: '' };
  child.stdout.on('data', (d) => {
    run.stdout += String(d);
    if (run.stdout.includes('Ctrl-C')) child.kill('SIGINT');
  });
  child.stderr.on('data', (d) => (run.stderr += String(d)));
  [run.code] = (await once(child, 'exit')) as [number | null];
  return run;
}

describe('start: the store served by another fhirseed is told before generating', () => {
  /** What `serve DIR` of an empty directory leaves while it runs: its store folder and lock (store/lock.ts), the holder this live test process. */
  function servedElsewhere(name: string): { out: string; lock: string; line: string } {
    const out = folder(name);
    mkdirSync(join(out, 'sandbox-store'));
    const lock = join(out, 'sandbox-store', 'store.sqlite.lock');
    writeFileSync(lock, `${process.pid}\n`);
    const line = `store ${escape(join(out, 'sandbox-store', 'store.sqlite'))}: in use by another fhirseed serve \\(pid ${process.pid}\\); stop that one, or serve with --store FILE`;
    return { out, lock, line };
  }

  /** Nothing generated into `out`; the other serve's lock is as it was. */
  function untouched(out: string, lock: string): void {
    expect(readdirSync(out)).toEqual(['sandbox-store']);
    expect(readdirSync(join(out, 'sandbox-store'))).toEqual(['store.sqlite.lock']);
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`);
  }

  it('should refuse an --out whose store another live serve holds before generating into it', async () => {
    const { out, lock, line } = servedElsewhere('served-out');
    const run = await runUnlessServing(['start', '--out', out, '--members', '3', '--port', '0', '--packages', join(temp.dir, 'home')]);
    expectOneLineExit2(run, new RegExp(`^fhirseed: ${line}`));
    expect(run.stdout).toBe('');
    untouched(out, lock);
  }, 180_000);

  it('should name a port in use in the same line (npm start run twice)', async () => {
    const { out, lock, line } = servedElsewhere('served-out-port');
    const run = await runBin(['start', '--out', out, '--members', '3', '--port', String(heldPort), '--packages', join(temp.dir, 'home')], env);
    expectOneLineExit2(run, new RegExp(`${line}.*; and port ${heldPort} is in use`));
    untouched(out, lock);
  });
});
