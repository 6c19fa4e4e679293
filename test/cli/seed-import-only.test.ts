// U12 of session 14: `seed --input-base-url URL` without `--mode import` ran a transaction seed and ignored the URL.
// Every option only --mode import reads is refused in one line (exit 2) with another mode, as --import-mode was.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), isTty: false } };
}

describe('seed: the --mode import options with another mode', () => {
  // A directory seed would read (a manifest, no bundles), so a run that ignored the option would get further.
  const dir = mkdtempSync(join(tmpdir(), 'fhirseed-import-only-'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ runId: 't-import-only', counts: { byType: { Patient: 1 } } }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['--input-base-url', 'https://files.example/bucket'], '--input-base-url https://files.example/bucket', 'transaction'],
    [['--input-base-url', 'https://files.example/bucket', '--mode', 'batch'], '--input-base-url https://files.example/bucket', 'batch'],
    [['--import-host', '10.0.0.7'], '--import-host 10.0.0.7', 'transaction'],
    [['--import-port', '8081', '--mode', 'upsert'], '--import-port 8081', 'upsert'],
    [['--import-mode', 'InitialLoad'], '--import-mode InitialLoad', 'transaction'],
  ])('%j: one line, exit 2, nothing sent', async (extra, named, mode) => {
    const { out, io } = capture();
    expect(await runCli(['seed', dir, '--server', 'http://127.0.0.1:9/fhir', ...extra], io)).toBe(2);
    expect(out.stderr).toBe(`fhirseed: ${named}: only with --mode import (the bulk $import), not --mode ${mode}\n`);
    expect(out.stdout).toBe('');
  });
});
