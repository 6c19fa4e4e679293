// seed --mode import --import-mode: Azure Health Data Services' $import form (mode, string values, no inputSource),
// against an Azure-like fake (202 + Content-Location, 202 while running, 200 with output and error entries) and end
// to end against the embedded sandbox, which takes `mode` and refuses a bad one with 400. About 15 s at load 30: the
// population generated in beforeAll and the sandbox start, shared by the five tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Parameters } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedCommand } from '../../src/cli/commands/seed.js';
import { runCli } from '../../src/cli/run.js';
import { importParameters } from '../../src/seed/import.js';
import { runCommand } from './helpers/cli.js';
import { manifestCounts } from './helpers/data.js';
import { taggedCounts } from './helpers/server.js';
import { importSandbox } from './helpers/import-sandbox.js';

const { dir, runId, server } = importSandbox('import-azure', 2, 7302);

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (d) => (text += String(d)));
    req.on('end', () => resolve(text));
  });
}

describe('seed --mode import --import-mode (Azure Health Data Services)', () => {
  it('should build the HL7/HAPI form without a mode and Azure\'s form with one', () => {
    const inputs = [{ type: 'Patient', url: 'https://files.example/Patient.ndjson' }];
    expect(importParameters(inputs, 'https://files.example')).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'inputFormat', valueCode: 'application/fhir+ndjson' },
        { name: 'inputSource', valueUri: 'https://files.example' },
        { name: 'input', part: [{ name: 'type', valueCode: 'Patient' }, { name: 'url', valueUri: 'https://files.example/Patient.ndjson' }] },
      ],
    });
    expect(importParameters(inputs, 'https://files.example', 'InitialLoad')).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'inputFormat', valueString: 'application/fhir+ndjson' },
        { name: 'mode', valueString: 'InitialLoad' },
        { name: 'input', part: [{ name: 'type', valueString: 'Patient' }, { name: 'url', valueUri: 'https://files.example/Patient.ndjson' }] },
      ],
    });
  });

  it('should send Azure\'s form, poll Content-Location through 202s, and report the 200\'s output counts and error files (exit 1)', async () => {
    let kickOff: { headers: IncomingMessage['headers']; body: Parameters } | undefined;
    let polls = 0;
    const azure = createServer(async (req: IncomingMessage, res: ServerResponse) => {
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers }).end(value === undefined ? '' : JSON.stringify(value));
      if (req.url === '/fhir/metadata') return json(200, { resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
      if (req.url === '/fhir/$import' && req.method === 'POST') {
        kickOff = { headers: req.headers, body: JSON.parse(await body(req)) as Parameters };
        // Azure: an empty body, the callback link in Content-Location.
        return json(202, undefined, { 'content-location': `http://127.0.0.1:${(azure.address() as AddressInfo).port}/fhir/_operations/import/7` });
      }
      if (req.url === '/fhir/_operations/import/7') {
        if (++polls < 3) return json(202, undefined, { 'retry-after': '0' });
        const inputs = (kickOff!.body.parameter ?? []).filter((p) => p.name === 'input').map((p) => p.part!.find((x) => x.name === 'url')!.valueUri!);
        return json(200, {
          transactionTime: '2026-11-30T12:00:00Z',
          request: `${req.headers.host}/fhir/$import`,
          output: [{ type: 'Patient', count: 2, inputUrl: inputs.find((u) => u.includes('Patient')) }],
          error: [{ type: 'OperationOutcome', count: 1, inputUrl: inputs[0], url: 'https://logs.example/err-1.ndjson' }],
        });
      }
      json(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    });
    await new Promise<void>((r) => azure.listen(0, '127.0.0.1', r));
    try {
      const server = `http://127.0.0.1:${(azure.address() as AddressInfo).port}/fhir`;
      const run = await runCommand(seedCommand, ['seed', dir, '--server', server, '--mode', 'import', '--import-mode', 'IncrementalLoad', '--input-base-url', 'https://files.example/c', '--no-verify']);
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(1);
      expect(kickOff!.headers.prefer).toBe('respond-async');
      const parameters = kickOff!.body.parameter ?? [];
      expect(parameters.map((p) => p.name)).toEqual(['inputFormat', 'mode', ...parameters.slice(2).map(() => 'input')]);
      expect(parameters[0]).toEqual({ name: 'inputFormat', valueString: 'application/fhir+ndjson' });
      expect(parameters[1]).toEqual({ name: 'mode', valueString: 'IncrementalLoad' });
      expect(parameters.find((p) => p.name === 'input' && p.part?.[0]?.valueString === 'Patient')?.part).toEqual([
        { name: 'type', valueString: 'Patient' },
        { name: 'url', valueUri: 'https://files.example/c/Patient.ndjson' },
      ]);
      expect(polls).toBe(3);
      expect(run.stdout).toMatch(/: 2 resources in \d+ files?, 1 error\n/);
      expect(run.stdout).toMatch(/\n {2}error: 1 resource of https:\/\/files\.example\/c\/\w+\.ndjson not imported: details in https:\/\/logs\.example\/err-1\.ndjson\n/);
    } finally {
      azure.close();
    }
  });

  it('should load end to end into the sandbox with --import-mode InitialLoad and pass verify', async () => {
    const run = await runCommand(seedCommand, ['seed', dir, '--server', server().url, '--mode', 'import', '--import-mode', 'InitialLoad']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const expected = manifestCounts(dir);
    expect(await taggedCounts(server().url, runId, Object.keys(expected))).toEqual(expected);
  });

  it('should have the sandbox refuse a mode that is not InitialLoad or IncrementalLoad with 400', async () => {
    const parameters = importParameters([{ type: 'Patient', url: 'http://127.0.0.1:9/Patient.ndjson' }], 'http://127.0.0.1:9', 'InitialLoad');
    parameters.parameter![1] = { name: 'mode', valueString: 'FullLoad' };
    const res = await fetch(`${server().url}/$import`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', prefer: 'respond-async' }, body: JSON.stringify(parameters) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('mode FullLoad is not one of InitialLoad, IncrementalLoad');
  });

  it('should refuse a bad --import-mode, or one without --mode import, in one line (exit 2)', async () => {
    const io = () => {
      const out = { stderr: '', io: { stdout: () => undefined, stderr: (t: string) => void (out.stderr += t), isTty: false } };
      return out;
    };
    const bad = io();
    expect(await runCli(['seed', dir, '--server', server().url, '--mode', 'import', '--import-mode', 'Initial'], bad.io)).toBe(2);
    expect(bad.stderr).toBe('fhirseed: --import-mode: "Initial" is not one of InitialLoad, IncrementalLoad\n');
    const alone = io();
    expect(await runCli(['seed', dir, '--server', server().url, '--import-mode', 'InitialLoad'], alone.io)).toBe(2);
    expect(alone.stderr).toBe('fhirseed: --import-mode InitialLoad: only with --mode import (the bulk $import), not --mode transaction\n');
  });
});
