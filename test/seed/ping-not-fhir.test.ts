import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from './helpers/bin.js';
import { uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { tempDir } from './helpers/temp.js';

/** ping against servers that answer, but not with FHIR: every check is a finding in words, never an internal error text. */
async function fake(answer: (url: string, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    answer(req.url ?? '', res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/fhir`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const temp = tempDir('fhirseed-ping-not-fhir-');
const dir = join(temp.dir, 'out');
const servers: Array<{ url: string; close: () => Promise<void> }> = [];

beforeAll(() => writeFixtureOutput(dir, { members: 2, runId: uniqueRunId('ping-not-fhir') }));
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  temp.remove();
});

describe('ping: a server that does not answer FHIR', () => {
  it('should skip the member checks after a failed CapabilityStatement check, naming the reason, exit 1', async () => {
    const html = await fake((_url, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>Welcome to nginx!</body></html>');
    });
    servers.push(html);
    const run = await runBin(['ping', '--server', html.url, '--accounts', join(dir, 'test-accounts.json')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).not.toMatch(/is not a function|undefined|TypeError/);
    const memberLines = run.stdout.split('\n').filter((l) => /member .*: (Patient|Coverage|ExplanationOfBenefit)/.test(l));
    expect(memberLines).toHaveLength(6);
    for (const line of memberLines) expect(line).toMatch(/ SKIP +no CapabilityStatement$/);
    expect(run.stdout).toMatch(/CapabilityStatement +FAIL +.*not a FHIR server/);
  }, 60_000);

  it('should call a search answer that is not a Bundle (link not an array) so, instead of failing on it', async () => {
    const odd = await fake((url, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      if (url.includes('metadata')) {
        res.end(JSON.stringify({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', status: 'active', kind: 'instance', format: ['json'], rest: [{ mode: 'server', resource: [] }] }));
      } else {
        res.end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', link: { relation: 'next' }, entry: 'none' }));
      }
    });
    servers.push(odd);
    const run = await runBin(['ping', '--server', odd.url, '--accounts', join(dir, 'test-accounts.json')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).not.toMatch(/is not a function|TypeError/);
    const memberLines = run.stdout.split('\n').filter((l) => /member .*: (Patient|Coverage|ExplanationOfBenefit)/.test(l));
    expect(memberLines).toHaveLength(6);
    for (const line of memberLines) expect(line).toMatch(/not a FHIR search Bundle \(resourceType Bundle\)/);
  }, 60_000);
});
