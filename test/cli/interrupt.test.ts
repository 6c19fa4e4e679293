import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { readTree, tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-interrupt-');
afterAll(() => temp.cleanup());

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = 'dist/src/cli/bin.js';

/** `fhirseed ARGS` through the built bin.js in a child process (`npm run build` first, as for test/cli/signals.test.ts). */
function bin(args: string[], preload: string[] = []) {
  if (!existsSync(join(ROOT, BIN))) throw new Error(`${BIN} is missing: run npm run build before these tests`);
  const child = spawn(process.execPath, [...preload, BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number, stdout, stderr }));
  return { child, exited };
}

/** Resolves once `file` exists (the child is mid-run), or rejects if the child ends first. */
async function waitFor(file: string, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  while (!existsSync(file)) {
    if (done) throw new Error(`the child ended before ${file} appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('generate interrupted by a signal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('should leave the earlier output byte-identical on %s, say so in one line and exit 130', async (signal) => {
    const out = join(temp.dir, `out-${signal}`);
    const first = await runCli(['generate', '--members', '3', '--out', out], { stdout: () => undefined, stderr: () => undefined, isTty: false });
    expect(first).toBe(0);
    const before = readTree(out);
    const run = bin(['generate', '--members', '400', '--seed', '7', '--out', out]);
    // Mid-run: the child has written a few members into its temporary directory.
    const tempOut = join(temp.dir, `.out-${signal}.fhirseed-tmp-${run.child.pid}`);
    await waitFor(join(tempOut, 'bundles', 'member-000002.json'), run.exited);
    run.child.kill(signal);
    const result = await run.exited;
    expect(result.code).toBe(130);
    // The same line as for a signal before the temporary directory exists (test/cli/signals.test.ts).
    expect(result.stderr).toBe(`fhirseed: interrupted; nothing of this run was kept, ${out} is as it was\n`);
    expect(result.stdout).toBe('');
    const after = readTree(out);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [file, bytes] of before) expect(after.get(file)!.equals(bytes), file).toBe(true);
    expect(readdirSync(temp.dir).filter((e) => e.includes('fhirseed-tmp') || e.includes('fhirseed-old'))).toEqual([]);
  }, 120_000);
});

// Preloaded into the child: it sends itself a SIGINT as the first worker thread is terminated — after the output was put
// in place (its rename out of the fhirseed-tmp directory) when AFTER_SWAP, else as generate's member threads end after
// the last member, before the output is put in place — and terminates the worker 0.2 s later, so that node acts on the
// signal while the termination is awaited (a worker that ends at once may be seen first, in the same turn of the event
// loop: the process then ended before it read the signal). Two threads on any machine (availableParallelism), so that
// --jobs 2 is not lowered to 1.
const signalAtTerminate = (afterSwap: boolean) =>
  `data:text/javascript,${encodeURIComponent(`
import fs from 'node:fs';
import os from 'node:os';
import { syncBuiltinESMExports } from 'node:module';
import { Worker } from 'node:worker_threads';
const AFTER_SWAP = ${afterSwap};
let swapped = false;
let sent = false;
const rename = fs.renameSync;
fs.renameSync = (from, to) => { rename(from, to); if (String(from).includes('fhirseed-tmp-')) swapped = true; };
os.availableParallelism = () => 2;
syncBuiltinESMExports();
const terminate = Worker.prototype.terminate;
Worker.prototype.terminate = function (...args) {
  if (sent || swapped !== AFTER_SWAP) return terminate.apply(this, args);
  sent = true;
  process.kill(process.pid, 'SIGINT');
  return new Promise((resolve) => setTimeout(resolve, 200)).then(() => terminate.apply(this, args));
};`)}`;

describe('generate interrupted around the moment its output is put in place', () => {
  /** An earlier output of 3 members in `out`, and its files. */
  async function earlier(out: string) {
    expect(await runCli(['generate', '--members', '3', '--out', out], { stdout: () => undefined, stderr: () => undefined, isTty: false })).toBe(0);
    return readTree(out);
  }

  it('should keep the earlier output, and say so, for a signal met after the last member but before the output is put in place', async () => {
    const out = join(temp.dir, 'before-swap');
    const before = await earlier(out);
    // 5 members on two threads: the workers are terminated once the last member is built, before the swap.
    const result = await bin(['generate', '--members', '5', '--jobs', '2', '--out', out], ['--import', signalAtTerminate(false)]).exited;
    expect({ code: result.code, stderr: result.stderr, stdout: result.stdout }).toEqual({
      code: 130,
      stderr: `fhirseed: interrupted; nothing of this run was kept, ${out} is as it was\n`,
      stdout: '',
    });
    const after = readTree(out);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [file, bytes] of before) expect(after.get(file)!.equals(bytes), file).toBe(true);
    expect(readdirSync(temp.dir).filter((e) => e.includes('fhirseed-tmp') || e.includes('fhirseed-old'))).toEqual([]);
  }, 120_000);

  it('should say the new output is in place for a signal met after it was put in place, before the process ended', async () => {
    const out = join(temp.dir, 'after-swap');
    await earlier(out);
    // One member on two threads: the worker started ahead is not used, and is terminated only after the swap.
    const result = await bin(['generate', '--members', '1', '--jobs', '2', '--out', out], ['--import', signalAtTerminate(true)]).exited;
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 130, stderr: `fhirseed: interrupted; the new output is in place in ${out}\n` });
    expect(result.stdout).toMatch(/^fhirseed: wrote 1 member, \d+ resources to /);
    // It is: the new run's manifest, one member's bundle.
    const manifest = JSON.parse(readTree(out).get('manifest.json')!.toString()) as { members: { total: number } };
    expect(manifest.members.total).toBe(1);
    expect(readdirSync(join(out, 'bundles')).filter((f) => f.startsWith('member-'))).toEqual(['member-000000.json']);
    expect(readdirSync(temp.dir).filter((e) => e.includes('fhirseed-tmp') || e.includes('fhirseed-old'))).toEqual([]);
  }, 120_000);
});

describe('bin.ts exit codes', () => {
  it('should report a bug (not a user mistake) with one line asking to report it, the stack, and exit 70', async () => {
    // A stdout that throws a plain Error: nothing a user did, so it is a bug as far as the CLI can tell.
    const preload = ['--import', 'data:text/javascript,process.stdout.write=()=>{throw new Error("stdout broke")}'];
    const result = await bin(['generate', '--members', '1', '--out', join(temp.dir, 'bug')], preload).exited;
    expect(result.code).toBe(70);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toMatch(/^fhirseed: internal error — this is a bug in fhirseed; please report it/);
    expect(lines[1]).toBe('Error: stdout broke');
    expect(lines[2]).toMatch(/^\s+at /);
  }, 60_000);

  it('should exit 2 with one line and no stack for a user mistake', async () => {
    const result = await bin(['generate', '--members', 'abc']).exited;
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe('fhirseed: --members abc: expected a whole number ≥ 1\n');
  }, 60_000);
});
