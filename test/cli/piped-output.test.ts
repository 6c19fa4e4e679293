import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

// s18 trial: `fhirseed validate DIR --json | wc -c` printed 65,536 of ~100 KB in 4 runs of 8, with the usual exit code.
// To a pipe, Node writes asynchronously: what the pipe's 64 KiB buffer cannot take at once waits in the process, and
// process.exit dropped it. Whether it was dropped depended on whether the reader happened to be reading at that moment,
// so the reader here is made late on purpose: it takes one byte (which arrives only once the command has written its
// whole JSON, in one write), waits a second — long after a fhirseed that does not wait for its output has exited — and
// then reads the rest. Without the wait in bin.ts (src/cli/flush.ts) it got 65,536 bytes in 10 runs of 10.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = 'dist/src/cli/bin.js';
const PATIENTS = 1000;
const temp = tempDir('fhirseed-piped-');
const input = join(temp.dir, 'in');
afterAll(() => temp.cleanup());

beforeAll(() => {
  if (!existsSync(join(ROOT, BIN))) throw new Error(`${BIN} is missing: run npm run build before these tests`);
  const lines = Array.from({ length: PATIENTS }, (_, i) => JSON.stringify({ resourceType: 'Patient', id: `p${i}`, gender: 'man' }));
  mkdirSync(input);
  writeFileSync(join(input, 'Patient.ndjson'), `${lines.join('\n')}\n`);
});

/**
 * `node [NODE_ARGS] BIN ARGS | late reader > OUT` in bash: the exit code of fhirseed, what the reader got, and fhirseed's
 * stderr.
 */
async function pipedToLateReader(args: string[], nodeArgs: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const out = join(temp.dir, `stdout-${Math.random().toString(36).slice(2)}`);
  const script = '"$@" | { dd bs=1 count=1 status=none; sleep 1; cat; } > "$OUT"; exit "${PIPESTATUS[0]}"';
  const child = spawn('bash', ['-c', script, 'bash', process.execPath, ...nodeArgs, BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, OUT: out },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout: readFileSync(out, 'utf8'), stderr };
}

describe('output piped to a reader that is not reading when fhirseed ends is all there', () => {
  it(`validate --json: the whole report of ${PATIENTS} errors (about 400 KB), exit 1`, async () => {
    const run = await pipedToLateReader(['validate', input, '--json', '--max-errors', String(PATIENTS), '--packages', SHARED_PACKAGES]);
    expect(run.code, run.stderr).toBe(1);
    expect(Buffer.byteLength(run.stdout)).toBeGreaterThan(200_000);
    const report = JSON.parse(run.stdout);
    expect(report.errors).toBe(PATIENTS);
    expect(report.issues).toHaveLength(PATIENTS);
    expect(report.issues.at(-1)).toMatchObject({ id: `p${PATIENTS - 1}`, path: 'Patient.gender' });
  }, 60_000);

  it('report --json: the whole report (about 66 KB), exit 0', async () => {
    const run = await pipedToLateReader(['report', input, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(Buffer.byteLength(run.stdout)).toBeGreaterThan(65_536);
    expect(JSON.parse(run.stdout).members.total).toBe(PATIENTS);
  }, 60_000);

  // Preloaded into the child: 300 KB on stdout, then, once bin.ts listens for signals, a SIGINT to itself — what was
  // written before an interrupt must reach the reader too, before the one line and exit 130.
  const WRITE_THEN_INTERRUPT = `data:text/javascript,${encodeURIComponent(`
process.stdout.write('x'.repeat(300000) + '\\n');
const on = process.on.bind(process);
let sent = false;
process.on = (event, listener) => {
  const result = on(event, listener);
  if (event === 'SIGINT' && !sent) { sent = true; setImmediate(() => process.kill(process.pid, 'SIGINT')); }
  return result;
};`)}`;

  // No time limit on the wait (flush.ts), as with cat: a reader that never reads holds fhirseed until a Ctrl-C,
  // which then ends it at once with 130.
  it('a reader that never reads: fhirseed waits for it, and a Ctrl-C ends the wait with one line and 130', async () => {
    const child = spawn(process.execPath, [BIN, 'validate', input, '--json', '--max-errors', String(PATIENTS), '--packages', SHARED_PACKAGES], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pause();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const stderrEnded = once(child.stderr, 'end');
    // The first bytes arrive only once the whole report has been written (one write): the command has ended.
    await once(child.stdout, 'readable');
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode, 'still waiting for its reader').toBe(null);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(130);
    await stderrEnded;
    expect(stderr).toBe('fhirseed: interrupted while the output waited for its reader; what it had not taken is lost (exit 130)\n');
    child.stdout.destroy();
  }, 60_000);

  it('an interrupt: what was written before it, then one line and exit 130', async () => {
    const run = await pipedToLateReader(['validate', input], ['--import', WRITE_THEN_INTERRUPT]);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toBe('fhirseed: interrupted\n');
    expect(run.stdout).toBe(`${'x'.repeat(300000)}\n`);
  }, 60_000);
});
