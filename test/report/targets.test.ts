import { describe, expect, it } from 'vitest';
import { TARGET_STATISTIC_IDS } from '../../src/profile/targets.js';
import { STATISTIC_IDS, STATISTICS } from '../../src/report/statistics.js';
import { bounds, judge, loadTargets, parseTargets, type TargetRow } from '../../src/report/targets.js';

const row = (fields: string) => `targets:\n  - { id: "a", statistic: admissions-per-1000, target: 50, tolerance: { relative: 0.3 }, source: s }\n  - ${fields}\n`;
const problem = (text: string) => {
  try {
    parseTargets(text, 't.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('targets files', () => {
  it('should load the built-in targets: every row with a known statistic and a source', () => {
    const rows = loadTargets();
    expect(rows.length).toBeGreaterThanOrEqual(23);
    for (const r of rows) {
      expect(STATISTIC_IDS.has(r.statistic)).toBe(true);
      expect(r.source.length).toBeGreaterThan(10);
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('should know, in the profile layer, exactly the statistics the report measures', () => {
    expect(TARGET_STATISTIC_IDS).toEqual(STATISTICS.map((s) => s.id));
  });

  it('should read JSON as well as YAML, with book all by default', () => {
    const rows = parseTargets(JSON.stringify({ targets: [{ id: 'x', statistic: 'member-share', target: 0.128, tolerance: { min: 0.1, max: 0.17 }, source: 'HCCI' }] }), 't.json');
    expect(rows).toEqual([{ id: 'x', statistic: 'member-share', book: 'all', target: 0.128, tolerance: { min: 0.1, max: 0.17 }, source: 'HCCI' }]);
  });

  it('should locate a bad row by file:line:column and field', () => {
    expect(problem(row('{ id: "b", statistic: nope, target: 1, tolerance: { absolute: 1 }, source: s }'))).toMatch(/^t\.yaml:3:27: targets\[1\]\.statistic: unknown statistic 'nope'/);
    expect(problem(row('{ id: "a", statistic: deaths-per-1000, target: 1, tolerance: { absolute: 1 }, source: s }'))).toBe("t.yaml:3:11: targets[1].id: duplicate id 'a'");
    expect(problem(row('{ id: "b", statistic: deaths-per-1000, target: 1, tolerance: { absolute: 1, relative: 0.1 }, source: s }'))).toMatch(/targets\[1\]\.tolerance: give exactly one of/);
    expect(problem(row('{ id: "b", statistic: deaths-per-1000, target: 1, tolerance: { absolute: 1 } }'))).toMatch(/^t\.yaml:3:5: targets\[1\]: missing required field 'source'/);
    expect(problem(row('{ id: "b", statistic: deaths-per-1000, target: 1, tolerance: { absolute: 1 }, source: s, colour: red }'))).toMatch(/targets\[1\]\.colour: unknown key 'colour'/);
    expect(problem(row('{ id: "b", statistic: deaths-per-1000, book: tricare, target: 1, tolerance: { absolute: 1 }, source: s }'))).toMatch(/targets\[1\]\.book: /);
  });

  it('should pass a value inside the tolerance, bounds included, and fail one outside', () => {
    const r = (tolerance: TargetRow['tolerance'], target = 50): TargetRow => ({ id: 'x', statistic: 'admissions-per-1000', book: 'all', target, tolerance, source: 's' });
    expect(bounds(r({ relative: 0.3 }))).toEqual({ low: 35, high: 65 });
    expect(judge(r({ relative: 0.3 }), 65)).toBe('pass');
    expect(judge(r({ relative: 0.3 }), 65.01)).toBe('fail');
    expect(judge(r({ absolute: 0.05 }, 0.275), 0.225)).toBe('pass'); // 0.275 − 0.05 is 0.22500000000000003 in doubles
    expect(judge(r({ absolute: 0.05 }, 0.275), 0.2249)).toBe('fail');
    expect(judge(r({ min: 0.55, max: 0.67 }, 0.59), 0.54)).toBe('fail');
    expect(judge(r({ relative: 0.3 }), undefined)).toBe('n.a.');
  });
});

describe('condition groups', () => {
  it('should group ICD-10-CM codes by prefix, and SNOMED CT concepts through the code maps', async () => {
    const { CONDITION_GROUPS, icd10cmGroups, snomedGroups } = await import('../../src/report/conditions.js');
    const bit = (key: string) => 1 << CONDITION_GROUPS.findIndex((g) => g.key === key);
    expect(icd10cmGroups('E11.65')).toBe(bit('diabetes'));
    expect(icd10cmGroups('I13.0')).toBe(bit('hypertension'));
    expect(icd10cmGroups('I26.99')).toBe(0);
    const snomed = snomedGroups();
    expect(snomed.get('44054006')).toBe(bit('diabetes'));
    expect(snomed.get('59621000')).toBe(bit('hypertension')); // from the catalog only
  });
});
