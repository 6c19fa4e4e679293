import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeControls, escapeJsonControls } from '../../src/util/control-chars.js';
import { codeFormatProblem } from '../../src/validate/code-formats.js';
import { readResources } from '../../src/validate/read.js';
import { scanFiles, validateScanned } from '../../src/validate/stream.js';
import { buildReport, formatSummary } from '../../src/validate/summary.js';
import type { Issue, Validator } from '../../src/validate/validator.js';
import { tempDir } from '../helpers/output.js';
import { checkResource, examplesOf, sharedValidator } from '../helpers/validator.js';

/**
 * What the s17 new-user trial found in `validate` (F1-F4, F6): codes of external systems in required bindings are
 * checked for their form; a resource without a profile gets R4's required bindings and the `id` and string-size rules;
 * no control character from the data reaches the terminal; every unreadable JSON has a line and column, an empty file
 * is no data whatever its extension, an empty-entry Bundle is a Bundle; and an issue says the file and line it is at.
 */

let validator: Validator;
const temp = tempDir('fhirseed-trial-u-');
afterAll(() => temp.cleanup());
beforeAll(async () => {
  validator = await sharedValidator();
}, 600_000);

const check = (r: unknown): Issue[] => checkResource(validator, r);

describe('F1: codes of whole external systems in required bindings', () => {
  it('knows each system form and check digit', () => {
    expect(codeFormatProblem('http://snomed.info/sct', '44054006')).toBeUndefined();
    expect(codeFormatProblem('http://snomed.info/sct', '44054007')).toMatch(/not a SNOMED CT code/);
    expect(codeFormatProblem('http://loinc.org', '2345-7')).toBeUndefined();
    expect(codeFormatProblem('http://loinc.org', '2345-6')).toMatch(/not a LOINC code/);
    expect(codeFormatProblem('http://hl7.org/fhir/sid/icd-10-cm', 'E11.9')).toBeUndefined();
    expect(codeFormatProblem('http://hl7.org/fhir/sid/icd-10-cm', 'S72.001M')).toBeUndefined();
    for (const bad of ['hello world', '123', 'e11.9']) expect(codeFormatProblem('http://hl7.org/fhir/sid/icd-10-cm', bad)).toMatch(/not a ICD-10-CM code/);
    expect(codeFormatProblem('http://hl7.org/fhir/sid/ndc', '00002322730')).toBeUndefined();
    expect(codeFormatProblem('http://hl7.org/fhir/sid/ndc', '0002-3227-30')).toBeUndefined();
    expect(codeFormatProblem('http://hl7.org/fhir/sid/ndc', 'hello')).toMatch(/not a NDC code/);
    expect(codeFormatProblem('http://www.nlm.nih.gov/research/umls/rxnorm', '860975')).toBeUndefined();
    expect(codeFormatProblem('http://www.nlm.nih.gov/research/umls/rxnorm', 'x1')).toMatch(/RxNorm/);
    for (const ok of ['99213', '0001U', '25']) expect(codeFormatProblem('http://www.ama-assn.org/go/cpt', ok)).toBeUndefined();
    for (const ok of ['J1100', 'RT']) expect(codeFormatProblem('https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', ok)).toBeUndefined();
    expect(codeFormatProblem('http://www.ama-assn.org/go/cpt', '9921')).toMatch(/CPT/);
    expect(codeFormatProblem('http://example.org/any', 'anything at all')).toBeUndefined();
  });

  it('a C4BB EOB whose ICD-10-CM diagnosis is "hello world" is an error; its real code is not', () => {
    const eob = examplesOf(validator, 'hl7.fhir.us.carin-bb')
      .map((e) => e.resource as any)
      .find((r) => r.resourceType === 'ExplanationOfBenefit' && r.diagnosis?.[0]?.diagnosisCodeableConcept?.coding?.[0]?.system === 'http://hl7.org/fhir/sid/icd-10-cm');
    expect(eob).toBeDefined();
    const about = (issues: Issue[]) => issues.filter((i) => i.severity === 'error' && /diagnosis/.test(i.path) && /ICD-10-CM/.test(i.message));
    expect(about(check(structuredClone(eob)))).toEqual([]);
    const bad = structuredClone(eob);
    bad.diagnosis[0].diagnosisCodeableConcept.coding[0].code = 'hello world';
    expect(about(check(bad)).map((i) => i.message)).toEqual([expect.stringMatching(/^code 'hello world' is not a ICD-10-CM code .*required binding/)]);
  });
});

describe('F2: a resource with no profile is checked against the R4 base', () => {
  it("Patient.gender's required binding, the id type, and the 1 MB string limit", () => {
    const messages = check({ resourceType: 'Patient', id: 'a b!', gender: 'man', name: [{ family: 'x'.repeat(1024 * 1024 + 1) }] }).map((i) => `${i.path}: ${i.message}`);
    expect(messages).toContain("Patient.gender: code 'man' is not in required value set http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1");
    expect(messages).toContain("Patient.id: 'a b!' is not a valid id");
    expect(messages).toContainEqual(expect.stringMatching(/^Patient\.name\[0\]\.family: string value of 1048577 characters: R4 strings SHALL NOT exceed 1 MB/));
    expect(check({ resourceType: 'Patient', id: 'ok-1.2', gender: 'male', name: [{ family: 'x'.repeat(1024 * 1024) }] })).toEqual([]);
  });
});

describe('F3, F4: read problems', () => {
  it('an unreadable line is located to its column and printed with its controls escaped', () => {
    const file = join(temp.dir, 'esc.ndjson');
    writeFileSync(file, `{"resourceType":"Patient","id":"p1"}\ngarbage \u001b[2J\u001b[31mRED \u009b\n`);
    const read = readResources([file]);
    expect(read.problems).toMatchObject([{ file, line: 2, column: 1 }]);
    const text = formatSummary(buildReport(read, [], [], 10, []));
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain(`unreadable: ${file}:2:1: invalid JSON: Unexpected token 'g', "garbage \\u001b[`);
    expect(escapeControls('a\tb\u0007')).toBe('a\\u0009b\\u0007');
    expect(JSON.parse(escapeJsonControls(JSON.stringify('x\u009by')))).toBe('x\u009by');
  });

  it('a .json file that is not JSON has a line and column; an empty .json is skipped as an empty .ndjson is', () => {
    const js = join(temp.dir, 'script.json');
    writeFileSync(js, '{"a": 1,\n  #!/usr/bin/env node\n}');
    writeFileSync(join(temp.dir, 'empty.json'), '');
    writeFileSync(join(temp.dir, 'empty.ndjson'), '\n');
    const read = readResources([js, join(temp.dir, 'empty.json'), join(temp.dir, 'empty.ndjson')]);
    expect(read.problems).toMatchObject([{ file: js, line: 2, column: 3 }]);
    expect(read.skippedFiles).toEqual([join(temp.dir, 'empty.json'), join(temp.dir, 'empty.ndjson')]);
    const scan = scanFiles([join(temp.dir, 'empty.json'), join(temp.dir, 'empty.ndjson')]);
    expect(scan.skippedFiles).toEqual([join(temp.dir, 'empty.json'), join(temp.dir, 'empty.ndjson')]);
    expect(scan.resources).toBe(0);
  });

  it('a Bundle with "entry": [] is read as one Bundle, its empty array an error', () => {
    const file = join(temp.dir, 'page.json');
    writeFileSync(file, JSON.stringify({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] }));
    const read = readResources([file]);
    expect(read.resources).toHaveLength(1);
    expect(validator.validate(read.resources).map((i) => `${i.path}: ${i.message}`)).toContainEqual(expect.stringMatching(/^Bundle\.entry: empty array is not allowed/));
  });
});

describe('F6: issues say where they are', () => {
  it('NDJSON line, Bundle file and entry index, in --json fields and in the summary', async () => {
    const nd = join(temp.dir, 'where.ndjson');
    writeFileSync(nd, `${JSON.stringify({ resourceType: 'Patient', id: 'ok', gender: 'male' })}\n\n${JSON.stringify({ resourceType: 'Patient', id: 'bad', gender: 'man' })}\n`);
    const bundle = join(temp.dir, 'where-bundle.json');
    writeFileSync(bundle, JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'http://x.org/fhir/Patient/b0', resource: { resourceType: 'Patient', id: 'b0' } }, { fullUrl: 'http://x.org/fhir/Patient/b1', resource: { resourceType: 'Patient', id: 'b1', active: 'yes' } }] }));
    const scan = scanFiles([nd, bundle]);
    const { issues } = await validateScanned(scan, validator, { coveragePackages: [], jobs: 1, igs: [] });
    expect(issues.map((i) => [i.id, i.file, i.line, i.entry])).toEqual([
      ['bad', nd, 3, undefined],
      ['b1', bundle, undefined, 1],
    ]);
    const text = formatSummary(buildReport(scan, issues, [], 10, []));
    expect(text).toContain(`(${nd}:3)`);
    expect(text).toContain(`(${bundle} Bundle.entry[1])`);
  });
});
