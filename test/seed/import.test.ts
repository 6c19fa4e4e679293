// seed --mode import end to end: the seeder serves the NDJSON, the embedded sandbox's $import fetches it, verify counts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedCommand } from '../../src/cli/commands/seed.js';
import { retryAfterMs, seedImport } from '../../src/seed/import.js';
import { runCommand } from './helpers/cli.js';
import { manifestCounts, testConnection } from './helpers/data.js';
import { taggedCounts } from './helpers/server.js';
import { importSandbox } from './helpers/import-sandbox.js';

const { dir, runId, server } = importSandbox('import', 4, 7301);

describe('seed --mode import', () => {
  it('should load the NDJSON through $import, served from the seeder, report per-type counts and pass verify', async () => {
    const expected = manifestCounts(dir);
    const run = await runCommand(seedCommand, ['seed', dir, '--server', server().url, '--mode', 'import']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout.startsWith(`imported into ${server().url} through $import (run ${runId}): `)).toBe(true);
    expect(run.stdout).toMatch(/: \d+ resources in \d+ files?, 0 errors\n/);
    expect(Number(/: (\d+) resources/.exec(run.stdout)![1])).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    expect(run.stdout).toMatch(/\nExplanationOfBenefit +\d+\n/);
    expect(run.stdout).toContain(`verify: counts under the run tag match the manifest for all ${Object.keys(expected).length} types`);
    expect(await taggedCounts(server().url, runId, Object.keys(expected))).toEqual(expected);
  });

  it('should take --input-base-url for files hosted elsewhere, and poll the status URL until the job is done', async () => {
    let fetched = 0;
    const host = createServer((req, res) => {
      fetched++;
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson' }).end(readFileSync(join(dir, 'ndjson', decodeURIComponent(req.url!.slice('/bucket/'.length)))));
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(host.address() as AddressInfo).port}/bucket`;
      const summary = await seedImport({ ...testConnection(server().url), dir, inputBaseUrl: base, importHost: '127.0.0.1', importPort: 0, verify: true, maxPollMs: 50 });
      expect(summary.inputs.every((i) => i.url.startsWith(`${base}/`))).toBe(true);
      expect(fetched).toBe(summary.inputs.length);
      expect(summary.polls).toBeGreaterThanOrEqual(1);
      expect(summary.ok).toBe(true);
    } finally {
      host.close();
    }
  });

  it('should say in one line, exit 2, when the server cannot fetch an input URL (the job fails)', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const run = await runCommand(seedCommand, ['seed', dir, '--server', server().url, '--mode', 'import', '--input-base-url', `http://127.0.0.1:${port}/gone`]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^fhirseed: the \$import job at .+ failed: .*cannot fetch input http:\/\/127\.0\.0\.1:\d+\/gone\/\w+\.ndjson.*\n$/);
  });

  it('should say in one line, exit 2, when the server has no $import', async () => {
    const plain = createServer((req, res) => {
      if (req.url?.endsWith('/metadata')) return void res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' }));
      res.writeHead(404, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }));
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const run = await runCommand(seedCommand, ['seed', dir, '--server', `http://127.0.0.1:${(plain.address() as AddressInfo).port}/fhir`, '--mode', 'import']);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/^fhirseed: http:\/\/127\.0\.0\.1:\d+\/fhir\/\$import refused the import \(.*404.*\); does the server support bulk \$import\? use --mode transaction otherwise\n$/);
    } finally {
      plain.close();
    }
  });

  it('should read Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(undefined)).toBe(1000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });
});
