import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runBin as runNode, type CliRun } from '../../helpers/cli.js';
import { runCliCaptured } from '../../helpers/run-cli-captured.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type BinRun = CliRun;

const BIN = 'dist/src/cli/bin.js';

/**
 * Runs the built CLI (`npm run build` first) in a child process: `fhirseed ARGS`, with exit codes and
 * stack traces exactly as a user sees them. No name lookup leaves the machine: offline-dns.mjs
 * answers .invalid names with ENOTFOUND and fails any other name.
 */
export async function runBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<BinRun> {
  if (!existsSync(new URL(BIN, `file://${ROOT}`))) throw new Error(`${BIN} is missing: run npm run build before these tests`);
  return runNode(BIN, args, ROOT, { nodeArgs: ['--import', './test/seed/helpers/offline-dns.mjs'], env });
}

/**
 * `fhirseed ARGS` in this process (runCli, not a TTY): the exit code and the lines the CLI writes, as runBin gives
 * them, without a child's ~1–2 CPU-s start. For cases where the process itself is not under test: bin.ts prints a
 * UserError as the one line runCli gives here, and anything else runCli rethrows fails the test with its stack.
 */
export async function runInProcess(args: string[]): Promise<BinRun> {
  return runCliCaptured(args);
}

/** The run failed as a user or environment mistake: exit 2, one line on stderr, no stack trace. */
export function expectOneLineExit2(run: BinRun, pattern: RegExp): void {
  expect(run.stderr, run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
  expect(run.stderr).toMatch(/^fhirseed: /);
  expect(run.stderr).toMatch(pattern);
  expect(run.code, run.stderr).toBe(2);
}
