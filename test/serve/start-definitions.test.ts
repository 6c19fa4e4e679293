// The sandbox's start reads R4's resource definitions (35 MB of JSON, 0.6-0.9 s a read and parse on this machine)
// once, not once per use: R4's element list, the schema's definitions and the read workers' each read the file before,
// three times in a restart of 5-6 s at 10,000 members (issue 17). Counted here by wrapping node:fs's readFileSync.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { holdR4Resources, readR4Resources } from '../../src/serve/r4-resources.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const reads = vi.hoisted(() => ({ definitions: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const counted = ((...args: Parameters<typeof fs.readFileSync>) => {
    if (String(args[0]).endsWith('profiles-resources.json')) reads.definitions++;
    return fs.readFileSync(...args);
  }) as typeof fs.readFileSync;
  return { ...fs, default: { ...fs, readFileSync: counted }, readFileSync: counted };
});

let out: { dir: string; cleanup: () => void };

beforeAll(() => {
  out = tempDir('fhirseed-start-definitions-');
  generateTo(out.dir, { ...shippedProfile('default'), members: 1 }, { formats: ['ndjson'] });
}, 120_000);
afterAll(() => out?.cleanup());

describe("R4's definitions at the sandbox's start", () => {
  it('should read the definitions file once for a start with a read worker, and hold nothing after it', async () => {
    reads.definitions = 0;
    const server = await startServer({ port: 0, dir: out.dir, store: 'sqlite', packagesDir: SHARED_PACKAGES, readWorkers: 1 });
    try {
      expect(await server.readWorkers).toBe(1);
      expect(reads.definitions).toBe(1);
      // The start's hold is released: a later read parses the file again (nothing kept in this thread).
      readR4Resources(new Set(['Patient']));
      expect(reads.definitions).toBe(2);
    } finally {
      await server.close();
    }
  }, 300_000);

  it('should hand out the same parse to every read while a hold is open, filtered by type, until the last is released', () => {
    const first = holdR4Resources();
    const second = holdR4Resources();
    const before = reads.definitions;
    const [patient] = readR4Resources(new Set(['Patient']));
    const all = readR4Resources();
    expect(patient?.type).toBe('Patient');
    expect(patient?.text).toBeUndefined();
    expect(all.find((sd) => sd.type === 'Patient')).toBe(patient);
    expect(all.length).toBeGreaterThan(140);
    first();
    first();
    expect(readR4Resources(new Set(['Patient']))[0]).toBe(patient);
    expect(reads.definitions).toBe(before + 1);
    second();
    expect(readR4Resources(new Set(['Patient']))[0]).not.toBe(patient);
    expect(reads.definitions).toBe(before + 2);
  }, 120_000);
});

// Keeps the import used by the mock's type (and node:fs's own reader available to the helpers).
void readFileSync;
