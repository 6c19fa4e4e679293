import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import {
  isIcd10CmFormat, isIcd10PcsFormat, isNdc11, isValidLoinc, isValidNpi, isValidVerhoeff, npiFromBase,
} from '../../src/util/check-digits.js';
import { UserError } from '../../src/util/errors.js';
import { readPackageJson } from '../helpers/packages.js';
import { placeless, thrownPlaceless } from '../helpers/placeless.js';

const maps = loadCodeMaps();
let temp: string | undefined;
afterEach(() => {
  if (temp) rmSync(temp, { recursive: true, force: true });
  temp = undefined;
});

function brokenCopy(file: string, edit: (json: any) => void): string {
  temp = mkdtempSync(join(tmpdir(), 'codemaps-'));
  cpSync('code-maps', temp, { recursive: true });
  const json = JSON.parse(readFileSync(join(temp, file), 'utf8'));
  edit(json);
  writeFileSync(join(temp, file), JSON.stringify(json));
  return temp;
}

describe('code maps', () => {
  it('should load and index every table', () => {
    // Conditions, drugs, MS-DRGs and ICD-10-PCS are the curated catalogs (code-maps/catalog/), one table each.
    expect(maps.conditions.size).toBe(214);
    expect(maps.drugs.size).toBe(301);
    expect(maps.drgs.size).toBe(772);
    expect(maps.pcs.size).toBe(60);
    // Each condition's drugs treat it, and a condition's ICD-10-CM code naming a side carries it.
    expect(maps.conditions.get('hypertension')!.drugs.every((d) => maps.drugs.get(d)!.conditions.includes('hypertension'))).toBe(true);
    expect(maps.conditions.get('osteoarthritis-knee')!.icd10cm.map((i) => i.side)).toEqual(['right', 'left']);
    expect(maps.pcs.get('0SRD0J9')!.side).toBe('left');
    for (const t of ['revenue', 'place-of-service', 'type-of-bill', 'daw', 'carc', 'tooth', 'surface', 'race', 'ethnicity']) {
      expect(maps.tables.get(t)?.codes.length, t).toBeGreaterThan(0);
    }
  });

  it('should hold only codes of valid format and check digit', () => {
    for (const c of maps.conditions.values()) {
      expect(isValidVerhoeff(c.snomed.code), c.snomed.code).toBe(true);
      for (const i of c.icd10cm) expect(isIcd10CmFormat(i.code), i.code).toBe(true);
    }
    for (const d of maps.drugs.values()) expect(isNdc11(d.ndc.code), d.ndc.code).toBe(true);
    for (const p of maps.pcs.values()) expect(isIcd10PcsFormat(p.code), p.code).toBe(true);
    for (const p of maps.procedures.values()) expect(p.code).toMatch(p.system === 'cpt' ? /^\d{5}$/ : /^[A-V]\d{4}$/);
    for (const d of maps.dental.values()) expect(d.code).toMatch(/^D\d{4}$/);
    for (const v of maps.visitReasons.values()) expect(isIcd10CmFormat(v.icd10cm), v.icd10cm).toBe(true);
  });

  it('should flag every licensed code set', () => {
    for (const p of maps.procedures.values()) expect(p.licensed, p.code).toBe(p.system === 'cpt');
    for (const d of maps.dental.values()) expect(d.licensed).toBe(true);
    for (const name of ['revenue', 'type-of-bill', 'point-of-origin', 'admission-type', 'discharge-status', 'present-on-admission']) {
      expect(maps.tables.get(name)?.licensed, name).toBe(true);
    }
  });

  it('should carry a source on every row', () => {
    const rows = [...maps.conditions.values(), ...maps.drugs.values(), ...maps.procedures.values(), ...maps.dental.values(), ...maps.drgs.values(), ...maps.pcs.values(), ...maps.taxonomy, ...maps.denials, ...maps.tables.values()];
    for (const r of rows) expect(r.source.length).toBeGreaterThan(5);
  });

  it('should use exactly the surface codes of the CARIN BB code system', () => {
    const cs = readPackageJson('hl7.fhir.us.carin-bb-2.0.0', 'CodeSystem-C4BBSurfaceCodes.json') as { concept: { code: string }[] };
    expect(maps.tables.get('surface')!.codes.map((c) => c.code).sort()).toEqual(cs.concept.map((c) => c.code).sort());
  });

  it('should reject a condition no drug treats or an MS-DRG that does not exist, naming file and key', () => {
    const dir = brokenCopy('catalog/conditions.json', (j) => j.rows[1].drugsFor.push('unobtainium'));
    expect(thrownPlaceless(() => loadCodeMaps(dir))).toContain("code-maps/catalog/conditions.json: 'diabetes-type-2': no drug treats 'unobtainium'");
    rmSync(temp!, { recursive: true, force: true });
    const drg = brokenCopy('catalog/conditions.json', (j) => j.rows[0].drgs.push('000'));
    expect(thrownPlaceless(() => loadCodeMaps(drg))).toContain("code-maps/catalog/conditions.json: 'hypertension': names MS-DRG '000', which ms-drg.json does not have");
  });

  it('should reject duplicate keys and rows without a source', () => {
    expect(thrownPlaceless(() => loadCodeMaps(brokenCopy('catalog/drugs.json', (j) => j.rows.push(j.rows[0]))))).toContain("code-maps/catalog/drugs.json: 'amlodipine-5-tab': duplicate key");
    rmSync(temp!, { recursive: true, force: true });
    expect(thrownPlaceless(() => loadCodeMaps(brokenCopy('dental.json', (j) => delete j.rows[2].source)))).toContain('code-maps/dental.json: row 3 has no source');
  });

  it('should reject a row that is not an object, or a file whose top is not an object, in one UserError naming file and row', () => {
    const nullRow = brokenCopy('prior-auth-rentals.json', (j) => { j.rows[1] = null; });
    expect(thrownPlaceless(() => loadCodeMaps(nullRow))).toBe('code-maps/prior-auth-rentals.json: row 2 is not an object');
    rmSync(temp!, { recursive: true, force: true });
    const nullFile = brokenCopy('prior-auth-services.json', () => undefined);
    writeFileSync(join(nullFile, 'prior-auth-services.json'), 'null');
    expect(thrownPlaceless(() => loadCodeMaps(nullFile))).toBe('code-maps/prior-auth-services.json: expected a "rows" array');
  });

  it('should reject two procedure rows with one code, since claim lines carry only the code', () => {
    const dir = brokenCopy('professional-procedures.json', (j) => j.rows.push({ ...j.rows[0], key: 'twin' }));
    expect(thrownPlaceless(() => loadCodeMaps(dir))).toMatch(/^code-maps\/professional-procedures\.json: 'twin': code \S+ is also row '\S+'$/);
  });

  it('should reject a procedure whose revenue code the revenue table lacks, naming file and key', () => {
    const dir = brokenCopy('professional-procedures.json', (j) => (j.rows.find((r: { key: string }) => r.key === 'hemodialysis').revenue = '0829'));
    expect(thrownPlaceless(() => loadCodeMaps(dir))).toContain("code-maps/professional-procedures.json: 'hemodialysis': revenue code 0829 is not in tables.json's revenue table");
  });

  it('should load the pricing table with the other code maps, and reject a bad entry naming file and entry', () => {
    expect(maps.pricing.books.commercial.hospital).toBeGreaterThan(1);
    expect(maps.pricing.opps.codes['99283']).toBeGreaterThan(0);
    const cases: [(j: any) => void, string][] = [
      [(j) => (j.opps.codes['99283'] = '290'), `code-maps/pricing.json: 'opps.codes.99283': expected a positive number, got "290"`],
      [(j) => (j.ipps.standardizedAmount = -1), "code-maps/pricing.json: 'ipps.standardizedAmount': expected a positive number, got -1"],
      [(j) => (j.revenueCodes.codes['250'] = 45), "code-maps/pricing.json: 'revenueCodes.codes.250': '250' is not a NUBC revenue code"],
      [(j) => (j.rvus.codes['9921'] = 1), "code-maps/pricing.json: 'rvus.codes.9921': '9921' is not a CPT or HCPCS code"],
      [(j) => delete j.books.medicaid, "code-maps/pricing.json: 'books.medicaid': missing book"],
      [(j) => delete j.clfs.source, "code-maps/pricing.json: 'clfs': has no source"],
    ];
    for (const [edit, message] of cases) {
      let error: unknown;
      try {
        loadCodeMaps(brokenCopy('pricing.json', edit));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UserError);
      expect(placeless((error as Error).message)).toBe(message);
      rmSync(temp!, { recursive: true, force: true });
    }
  });

  it('should reject a SNOMED id whose check digit is wrong', () => {
    const dir = brokenCopy('catalog/conditions.json', (j) => (j.rows[1].snomed.code = '44054007'));
    expect(() => loadCodeMaps(dir)).toThrow('fails its Verhoeff check digit');
  });
});

describe('check digits', () => {
  it('should compute the NPI check digit as the CMS NPI standard worked example does', () => {
    // CMS, "Requirements for the National Provider Identifier (NPI) check digit": 123456789 → 1234567893.
    expect(npiFromBase('123456789')).toBe('1234567893');
    expect(isValidNpi('1234567893')).toBe(true);
    for (let d = 0; d < 10; d++) if (d !== 3) expect(isValidNpi(`123456789${d}`)).toBe(false);
    // The CARIN BB examples use made-up NPIs that fail the check (e.g. Practitioner1's 6667778880).
    const example = readPackageJson('hl7.fhir.us.carin-bb-2.0.0', 'example/Practitioner-Practitioner1.json') as { identifier: { value: string }[] };
    expect(isValidNpi(example.identifier[0]!.value)).toBe(false);
  });

  it('should check SNOMED Verhoeff and LOINC mod-10 digits', () => {
    expect(isValidVerhoeff('44054006')).toBe(true);
    expect(isValidVerhoeff('44054007')).toBe(false);
    expect(isValidLoinc('4548-4')).toBe(true);
    expect(isValidLoinc('2339-0')).toBe(true);
    expect(isValidLoinc('4548-5')).toBe(false);
  });

  it('should tell ICD-10-CM, ICD-10-PCS and NDC formats apart', () => {
    expect(isIcd10CmFormat('E11.9')).toBe(true);
    // Chapter U holds ICD-10-CM's emergency codes (U07.1 COVID-19, U09.9 post COVID-19 condition).
    expect(isIcd10CmFormat('U07.1')).toBe(true);
    expect(isIcd10CmFormat('u07.1')).toBe(false);
    expect(isIcd10CmFormat('E119')).toBe(false);
    expect(isIcd10PcsFormat('0SRD0JZ')).toBe(true);
    expect(isIcd10PcsFormat('0SRD0IZ')).toBe(false);
    expect(isNdc11('00003089421')).toBe(true);
    expect(isNdc11('0003-0894-21')).toBe(false);
  });
});
