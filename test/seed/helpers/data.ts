import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RETRY_POLICY } from '../../../src/seed/backoff.js';
import { defaultConnection, type ConnectionOptions, type SeedOptions } from '../../../src/seed/options.js';

/** Seed options for tests: short backoff steps so retries cost milliseconds, not seconds. */
export function testSeedOptions(server: string, dir: string, overrides: Partial<SeedOptions> = {}): SeedOptions {
  return {
    ...testConnection(server),
    dir, mode: 'transaction', dryRun: false, resume: false, retryDeadLetter: false, verify: true,
    ...overrides,
  };
}

export function testConnection(server: string, overrides: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return defaultConnection(server, { retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 20, maxDelayMs: 200 }, timeoutMs: 20_000, ...overrides });
}

/** A run id no other test (or earlier test run against an external server) uses. */
export function uniqueRunId(name: string): string {
  return `t-${name}-${process.pid}-${Date.now().toString(36)}`;
}

/** Every resource id in the bundles of an output directory, by type. */
export function manifestCounts(dir: string): Record<string, number> {
  return (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { counts: { byType: Record<string, number> } }).counts.byType;
}
