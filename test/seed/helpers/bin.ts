import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BinRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BIN = 'dist/src/cli/bin.js';

/**
 * Runs the built CLI (`npm run build` first) in a child process: `fhirseed ARGS`, with exit codes and
 * stack traces exactly as a user sees them. No name lookup leaves the machine: offline-dns.mjs
 * answers .invalid names with ENOTFOUND and fails any other name.
 */
export async function runBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<BinRun> {
  if (!existsSync(new URL(BIN, `file://${ROOT}`))) throw new Error(`${BIN} is missing: run npm run build before these tests`);
  const child = spawn(
    process.execPath,
    ['--import', './test/seed/helpers/offline-dns.mjs', BIN, ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** The run failed as a user or environment mistake: exit 2, one line on stderr, no stack trace. */
export function expectOneLineExit2(run: BinRun, pattern: RegExp): void {
  expect(run.stderr, run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
  expect(run.stderr).toMatch(/^fhirseed: /);
  expect(run.stderr).toMatch(pattern);
  expect(run.code, run.stderr).toBe(2);
}
