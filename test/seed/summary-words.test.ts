import { describe, expect, it } from 'vitest';
import { formatSeedSummary } from '../../src/seed/report.js';
import type { SeedSummary } from '../../src/seed/seed.js';

describe("seed's summary in words", () => {
  const summary = {
    server: 'http://x/fhir', runId: 'r', mode: 'transaction', bundleSize: 100, dryRun: false, sent: 3, created: 3, updated: 0, unchanged: 0, failed: 0,
    retried: 0, retryCauses: {}, deadLettered: 0, skippedMembers: 0, elapsedMs: 1000, rate: 3, tokensIssued: 1, deadLetterFile: 'd', ok: true,
  } as SeedSummary;

  it("should say '1 access token', and 'access tokens' for more (s13 new-user trial U12)", () => {
    expect(formatSeedSummary(summary)).toContain(', 1 access token');
    expect(formatSeedSummary(summary)).not.toContain('1 access tokens');
    expect(formatSeedSummary({ ...summary, tokensIssued: 2 })).toContain(', 2 access tokens');
    expect(formatSeedSummary({ ...summary, tokensIssued: 0 })).not.toContain('access token');
  });

  it("should say '1 member already loaded' when a resumed seed skipped one (s16 fresh-eyes trial V)", () => {
    expect(formatSeedSummary({ ...summary, skippedMembers: 1 })).toContain(', 1 member already loaded (resumed)');
    expect(formatSeedSummary({ ...summary, skippedMembers: 2 })).toContain(', 2 members already loaded (resumed)');
  });
});
