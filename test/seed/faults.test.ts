import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../src/seed/dead-letter.js';
import { seed, statePaths, type SeedSummary } from '../../src/seed/seed.js';
import type { SeedMode } from '../../src/seed/send.js';
import { startFaultProxy, type Fault } from './helpers/fault-proxy.js';
import { testSeedOptions, uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { suiteServer, taggedCounts } from './helpers/server.js';

/**
 * A fault-injecting proxy between seeder and server. Whatever the fault, every resource must end up
 * on the server exactly once, or in the dead-letter file with its reason.
 */
const suite = suiteServer();
const temp = suite.temp;

const isWrite = (req: { method?: string }) => req.method === 'POST' || req.method === 'PUT';

async function seedThroughFaults(name: string, mode: SeedMode, decide: (n: number, write: boolean, body: unknown) => Fault, extra: { timeoutMs?: number } = {}) {
  const dir = `${temp.dir}/${name}`;
  const runId = uniqueRunId(name);
  const fixture = writeFixtureOutput(dir, { members: 12, runId, eobs: 2 });
  let writes = 0;
  const proxy = await startFaultProxy(suite.server().url, (_n, req, body) => (isWrite(req) ? decide(++writes, true, body) : { kind: 'pass' }));
  try {
    const summary = await seed(testSeedOptions(proxy.url, dir, { mode, bundleSize: 10, concurrency: 3, timeoutMs: extra.timeoutMs ?? 20_000 }));
    return { dir, runId, fixture, summary };
  } finally {
    await proxy.close();
  }
}

const serverCounts = (runId: string, types: string[]) => taggedCounts(suite.server().url, runId, types);

function deadLetters(dir: string): DeadLetter[] {
  const text = (() => {
    try {
      return readFileSync(statePaths({ dir }).deadLetter, 'utf8');
    } catch {
      return '';
    }
  })();
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as DeadLetter);
}

function expectAllLoaded(result: { summary: SeedSummary; fixture: { byType: Record<string, number> } }) {
  expect(result.summary.deadLettered).toBe(0);
  expect(result.summary.verify?.every((r) => r.ok)).toBe(true);
  expect(result.summary.retried).toBeGreaterThan(0);
}

describe('seeding through faults', () => {
  it('should honour 429 with Retry-After and still load everything once', async () => {
    const started = Date.now();
    const r = await seedThroughFaults('429', 'transaction', (n) => (n <= 2 ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } } : { kind: 'pass' }));
    expectAllLoaded(r);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await serverCounts(r.runId, Object.keys(r.fixture.byType))).toEqual(r.fixture.byType);
  });

  it('should retry 503s and dropped connections, applied or not, in batch mode', async () => {
    // Faults by each request's own attempt, not by the global write count: with three senders a
    // global count can give one bundle seven faults in a row, which the retry budget rightly refuses.
    const seen = new Map<string, { order: number; attempts: number }>();
    const dropped = { 'drop-before': 0, 'drop-after': 0 };
    const r = await seedThroughFaults('503-drop', 'batch', (_n, _write, body) => {
      const key = JSON.stringify((body as { entry?: { resource?: { id?: string } }[] }).entry?.map((e) => e.resource?.id));
      const s = seen.get(key) ?? { order: seen.size, attempts: 0 };
      seen.set(key, { ...s, attempts: s.attempts + 1 });
      if (s.attempts === 0) return { kind: 'status', status: 503 };
      if (s.attempts > 1) return { kind: 'pass' };
      const kind = s.order % 2 ? 'drop-before' : 'drop-after';
      dropped[kind]++;
      return { kind };
    });
    expect(dropped['drop-before']).toBeGreaterThan(0);
    expect(dropped['drop-after']).toBeGreaterThan(0);
    expectAllLoaded(r);
    expect(await serverCounts(r.runId, Object.keys(r.fixture.byType))).toEqual(r.fixture.byType);
  });

  it('should retry answers slower than the timeout in upsert mode', async () => {
    const r = await seedThroughFaults('slow', 'upsert', (n) => (n % 7 === 3 ? { kind: 'slow', delayMs: 1500 } : { kind: 'pass' }), { timeoutMs: 400 });
    expectAllLoaded(r);
    expect(await serverCounts(r.runId, Object.keys(r.fixture.byType))).toEqual(r.fixture.byType);
  });

  it('should check each entry of a 200 answer: retry the transient ones, dead-letter the rejected with their outcome', async () => {
    const dir = `${temp.dir}/entries`;
    const runId = uniqueRunId('entries');
    const rejected = [`fx-${runId}-3-eob1`, `fx-${runId}-7-cov1`];
    const flaky = new Map<string, number>([[`fx-${runId}-5`, 2], [`fx-${runId}-9-eob0`, 1]]);
    const fixture = writeFixtureOutput(dir, { members: 12, runId, eobs: 2 });
    const proxy = await startFaultProxy(suite.server().url, (_n, req, body) => {
      if (!isWrite(req)) return { kind: 'pass' };
      const statuses = new Map<string, number>();
      for (const e of (body as { entry?: { resource?: { id?: string } }[] }).entry ?? []) {
        const id = e.resource?.id ?? '';
        if (rejected.includes(id)) statuses.set(id, 422);
        const left = flaky.get(id);
        if (left) {
          statuses.set(id, 503);
          flaky.set(id, left - 1);
        }
      }
      return { kind: 'fail-entries', statuses };
    });
    const summary = await seed(testSeedOptions(proxy.url, dir, { mode: 'transaction', bundleSize: 10 }));
    await proxy.close();

    const letters = deadLetters(dir);
    expect(letters.map((l) => l.id).sort()).toEqual([...rejected].sort());
    for (const l of letters) {
      expect(l.status).toBe(422);
      expect(l.reason).toMatch(/422.*fault proxy rejected/);
      expect(l.outcome.resourceType).toBe('OperationOutcome');
      expect(l.resource.id).toBe(l.id);
    }
    expect(summary.ok).toBe(false);
    const wrong = (summary.verify ?? []).filter((v) => !v.ok).map((v) => [v.type, v.expected - (v.actual ?? 0)]);
    expect(wrong.sort()).toEqual([['Coverage', 1], ['ExplanationOfBenefit', 1]]);

    // The replay, with the server now accepting them, loads the rest and empties the file.
    const replay = await seed(testSeedOptions(suite.server().url, dir, { retryDeadLetter: true }));
    expect(replay.deadLettered).toBe(0);
    expect(replay.ok).toBe(true);
    expect(deadLetters(dir)).toEqual([]);
    expect(await serverCounts(runId, Object.keys(fixture.byType))).toEqual(fixture.byType);
  });

  it('should send each entry alone when the server refuses a transaction as a whole, so one bad entry fails alone', async () => {
    const dir = `${temp.dir}/whole`;
    const runId = uniqueRunId('whole');
    const bad = `fx-${runId}-2-eob0`;
    const fixture = writeFixtureOutput(dir, { members: 6, runId, eobs: 1 });
    const refusal = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: `ExplanationOfBenefit/${bad}: total is required` }] };
    const proxy = await startFaultProxy(suite.server().url, (_n, req, body) => {
      const ids = req.method === 'POST' ? ((body as { entry?: { resource?: { id?: string } }[] }).entry ?? []).map((e) => e.resource?.id) : [req.url?.split('/').pop()];
      return ids.includes(bad) ? { kind: 'status', status: 400, body: refusal } : { kind: 'pass' };
    });
    const summary = await seed(testSeedOptions(proxy.url, dir, { mode: 'transaction', bundleSize: 50 }));
    await proxy.close();
    expect(deadLetters(dir).map((l) => [l.id, l.status, l.reason])).toEqual([[bad, 400, `HTTP 400: ExplanationOfBenefit/${bad}: total is required`]]);
    expect(summary.deadLettered).toBe(1);
    const counts = await serverCounts(runId, Object.keys(fixture.byType));
    expect(counts).toEqual({ ...fixture.byType, ExplanationOfBenefit: fixture.byType.ExplanationOfBenefit! - 1 });
  });
});
