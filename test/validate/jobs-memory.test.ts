// Memory of validate --jobs N at start (issue 13). The main thread of a --jobs 2 run peaked while its workers loaded:
// it held a full copy of the packages (examples and all) beside its slim one, and the garbage of reading the R4 base
// bundles (about 110 MiB) that V8 had no reason to collect while the thread waited. Now the packages are only looked
// for before the slim load, and a short-lived thread makes the base text. About 10-20 s on a quiet machine: two
// worker threads from the TypeScript sources each load the packages, a third reads the base bundles.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { baseDefinitionsLoaded } from '../../src/validate/definitions.js';
import { ensurePackages } from '../../src/validate/package-download.js';
import { loadPackages } from '../../src/validate/packages.js';
import { inputFiles } from '../../src/validate/read.js';
import { coveragePackagesOf, scanFiles, validateScanned } from '../../src/validate/stream.js';
import { createValidator } from '../../src/validate/validator.js';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

// Every file this thread reads (worker threads have their own node:fs, not this mock).
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = vi.fn(fs.readFileSync);
  return { ...fs, default: { ...fs, readFileSync }, readFileSync };
});

const temp = tempDir('fhirseed-validate-jobs-memory-');
afterAll(() => temp.cleanup());

describe('validate --jobs N: what the main thread loads', () => {
  it('should only look for the named IGs in ensurePackages: a package is read when loaded, as it is then', async () => {
    const dir = join(temp.dir, 'packages');
    const pkg = join(dir, 'jobs-memory.a#1.0.0', 'package');
    mkdirSync(join(pkg, 'example'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'jobs-memory.a', version: '1.0.0' }));
    writeFileSync(join(pkg, 'ValueSet-v.json'), JSON.stringify({ resourceType: 'ValueSet', url: 'http://a.example/v' }));
    writeFileSync(join(pkg, 'example', 'Patient-p.json'), JSON.stringify({ resourceType: 'Patient', id: 'p' }));
    expect(await ensurePackages(['jobs-memory.a@1.0.0'], dir, { offline: true })).toEqual([]);
    // Had ensurePackages loaded the package, this full load would be its cached copy, example and all.
    rmSync(join(pkg, 'example'), { recursive: true });
    const full = loadPackages(['jobs-memory.a@1.0.0'], dir).packages[0]!;
    expect(full.resources.map((r: { url: string }) => r.url)).toEqual(['http://a.example/v']);
    expect(full.examples).toEqual([]);
    await expect(ensurePackages(['jobs-memory.b@1.0.0'], dir, { offline: true })).rejects.toThrow(/FHIR package jobs-memory\.b#1\.0\.0 not found/);
  });

  it('should not read the R4 base bundles in this thread when the workers need the base text', async () => {
    const input = join(temp.dir, 'input');
    mkdirSync(input);
    writeFileSync(join(input, 'a.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'a', birthDate: '1970-02-31' })}\n`);
    writeFileSync(join(input, 'b.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'b', link: [{ other: { reference: 'Patient/a' }, type: 'seealso' }, { other: { reference: 'Patient/z' }, type: 'seealso' }] })}\n`);
    const igs = ['carin-bb@2.0.0'];
    const validator = await createValidator({ igs, packagesDir: SHARED_PACKAGES, slim: true });
    const scan = scanFiles(inputFiles([input]));
    const read = vi.mocked(readFileSync);
    read.mockClear();
    const result = await validateScanned(scan, validator, { coveragePackages: coveragePackagesOf(validator, igs), jobs: 2, igs, packagesDir: SHARED_PACKAGES });
    expect(read.mock.calls.map(([path]) => String(path)).filter((path) => /profiles-\w+\.json$|valuesets\.json$/.test(path))).toEqual([]);
    expect(baseDefinitionsLoaded()).toBe(false);
    // The workers validated against the base the thread made: a date no calendar has, a reference to nothing.
    expect(result.issues.map((i) => `${i.id} ${i.path}`)).toEqual(['a Patient.birthDate', 'b Patient.link[1].other']);
  }, 180_000);
});
