import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { isIcd10CmFormat, isIcd10PcsFormat, isNdc11, isValidLoinc, isValidVerhoeff } from '../../src/util/check-digits.js';

/** code-maps/catalog/*.json built by scripts/catalog/build-codes.mjs (issue 10; not yet read by the generator). */
interface Catalog<R> {
  description: string;
  rows: R[];
}
interface Condition {
  key: string;
  display: string;
  category: string;
  chronic: boolean;
  snomed: { code: string; display: string; fromSources: boolean };
  icd10cm: { code: string; display: string }[];
  ccw: { code: string; name: string; abbrev: string } | null;
  labs: string[];
  procedures: { icd10pcs: string[]; hcpcs: string[] };
  visitsPerYear: number;
  pairing: { rule: 'same value set'; valueSet: string; oid: string; file: string } | { rule: 'same concept (hand)'; note: string };
  source: string;
}
interface Lab {
  key: string;
  loinc: { code: string; display: string };
  shortName: string;
  group: string;
  unit: string;
  normal: { low: number; high: number };
  critical?: { low: number | null; high: number | null };
  abnormal?: Record<string, { low: number; high: number; source: string }>;
  source: string;
}
interface Drg {
  code: string;
  mdc: string | null;
  type: 'medical' | 'surgical' | 'ungroupable';
  title: string;
  weight: number;
  gmlos: number;
  amlosV42?: number;
  source: string;
}
interface Pcs {
  key: string;
  code: string;
  display: string;
  displayFrom: 'cms-title' | 'table-axes';
  inFy2020Tables: boolean;
  drgs: string[];
  source: string;
}
interface Hcpcs {
  code: string;
  shortDescriptor: string;
  category: string;
  statusIndicator: string;
  paymentRate: number | null;
  source: string;
}
interface Cvx {
  code: string;
  display: string;
  ndc: { code: string; display: string }[];
  addedByHand?: boolean;
  source: string;
}

const load = <R>(name: string): R[] => (JSON.parse(readFileSync(`code-maps/catalog/${name}.json`, 'utf8')) as Catalog<R>).rows;
const conditions = load<Condition>('conditions');
const labs = load<Lab>('labs');
const drgs = load<Drg>('ms-drg');
const pcs = load<Pcs>('icd10pcs');
const hcpcs = load<Hcpcs>('hcpcs');
const cvx = load<Cvx>('cvx');

const SOURCES = join(process.cwd(), '..', 'shared', 'code-sources');
const haveSources = existsSync(join(SOURCES, 'README.md'));
const csv = (rel: string): Record<string, string>[] => parseCsv(readFileSync(join(SOURCES, rel)), { columns: true, skip_empty_lines: true });
const undotted = (code: string): string => code.replace('.', '');

describe('code catalogs (code-maps/catalog)', () => {
  it('should keep the row-count floors of issue 10', () => {
    expect(conditions.length).toBeGreaterThanOrEqual(200);
    expect(labs.length).toBeGreaterThanOrEqual(150);
    expect(drgs.length).toBe(772);
    expect(pcs.length).toBeGreaterThanOrEqual(25);
    expect(hcpcs.length).toBeGreaterThanOrEqual(60);
    expect(cvx.length).toBeGreaterThanOrEqual(40);
  });

  it('should not repeat a key in any catalog', () => {
    for (const keys of [conditions.map((r) => r.key), labs.map((r) => r.key), drgs.map((r) => r.code), pcs.map((r) => r.key), pcs.map((r) => r.code), hcpcs.map((r) => r.code), cvx.map((r) => r.code)]) {
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    }
  });

  it('should give valid check digits and formats: SNOMED Verhoeff, LOINC mod 10, ICD-10-CM/PCS shapes, 11-digit NDCs', () => {
    for (const c of conditions) {
      expect(isValidVerhoeff(c.snomed.code), `${c.key} SNOMED ${c.snomed.code}`).toBe(true);
      expect(c.icd10cm.length, c.key).toBeGreaterThan(0);
      for (const i of c.icd10cm) expect(isIcd10CmFormat(i.code), `${c.key} ${i.code}`).toBe(true);
    }
    for (const l of labs) expect(isValidLoinc(l.loinc.code), l.key).toBe(true);
    for (const p of pcs) expect(isIcd10PcsFormat(p.code), p.key).toBe(true);
    for (const v of cvx) for (const n of v.ndc) expect(isNdc11(n.code), `${v.code} ${n.code}`).toBe(true);
    for (const h of hcpcs) expect(h.code, h.code).toMatch(/^[A-CEGHJ-MP-V]\d{4}$/);
  });

  it('should resolve every cross-reference: condition labs, procedures and lab bands name rows that exist', () => {
    const labKeys = new Set(labs.map((l) => l.key));
    const pcsKeys = new Set(pcs.map((p) => p.key));
    const hcpcsCodes = new Set(hcpcs.map((h) => h.code));
    const conditionKeys = new Set(conditions.map((c) => c.key));
    const drgCodes = new Set(drgs.map((d) => d.code));
    for (const c of conditions) {
      for (const l of c.labs) expect(labKeys.has(l), `${c.key} lab ${l}`).toBe(true);
      for (const p of c.procedures.icd10pcs) expect(pcsKeys.has(p), `${c.key} pcs ${p}`).toBe(true);
      for (const h of c.procedures.hcpcs) expect(hcpcsCodes.has(h), `${c.key} hcpcs ${h}`).toBe(true);
    }
    for (const l of labs) {
      for (const [k, band] of Object.entries(l.abnormal ?? {})) {
        expect(conditionKeys.has(k), `${l.key} band for ${k}`).toBe(true);
        expect(band.low, `${l.key} ${k}`).toBeLessThan(band.high);
        expect(band.source.length, `${l.key} ${k}`).toBeGreaterThan(0);
      }
      expect(l.normal.low, l.key).toBeLessThanOrEqual(l.normal.high);
    }
    for (const p of pcs) {
      expect(p.drgs.length, p.key).toBeGreaterThan(0);
      for (const d of p.drgs) expect(drgCodes.has(d), `${p.key} DRG ${d}`).toBe(true);
    }
  });

  it('should represent all 30 CMS CCW chronic conditions (31 codes with Alzheimer-related) and say how each pair was made', () => {
    const ccw = new Set(conditions.flatMap((c) => (c.ccw ? [c.ccw.code] : [])));
    const expected = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '30', '31'];
    expect([...ccw].sort((a, b) => Number(a) - Number(b))).toEqual(expected);
    for (const c of conditions) {
      if (c.pairing.rule === 'same value set') expect(c.pairing.valueSet.length, c.key).toBeGreaterThan(0);
      else expect(c.pairing.note.length, c.key).toBeGreaterThan(0);
    }
  });

  describe.skipIf(!haveSources)(`against the source files in ${SOURCES} (skipped when ../shared/code-sources is absent)`, () => {
    it('should use billable ICD-10-CM codes with the displays of icd10cm.csv, and CCWs whose lists hold the first code', () => {
      const icd = new Map(csv('icd10cm/icd10cm.csv').map((r) => [r.code!, r]));
      const ccwLists = new Map<string, Set<string>>();
      for (const r of csv('icd10cm/ccw-icd10cm.csv')) {
        if (!ccwLists.has(r.ccw_code!)) ccwLists.set(r.ccw_code!, new Set());
        ccwLists.get(r.ccw_code!)!.add(r.icd10cm!);
      }
      for (const c of conditions) {
        for (const i of c.icd10cm) {
          const row = icd.get(undotted(i.code));
          expect(row, `${c.key} ${i.code}`).toBeDefined();
          expect(row!.billable, `${c.key} ${i.code}`).toBe('true');
          expect(row!.description, `${c.key} ${i.code}`).toBe(i.display);
        }
        if (c.ccw) expect(ccwLists.get(c.ccw.code)?.has(undotted(c.icd10cm[0]!.code)), `${c.key} CCW ${c.ccw.code}`).toBe(true);
      }
    });

    it('should take SNOMED concepts marked fromSources as the vsac rows list them, and same-value-set pairs from one value set', () => {
      const rows = ['conditions-v2026-no-qdm.csv', 'conditions-v2022.csv'].flatMap((f) => csv(`vsac-conditions/${f}`).map((r): Record<string, string> => ({ ...r, file: `vsac-conditions/${f}` })));
      const displays = new Map<string, Set<string>>();
      for (const r of rows.filter((x) => x.system === 'SNOMEDCT')) {
        if (!displays.has(r.code!)) displays.set(r.code!, new Set());
        displays.get(r.code!)!.add(r.display!);
      }
      for (const c of conditions) {
        if (c.snomed.fromSources) expect([...(displays.get(c.snomed.code) ?? [])], c.key).toContain(c.snomed.display);
        else expect(displays.has(c.snomed.code), `${c.key}: ${c.snomed.code} is in the vsac rows but marked hand-entered`).toBe(false);
        if (c.pairing.rule === 'same value set') {
          const { valueSet, file } = c.pairing;
          const inSet = rows.filter((r) => r.file === file && r.value_set_name === valueSet);
          expect(inSet.some((r) => r.system === 'SNOMEDCT' && r.code === c.snomed.code), c.key).toBe(true);
          for (const i of c.icd10cm) expect(inSet.some((r) => r.system === 'ICD10CM' && r.code === undotted(i.code)), `${c.key} ${i.code}`).toBe(true);
        }
      }
    });

    it('should copy every MS-DRG row of the v43 table: same codes, MDC, type, title, weight and GMLOS', () => {
      const table = csv('ms-drg/ms-drg-v43-fy2026.csv');
      expect(drgs.map((d) => d.code)).toEqual(table.map((r) => r.ms_drg));
      const type: Record<string, string> = { SURG: 'surgical', MED: 'medical', '**': 'ungroupable' };
      table.forEach((r, i) => {
        const d = drgs[i]!;
        expect(d.weight, d.code).toBe(Number(r.weight));
        expect(d.gmlos, d.code).toBe(Number(r.gmlos));
        expect(d.title, d.code).toBe(r.title);
        expect(d.mdc ?? '', d.code).toBe(r.mdc);
        expect(d.type, d.code).toBe(type[r.type!]);
      });
    });

    it('should take labs from the flowsheet file: names, UCUM units and normal and critical ranges', () => {
      const h17 = new Map(csv('loinc/flowsheet-lhc-h17-labs.csv').map((r) => [r.loinc!, r]));
      const num = (s: string | undefined): number | null => (s === '' || s === undefined ? null : Number(s));
      for (const l of labs) {
        const r = h17.get(l.loinc.code);
        expect(r, l.key).toBeDefined();
        expect(l.loinc.display, l.key).toBe(r!.long_common_name);
        expect(l.unit, l.key).toBe(r!.ucum_units);
        expect(l.normal, l.key).toEqual({ low: num(r!.normal_low), high: num(r!.normal_high) });
        if (l.critical) expect(l.critical, l.key).toEqual({ low: num(r!.critical_low), high: num(r!.critical_high) });
        else expect(r!.critical_low === '' && r!.critical_high === '', l.key).toBe(true);
      }
    });

    it('should take ICD-10-PCS titles from the CMS files and HCPCS descriptors, indicators and rates from Addendum B', () => {
      const canvas = new Map<string, string>();
      for (const r of csv('icd10pcs/canvas-procedure-icd10pcs-v2026.csv')) if (!canvas.has(r.code!)) canvas.set(r.code!, r.display!);
      const fy2020 = new Set(csv('icd10pcs/icd10pcs-fy2020-codes.csv').map((r) => r.code!));
      for (const p of pcs) {
        expect(canvas.has(p.code) || fy2020.has(p.code), p.key).toBe(true);
        if (p.displayFrom === 'cms-title') expect(p.display, p.key).toBe(canvas.get(p.code));
        expect(p.inFy2020Tables, p.key).toBe(fy2020.has(p.code));
      }
      const opps = new Map(csv('hcpcs/opps-addendum-b-2026-04-hcpcs2.csv').map((r) => [r.code!, r]));
      for (const h of hcpcs) {
        const r = opps.get(h.code);
        expect(r, h.code).toBeDefined();
        expect(h.shortDescriptor, h.code).toBe(r!.short_description);
        expect(h.statusIndicator, h.code).toBe(r!.status_indicator);
        expect(h.paymentRate, h.code).toBe(r!.payment_rate === '' ? null : Number(r!.payment_rate));
      }
    });

    it('should take CVX rows from the CDC/VistA files (hand-added codes from neither) with NDCs the CDC list maps to the code', () => {
      const norm = (c: string): string => String(Number(c));
      const cdc = new Map(csv('cvx/cdc-cvx.csv').map((r) => [norm(r.cvx!), r.short_description!]));
      const cdcWritten = new Map(csv('cvx/cdc-cvx.csv').map((r) => [norm(r.cvx!), r.cvx!]));
      const vista = new Map(csv('cvx/vista-immunization-cvx.csv').filter((r) => r.cvx).map((r) => [norm(r.cvx!), r]));
      const ndcs = new Map<string, Set<string>>();
      for (const r of csv('cvx/cdc-vaccine-ndc.csv')) {
        if (!ndcs.has(norm(r.cvx!))) ndcs.set(norm(r.cvx!), new Set());
        ndcs.get(norm(r.cvx!))!.add(r.ndc11!);
      }
      for (const row of cvx) {
        const v = { ...row, code: norm(row.code) };
        if (v.addedByHand) {
          expect(cdc.has(v.code) || vista.has(v.code), `${v.code} is in the sources; take it from there`).toBe(false);
          expect(v.source, v.code).toMatch(/CDC/);
          continue;
        }
        expect(vista.get(v.code)?.status, v.code).toBe('active');
        if (cdc.has(v.code)) {
          expect(v.display, v.code).toBe(cdc.get(v.code));
          expect(row.code, 'CVX written as the CDC list writes it').toBe(cdcWritten.get(v.code));
        }
        for (const n of v.ndc) expect(ndcs.get(v.code)?.has(n.code), `${v.code} NDC ${n.code}`).toBe(true);
      }
    });

    it('should be what scripts/catalog/build-codes.mjs builds from the committed inputs', () => {
      expect(() => execFileSync(process.execPath, ['scripts/catalog/build-codes.mjs', '--check', '--sources', SOURCES], { stdio: 'pipe' })).not.toThrow();
    });

    it('should have the build refuse a header ICD-10-CM code and a SNOMED concept the vsac rows lack, one line each', () => {
      const inputs = mkdtempSync(join(tmpdir(), 'catalog-inputs-'));
      try {
        cpSync('scripts/catalog/input', inputs, { recursive: true });
        const file = join(inputs, 'conditions.yaml');
        const text = readFileSync(file, 'utf8');
        const broken = text.replace('{k: diabetes-type-2, d: Type 2 diabetes mellitus, c: cardiometabolic, ch: true, s: 44054006, i: [E119,', '{k: diabetes-type-2, d: Type 2 diabetes mellitus, c: cardiometabolic, ch: true, s: 44054009, i: [E11,');
        expect(broken).not.toBe(text);
        writeFileSync(file, broken);
        let status = 0;
        let stderr = '';
        try {
          execFileSync(process.execPath, ['scripts/catalog/build-codes.mjs', '--check', '--sources', SOURCES, '--inputs', inputs], { stdio: 'pipe' });
        } catch (e) {
          status = (e as { status: number }).status;
          stderr = String((e as { stderr: Buffer }).stderr);
        }
        expect(status).toBe(1);
        expect(stderr).toContain('conditions: diabetes-type-2: ICD-10-CM E11 is not billable (a header code)');
        expect(stderr).toContain('conditions: diabetes-type-2: SNOMED 44054009 is in no vsac-conditions row');
        expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      } finally {
        rmSync(inputs, { recursive: true, force: true });
      }
    });
  });
});
