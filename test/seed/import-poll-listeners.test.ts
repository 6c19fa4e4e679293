// U10 of session 14: `seed --mode import` once printed "MaxListenersExceededWarning: … 11 abort listeners added to
// [AbortSignal]". Each status poll's wait added an abort listener to the run's signal (Ctrl-C) and never removed it
// when the wait ended, so a job polled more than 10 times warned. A fake $import server answers 202 for 15 polls.
import { mkdirSync, writeFileSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedImport } from '../../src/seed/import.js';
import { testConnection } from './helpers/data.js';
import { tempDir } from './helpers/temp.js';

const POLLS = 15;

describe('seed --mode import: polling a long job', () => {
  const temp = tempDir('fhirseed-import-poll-');
  afterAll(() => temp.remove());

  it(`should leave no abort listener on the run's signal after ${POLLS} polls, and Node should print no warning`, async () => {
    mkdirSync(join(temp.dir, 'ndjson'));
    writeFileSync(join(temp.dir, 'manifest.json'), JSON.stringify({ runId: 't-poll-listeners', counts: { byType: { Patient: 1 } } }));
    writeFileSync(join(temp.dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'p1' })}\n`);
    let polled = 0;
    const server = createServer((req, res) => {
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
      if (req.url === '/fhir/metadata') return json(200, { resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
      if (req.method === 'POST' && req.url === '/fhir/$import') return req.resume().on('end', () => json(202, undefined, { 'content-location': '/fhir/import-status/1' }));
      if (req.url === '/fhir/import-status/1') {
        polled++;
        return polled <= POLLS ? json(202, undefined, { 'retry-after': '0' }) : json(200, { output: [{ type: 'Patient', count: 1 }], error: [] });
      }
      json(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    const interrupt = new AbortController();
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
      const summary = await seedImport({ ...testConnection(base), signal: interrupt.signal, dir: temp.dir, inputBaseUrl: 'http://files.example/bucket', importHost: '127.0.0.1', importPort: 0, verify: false });
      expect(summary.polls).toBe(POLLS + 1);
      expect(summary.ok).toBe(true);
      // process.emitWarning reports on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
      expect(getEventListeners(interrupt.signal, 'abort')).toHaveLength(0);
    } finally {
      process.off('warning', onWarning);
      server.close();
    }
  });

  it('should still stop waiting at once when the run is interrupted mid-wait', async () => {
    mkdirSync(join(temp.dir, 'ndjson'), { recursive: true });
    writeFileSync(join(temp.dir, 'manifest.json'), JSON.stringify({ runId: 't-poll-abort', counts: { byType: { Patient: 1 } } }));
    writeFileSync(join(temp.dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'p1' })}\n`);
    const interrupt = new AbortController();
    const server = createServer((req, res) => {
      if (req.url === '/fhir/metadata') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' }));
      if (req.method === 'POST') return req.resume().on('end', () => res.writeHead(202, { 'content-location': '/fhir/import-status/2' }).end());
      // A long Retry-After: the run is interrupted during the wait that follows.
      res.writeHead(202, { 'retry-after': '3600' }).end();
      setTimeout(() => interrupt.abort(new Error('interrupted by the test')), 50);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
      const started = Date.now();
      await expect(seedImport({ ...testConnection(base), signal: interrupt.signal, dir: temp.dir, inputBaseUrl: 'http://files.example/bucket', importHost: '127.0.0.1', importPort: 0, verify: false })).rejects.toThrow(/^interrupted while the \$import job at http:\/\/127\.0\.0\.1:\d+\/fhir\/import-status\/2 ran: it was not cancelled and may still be running; seed again, or remove what it stored with fhirseed purge --server http:\/\/127\.0\.0\.1:\d+\/fhir --run t-poll-abort$/);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(getEventListeners(interrupt.signal, 'abort')).toHaveLength(0);
    } finally {
      server.close();
    }
  });
});
