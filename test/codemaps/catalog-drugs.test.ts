import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** code-maps/catalog/drugs.json: curated rows, not yet read by the generator (issue 10). */
interface CatalogDrug {
  key: string;
  rxnorm: { code: string; display: string; tty: 'SCD' | 'SBD' };
  ndc: { code: string; display: string };
  ingredient: string;
  therapeuticClass: string;
  uspCategory: string;
  classSystem: string;
  chronic: boolean;
  daysSupply: number;
  quantity: number;
  quantityUnit: 'EA' | 'ML' | 'GM';
  refills: number;
  brand: boolean;
  conditions: string[];
  source: { ndc: string; rxnorm: string };
}

const rows: CatalogDrug[] = JSON.parse(readFileSync('code-maps/catalog/drugs.json', 'utf8')).rows;
const RXNORM_DIR = join(process.cwd(), '..', 'shared', 'code-sources', 'rxnorm');
const RXNORM_FILES = ['rxnorm-value-sets-v2026.csv', 'rxnorm-value-sets-v2022.csv'];
/** Rows the catalog holds today (never fewer); the issue 10 target is TARGET_ROWS (see code-maps/catalog/README.md). */
const MIN_ROWS = 301;
const TARGET_ROWS = 300;
/** Rows whose RXCUI was read from an openFDA NDC record (drug absent from the shared RxNorm value-set files). */
const fromOpenFda = (r: CatalogDrug): boolean => r.source.rxnorm.startsWith('openFDA NDC record');
/** One `<ingredient> <n> MG[/unit]` component of an RxNorm normalized name, lower-case ingredient words. */
const COMPONENT = String.raw`[a-z][a-z0-9 ,()-]*? \d+(?:\.\d+)? MG(?:/(?:ML|ACTUAT|HR))?`;
const DOSE_FORMS = [
  'Oral Tablet', 'Oral Capsule', 'Delayed Release Oral Tablet', 'Delayed Release Oral Capsule',
  'Extended Release Oral Tablet', 'Extended Release Oral Capsule', 'Disintegrating Oral Tablet', 'Chewable Tablet',
  'Metered Dose Inhaler', 'Dry Powder Inhaler', 'Nasal Spray', 'Metered Dose Nasal Spray', 'Oral Suspension',
  'Oral Solution', 'Pen Injector', 'Auto-Injector', 'Prefilled Syringe', 'Injectable Solution',
];
/** RxNorm SCD name shape (optionally an SBD `[Brand]`): components joined by ` / `, then a dose form; MG only (RxNorm never writes MCG). */
const RXNORM_NAME = new RegExp(
  String.raw`^(?:\d+ HR |\d+(?:\.\d+)? (?:ML|ACTUAT) )?${COMPONENT}(?: / ${COMPONENT})* (?:${DOSE_FORMS.join('|')})(?: \[[A-Z][A-Za-z0-9 -]*\])?$`,
);

/** 4-4-2, 5-3-2 and 5-4-1 labeler-product-package codes padded to 5-4-2, dashes dropped. */
function ndc11(printed: string): string {
  const [labeler = '', product = '', pack = ''] = printed.split('-');
  return labeler.padStart(5, '0') + product.padStart(4, '0') + pack.padStart(2, '0');
}

/** rxcui → RxNorm names listed for it in the shared eCQM value-set CSVs. */
function rxnormNames(): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const file of RXNORM_FILES) {
    for (const line of readFileSync(join(RXNORM_DIR, file), 'utf8').split('\n').slice(1)) {
      const m = /^(?:"[^"]*"|[^,]*),[^,]*,(\d+),(.*),[^,]*$/.exec(line);
      const [, rxcui, quoted] = m ?? [];
      if (!rxcui || !quoted) continue;
      const display = quoted.replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
      if (!names.has(rxcui)) names.set(rxcui, new Set());
      names.get(rxcui)!.add(display);
    }
  }
  return names;
}

describe('drug catalog (code-maps/catalog/drugs.json)', () => {
  it('should give every row its fields, with typical fills that fit chronic or acute use', () => {
    for (const r of rows) {
      const where = r.key;
      expect(r.key, where).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
      expect(r.rxnorm.code, where).toMatch(/^\d+$/);
      expect(r.rxnorm.display, where).not.toBe('');
      expect(['SCD', 'SBD'], where).toContain(r.rxnorm.tty);
      expect(r.rxnorm.tty === 'SBD', where).toBe(r.rxnorm.display.endsWith(']'));
      for (const field of [r.ingredient, r.therapeuticClass, r.uspCategory, r.classSystem, r.source.ndc, r.source.rxnorm]) {
        expect(typeof field === 'string' && field.length > 0, where).toBe(true);
      }
      expect(r.conditions.length, where).toBeGreaterThan(0);
      for (const c of r.conditions) expect(c, where).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(typeof r.chronic, where).toBe('boolean');
      expect(typeof r.brand, where).toBe('boolean');
      expect(['EA', 'ML', 'GM'], where).toContain(r.quantityUnit);
      expect(r.quantity, where).toBeGreaterThan(0);
      expect(Number.isInteger(r.refills) && r.refills >= 0, where).toBe(true);
      if (r.chronic) expect(r.daysSupply, where).toBeGreaterThanOrEqual(28);
      else expect(r.daysSupply, where).toBeLessThanOrEqual(14);
    }
  });

  it('should hold an 11-digit NDC that is the 5-4-2 form of the package code printed in its display', () => {
    for (const r of rows) {
      expect(r.ndc.code, r.key).toMatch(/^\d{11}$/);
      const printed = /NDC (\d{4,5}-\d{3,4}-\d{1,2})\)$/.exec(r.ndc.display)?.[1];
      expect(printed, r.key).toBeDefined();
      expect(printed!.replace(/-/g, '').length, r.key).toBe(10);
      expect(ndc11(printed!), r.key).toBe(r.ndc.code);
      expect(r.source.ndc, r.key).toContain(printed!);
    }
  });

  it('should not repeat a key or an NDC', () => {
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    expect(new Set(rows.map((r) => r.ndc.code)).size).toBe(rows.length);
  });

  it(`should keep at least ${MIN_ROWS} rows`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(MIN_ROWS);
  });

  it(`should reach the issue 10 target of ${TARGET_ROWS} rows`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(TARGET_ROWS);
  });

  it('should give rows whose RXCUI comes from an openFDA record an RxNorm-shaped name and a record that lists that RXCUI', () => {
    const openFda = rows.filter(fromOpenFda);
    expect(openFda.length).toBeGreaterThan(0);
    const nameOf = new Map<string, string>();
    for (const r of openFda) {
      expect(r.rxnorm.display, r.key).toMatch(RXNORM_NAME);
      expect(r.rxnorm.tty === 'SBD', r.key).toBe(r.rxnorm.display.endsWith(']'));
      const listed = /^openFDA NDC record \((https:\/\/api\.fda\.gov\/drug\/ndc\.json\?search=[^)]+)\) lists openfda\.rxcui (\[[^\]]*\])/.exec(r.source.rxnorm);
      expect(listed, r.key).not.toBeNull();
      expect(JSON.parse(listed![2]!), r.key).toContain(r.rxnorm.code);
      expect(r.source.rxnorm, r.key).toContain(`rxcui=${r.rxnorm.code}`);
      expect(r.source.rxnorm, r.key).toContain(`"${r.rxnorm.display}"`);
      expect(nameOf.get(r.rxnorm.code) ?? r.rxnorm.display, `${r.key}: one name per RXCUI`).toBe(r.rxnorm.display);
      nameOf.set(r.rxnorm.code, r.rxnorm.display);
    }
  });

  const haveRxnorm = RXNORM_FILES.every((f) => existsSync(join(RXNORM_DIR, f)));
  it.skipIf(!haveRxnorm)(`should name each drug exactly as a row of ${RXNORM_DIR} (skipped when ../shared/code-sources is absent)`, () => {
    const names = rxnormNames();
    for (const r of rows.filter((row) => !fromOpenFda(row))) {
      expect(names.get(r.rxnorm.code), `${r.key}: RXCUI ${r.rxnorm.code} not in the RxNorm value-set files`).toBeDefined();
      expect([...names.get(r.rxnorm.code)!], r.key).toContain(r.rxnorm.display);
      expect(r.source.rxnorm, r.key).toContain(`rxcui=${r.rxnorm.code}`);
    }
    // a drug the files do hold must be named from them, not from an openFDA record
    const displays = new Set([...names.values()].flatMap((set) => [...set]));
    for (const r of rows.filter(fromOpenFda)) {
      expect(names.has(r.rxnorm.code), `${r.key}: RXCUI ${r.rxnorm.code} is in the RxNorm files`).toBe(false);
      expect(displays.has(r.rxnorm.display), `${r.key}: "${r.rxnorm.display}" is in the RxNorm files`).toBe(false);
    }
  });
});
