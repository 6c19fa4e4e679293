import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report, type Report } from '../../src/report/index.js';
import { isIcd10CmFormat } from '../../src/util/check-digits.js';
import { codeMaps, generateTo, shippedProfile, tempDir } from '../helpers/output.js';

/**
 * Issue 10, done when: a 1,000 commercial + 1,000 Medicare Advantage population together use at least
 * these many distinct codes per system (as `fhirseed report` counts them), every ICD-10-CM code is a
 * billable code of the catalog and every MS-DRG a real v43 one. One generation shared by the assertions.
 */
const FLOORS: Record<string, number> = {
  'ICD-10-CM': 150,
  'SNOMED CT conditions': 120,
  RxNorm: 120,
  NDC: 120,
  LOINC: 300,
  'MS-DRG': 50,
  'ICD-10-PCS': 25,
  'HCPCS Level II': 30,
  CVX: 20,
};

const temp = tempDir('fhirseed-breadth-');
let measured: Report;
const icd = new Set<string>();
const drgs = new Set<string>();

/** ICD-10-CM and MS-DRG codes on the EOBs, read line by line (the NDJSON is hundreds of MB). */
async function scanEobs(file: string): Promise<void> {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    for (const m of line.matchAll(/"system":"http:\/\/hl7\.org\/fhir\/sid\/icd-10-cm","code":"([^"]+)"/g)) icd.add(m[1]!);
    for (const m of line.matchAll(/MS-DRG-Classifications-and-Software","code":"([^"]+)"/g)) drgs.add(m[1]!);
  }
}
beforeAll(async () => {
  for (const [book, dir] of [['commercial', 'c'], ['medicare-advantage', 'm']] as const) {
    generateTo(join(temp.dir, dir), { ...shippedProfile(book), members: 1000 }, { formats: ['ndjson'] });
  }
  measured = await report(temp.dir);
  for (const d of ['c', 'm']) await scanEobs(join(temp.dir, d, 'ndjson', 'ExplanationOfBenefit.ndjson'));
}, 600_000);
afterAll(() => temp.cleanup());

describe('vocabulary breadth of a 1,000 commercial + 1,000 Medicare Advantage population', () => {
  it('uses at least the issue 10 floors of distinct codes per system', () => {
    const distinct = new Map(measured.codes.map((c) => [c.name, c.distinct]));
    for (const [name, floor] of Object.entries(FLOORS)) expect([name, distinct.get(name)! >= floor, distinct.get(name)]).toEqual([name, true, distinct.get(name)]);
  });

  it('bills only catalog ICD-10-CM codes (billable leaves) and real MS-DRGs', () => {
    const billable = new Set([...codeMaps.conditions.values()].flatMap((c) => c.icd10cm.map((i) => i.code)));
    for (const v of codeMaps.visitReasons.values()) billable.add(v.icd10cm);
    expect(icd.size).toBeGreaterThanOrEqual(150);
    for (const code of icd) expect([code, isIcd10CmFormat(code), billable.has(code)]).toEqual([code, true, true]);
    expect(drgs.size).toBeGreaterThanOrEqual(50);
    for (const code of drgs) expect([code, codeMaps.drgs.has(code)]).toEqual([code, true]);
  });
});
