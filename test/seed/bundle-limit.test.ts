import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { seed } from '../../src/seed/seed.js';
import { isBundleTooLarge, statedLimit } from '../../src/seed/too-large.js';
import { testSeedOptions, uniqueRunId } from './helpers/data.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { suiteServer, taggedCounts } from './helpers/server.js';

/**
 * A server that refuses bundles over N entries with 400 and an OperationOutcome (as Azure's and AWS's
 * FHIR servers do) gets bundles of at most N, not one PUT per resource.
 */
const suite = suiteServer();
const LIMIT = 7;

const wordings: [string, (sent: number) => string][] = [
  ['Azure API for FHIR', () => `The number of entries in the bundle exceeded the configured limit of ${LIMIT}.`],
  ['FHIR Works on AWS', (sent) => `Maximum number of entries for a Bundle is ${LIMIT}. There are currently ${sent} entries in this Bundle`],
  ['a server naming no number', () => 'Bundle contains too many entries'],
];

describe('a server that refuses large bundles with 400', () => {
  for (const [name, wording] of wordings) {
    it(`should split bundles to the limit (${name}), send no single PUTs, and verify`, async () => {
      const dir = join(suite.temp.dir, name.replace(/\W+/g, '-'));
      const runId = uniqueRunId('limit');
      const written = writeFixtureOutput(dir, { members: 40, runId, eobs: 3 });
      const forwarded: number[] = [];
      let refused = 0;
      let puts = 0;
      const proxy = await startFaultProxy(suite.server().url, (_n, req, body) => {
        if (req.method === 'PUT') puts++;
        const entries = (body as Bundle | undefined)?.resourceType === 'Bundle' ? ((body as Bundle).entry ?? []).length : undefined;
        if (entries === undefined) return { kind: 'pass' };
        if (entries > LIMIT) {
          refused++;
          return { kind: 'status', status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: wording(entries) }] } };
        }
        forwarded.push(entries);
        return { kind: 'pass' };
      });
      try {
        const summary = await seed(testSeedOptions(proxy.url, dir, { concurrency: 2 }));
        expect(summary.deadLettered).toBe(0);
        expect(summary.verify?.every((r) => r.ok)).toBe(true);
        expect(summary.bundleSize).toBeLessThanOrEqual(LIMIT);
        expect(puts).toBe(0);
        expect(Math.max(...forwarded)).toBeLessThanOrEqual(LIMIT);
        expect(forwarded.reduce((a, b) => a + b, 0)).toBe(written.total);
        // Halving from 100 takes four refusals; after that the limit is known to every worker.
        expect(refused).toBeLessThanOrEqual(10);
        expect(await taggedCounts(suite.server().url, runId, Object.keys(written.byType))).toEqual(written.byType);
      } finally {
        await proxy.close();
      }
    });
  }
});

describe('telling a bundle too large from a bad entry', () => {
  const outcome = (diagnostics: string, code = 'invalid') => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] });

  it('should take 413 and 400s that say the bundle has too many entries', () => {
    expect(isBundleTooLarge(413, undefined)).toBe(true);
    expect(isBundleTooLarge(400, outcome('The number of entries in the bundle exceeded the configured limit of 500.'))).toBe(true);
    expect(isBundleTooLarge(400, outcome('Maximum number of entries for a Bundle is 25. There are currently 40 entries in this Bundle'))).toBe(true);
    expect(isBundleTooLarge(400, outcome('Bundle size exceeds the maximum allowed', 'too-costly'))).toBe(true);
  });

  it('should not take a refused entry, a 500 or a 429 for a bundle too large', () => {
    expect(isBundleTooLarge(400, outcome('Bundle.entry[3].resource.name[0].family: value exceeds maximum length'))).toBe(false);
    expect(isBundleTooLarge(400, outcome('Patient.birthDate: invalid date'))).toBe(false);
    expect(isBundleTooLarge(500, outcome('The number of entries in the bundle exceeded the configured limit of 500.'))).toBe(false);
    expect(isBundleTooLarge(429, outcome('Too many requests'))).toBe(false);
  });

  it('should read the limit a refusal names, when below what was sent', () => {
    expect(statedLimit(outcome('The number of entries in the bundle exceeded the configured limit of 500.'), 600)).toBe(500);
    expect(statedLimit(outcome('Maximum number of entries for a Bundle is 25. There are currently 40 entries in this Bundle'), 40)).toBe(25);
    expect(statedLimit(outcome('Bundle contains too many entries'), 40)).toBeUndefined();
    expect(statedLimit(outcome('limit of 500'), 100)).toBeUndefined();
  });
});
