// The streaming validator (scan, then validate unit by unit) against the whole-set validator it replaces in the CLI:
// same findings, same order, same coverage. About 10-20 s: a 10-member population validated twice, the old and the new way (the comparison is the point).
import { writeFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverage } from '../../src/validate/coverage.js';
import { KeySet } from '../../src/validate/key-set.js';
import { inputFiles, readResources } from '../../src/validate/read.js';
import { scanFiles, UNIT_RESOURCES, validateScanned, workUnits } from '../../src/validate/stream.js';
import type { Validator } from '../../src/validate/validator.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { sharedValidator } from '../helpers/validator.js';

const temp = tempDir('fhirseed-validate-stream-');
afterAll(() => temp.cleanup());
const population = join(temp.dir, 'default-10');
const broken = join(temp.dir, 'broken');
let validator: Validator;

beforeAll(async () => {
  generateTo(population, { ...shippedProfile('default'), members: 10 });
  validator = await sharedValidator();
  // A broken set: forward references (the target comes in a later file), a dangling one, bad values,
  // an unreadable line, a line that is no resource, duplicates across files, a document Bundle whose
  // entries are reference targets, and an NDJSON file longer than one work unit with errors past its cuts.
  mkdirSync(broken);
  const ndjson = join(population, 'ndjson');
  const patients = readFileSync(join(ndjson, 'Patient.ndjson'), 'utf8').trim().split('\n');
  const coverages = readFileSync(join(ndjson, 'Coverage.ndjson'), 'utf8').trim().split('\n');
  const first = JSON.parse(patients[0]!) as Resource & { birthDate?: string };
  const lines = [
    coverages[0]!,
    JSON.stringify({ ...JSON.parse(coverages[1]!), beneficiary: { reference: 'Patient/no-such-patient' } }),
    '{"resourceType": "Observation", "id": ',
    '{"id": "x"}',
    JSON.stringify({ resourceType: 'Observation', id: 'to-doc', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/in-document' } }),
  ];
  writeFileSync(join(broken, 'a.ndjson'), `${lines.join('\n')}\n`);
  const many: string[] = [];
  for (let i = 0; i < 2 * UNIT_RESOURCES + 500; i++) {
    const bad = i % 997 === 3;
    many.push(JSON.stringify({ resourceType: 'Basic', id: `b${i}`, code: { text: 'x' }, created: bad ? '2021-02-30' : '2021-02-03', subject: { reference: i % 1499 === 7 ? 'Patient/gone' : `Patient/${first.id}` } }));
    if (i === UNIT_RESOURCES + 1) many.push('not json');
  }
  writeFileSync(join(broken, 'b.ndjson'), `${many.join('\n')}\n`);
  writeFileSync(
    join(broken, 'c.json'),
    JSON.stringify({ resourceType: 'Bundle', id: 'doc', type: 'document', entry: [{ fullUrl: 'urn:uuid:1', resource: { resourceType: 'Patient', id: 'in-document', birthDate: '1990-13-01' } }] }),
  );
  writeFileSync(join(broken, 'd.ndjson'), `${patients.join('\n')}\n${patients[0]}\n${JSON.stringify({ ...first, birthDate: 'yesterday' })}\n`);
}, 120_000);

/** The report parts the CLI builds, the old way (every resource in memory) and the streaming way. */
async function both(paths: string[], jobs = 1) {
  const read = readResources(paths);
  const packages = validator.packages.filter((p) => ['hl7.fhir.us.carin-bb', 'hl7.fhir.us.core'].includes(p.name));
  const whole = {
    resources: read.resources.length,
    duplicates: read.duplicates,
    problems: read.problems,
    skippedFiles: read.skippedFiles,
    issues: validator.validate(read.resources),
    coverage: packages.map((p) => coverage(read.resources, p, validator)),
  };
  const scan = scanFiles(inputFiles(paths));
  const result = await validateScanned(scan, validator, { coveragePackages: packages, jobs, igs: [], packagesDir: SHARED_PACKAGES });
  const streamed = {
    resources: scan.resources,
    duplicates: scan.duplicates,
    problems: scan.problems,
    skippedFiles: scan.skippedFiles,
    // Where each issue was read (file, line or entry) is known only to the streaming way: compared without it here,
    // checked in test/validate/trial-u-validate.test.ts.
    issues: result.issues.map(({ file: _file, line: _line, entry: _entry, ...issue }) => issue),
    coverage: result.coverage,
  };
  return { whole, streamed, scan };
}

describe('validate, streaming', () => {
  it('should report the same findings and coverage as the whole-set validator on a 10-member default population (bundles and NDJSON)', async () => {
    const { whole, streamed, scan } = await both([population]);
    expect(whole.resources).toBeGreaterThan(1000);
    // ndjson/ repeats bundles/; brands.json (the brand Organization and its Endpoint) is the one other file.
    expect(whole.duplicates).toBe(whole.resources - 2);
    expect(streamed).toEqual(whole);
    // The NDJSON copies are all duplicates, so the second pass does not read them.
    expect(workUnits(scan).every((u) => u.file.includes('/bundles/') || u.file.endsWith('/brands.json'))).toBe(true);
  });

  it('should report the same findings, in the same order, on a broken set cut into several work units', async () => {
    const { whole, streamed, scan } = await both([broken]);
    expect(whole.issues.some((i) => /'Patient\/no-such-patient' does not resolve/.test(i.message))).toBe(true);
    expect(whole.issues.some((i) => i.id === 'to-doc')).toBe(false); // its target is inside the document Bundle
    expect(whole.issues.filter((i) => i.id === 'b2994' && /real calendar date/.test(i.message))).toHaveLength(1);
    expect(whole.problems.map((p) => `${p.line}`)).toEqual(['3', '4', String(UNIT_RESOURCES + 3)]);
    expect(whole.duplicates).toBe(2);
    expect(workUnits(scan).filter((u) => u.file.endsWith('b.ndjson'))).toHaveLength(3);
    // d.ndjson's last line repeats its first Patient with another birthDate: the stream reports it (readResources does not).
    const differs = streamed.problems.filter((p) => /differs from the same resource in .*d\.ndjson:1;/.test(p.message));
    expect(differs.map((p) => p.file.endsWith('d.ndjson') && p.line)).toEqual([streamed.problems.at(-1)!.line]);
    expect({ ...streamed, problems: streamed.problems.filter((p) => !differs.includes(p)) }).toEqual(whole);
  });
});

describe('KeySet', () => {
  it('should answer like a Set of strings, across growth', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 400 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 50 }), (added, probes) => {
        const keys = new KeySet();
        const set = new Set<string>();
        for (const k of added) {
          expect(keys.add(k)).toBe(!set.has(k));
          set.add(k);
        }
        expect(keys.size).toBe(set.size);
        for (const k of [...added, ...probes]) expect(keys.has(k)).toBe(set.has(k));
        const shared = new KeySet(keys.buffer);
        expect(shared.size).toBe(set.size);
        for (const k of probes) expect(shared.has(k)).toBe(set.has(k));
      }),
    );
  });

  it('should hold 300,000 resource keys without a false hit', () => {
    const keys = new KeySet();
    for (let i = 0; i < 300_000; i++) keys.add(`ExplanationOfBenefit/eob-${i}`);
    expect(keys.size).toBe(300_000);
    let hits = 0;
    for (let i = 300_000; i < 600_000; i++) if (keys.has(`ExplanationOfBenefit/eob-${i}`)) hits++;
    expect(hits).toBe(0);
    expect(readdirSync(temp.dir).length).toBeGreaterThan(0);
  });
});
