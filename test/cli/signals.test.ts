import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { withoutNotes } from '../helpers/stderr.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = 'dist/src/cli/bin.js';
const temp = tempDir('fhirseed-signals-');
afterAll(() => temp.cleanup());

// Preloaded into the child: as soon as anything listens for SIGTERM, the process sends itself one —
// the earliest moment a signal can be handled at all, long before a command's own clean-up begins.
const SIGNAL_AT_FIRST_LISTENER = `data:text/javascript,${encodeURIComponent(`
const on = process.on.bind(process);
let sent = false;
process.on = (event, listener) => {
  const result = on(event, listener);
  if (event === 'SIGTERM' && !sent) { sent = true; setImmediate(() => process.kill(process.pid, 'SIGTERM')); }
  return result;
};`)}`;

/** The built CLI in a child process; `until` resolves when stdout matches (or the child ends). */
function bin(args: string[], preload: string[] = []) {
  if (!existsSync(join(ROOT, BIN))) throw new Error(`${BIN} is missing: run npm run build before these tests`);
  const child = spawn(process.execPath, [...preload, BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout.on('data', (d) => {
    stdout += String(d);
    for (const w of waiting) if (w.pattern.test(stdout)) w.resolve();
  });
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  const until = (pattern: RegExp) => Promise.race([new Promise<void>((resolve) => waiting.push({ pattern, resolve })), exited.then(() => undefined)]);
  return { child, exited, until };
}

describe('signals: every command interrupted at any time says so in one line and exits 130', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('should stop serve cleanly on %s, say so in one line and exit 130', async (signal) => {
    const run = bin(['serve', '--port', '0']);
    await run.until(/Press Ctrl-C to stop\.\n/);
    run.child.kill(signal);
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(withoutNotes(result.stderr)).toBe('fhirseed: interrupted; server stopped (exit 130)\n');
    expect(result.stdout).not.toMatch(/interrupted/);
  }, 60_000);

  it('should report a signal that comes before serve has printed its start line in one line, exit 130', async () => {
    const run = bin(['serve', '--port', '0'], ['--import', SIGNAL_AT_FIRST_LISTENER]);
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stdout).not.toMatch(/sandbox at/);
    expect(result.stderr).toBe('fhirseed: interrupted before reading the IG packages; nothing served\n');
  }, 60_000);

  it('should report a signal in the first moments of generate (before it writes) in one line, exit 130, leaving nothing behind', async () => {
    const out = join(temp.dir, 'early');
    const run = bin(['generate', '--members', '50', '--out', out], ['--import', SIGNAL_AT_FIRST_LISTENER]);
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(130);
    // The line generate says once it has begun to write (test/cli/interrupt.test.ts): one wording for both moments.
    expect(result.stderr).toBe(`fhirseed: interrupted; nothing of this run was kept, ${out} is as it was\n`);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(temp.dir).filter((e) => e.includes('fhirseed-tmp'))).toEqual([]);
  }, 60_000);
});
