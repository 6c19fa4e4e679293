import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import type { CodeMaps } from '../../src/codemaps/types.js';
import { parseProfile } from '../../src/profile/load.js';
import { generatorLimits, profileLoadOptions } from '../../src/story/limits.js';
import { ProfileError } from '../../src/util/errors.js';
import { profileErrorOf } from '../helpers/profile-errors.js';

const codeMaps = loadCodeMaps();
const options = profileLoadOptions(codeMaps);
const defaultText = readFileSync(join('profiles', 'default.yaml'), 'utf8');
/** Index of a condition in the default profile's list (the list is long; tests name conditions by key). */
const conditionAt = (key: string): number => (parse(defaultText) as { conditions: { key: string }[] }).conditions.findIndex((c) => c.key === key);

const errorOf = (text: string): ProfileError => profileErrorOf(text, options);

/** Line (1-based) and column (1-based) of the first occurrence of `needle`. */
function placeOf(text: string, needle: string, column = needle): { line: number; col: number } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' not in the text`);
  return { line: i + 1, col: lines[i]!.indexOf(column) + 1 };
}

function replaced(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`'${from}' not in the text`);
  return text.replace(from, to);
}

describe('profile checks: states', () => {
  it('should refuse a member state the generator cannot make addresses for, at the code', () => {
    const text = replaced(defaultText, '{ code: RI, share: 0.2 }', '{ code: ZZ, share: 0.2 }');
    const e = errorOf(text);
    const { line, col } = placeOf(text, 'code: ZZ', 'ZZ');
    expect(e.message).toMatch(new RegExp(`^bad\\.yaml:${line}:${col}: demographics\\.states\\[2\\]\\.code: 'ZZ' is not a state fhirseed can make addresses for \\(USPS codes: AK, AL, .*\\)$`));
  });

  it('should refuse a payer state the generator cannot make addresses for', () => {
    const text = replaced(defaultText, '  state: MA\n', '  state: ZZ\n');
    const e = errorOf(text);
    expect(e.field).toBe('payer.state');
    expect([e.line, e.column]).toEqual(Object.values(placeOf(text, 'state: ZZ', 'ZZ')));
    expect(e.message).toContain("'ZZ' is not a state fhirseed can make addresses for");
  });

  it('should accept DC and PR and every state faker has ZIP codes for, and a state listed twice not', () => {
    const limits = generatorLimits(codeMaps);
    expect(limits.states.size).toBe(52);
    expect(limits.states.has('DC') && limits.states.has('PR')).toBe(true);
    expect(() => parseProfile(replaced(defaultText, '{ code: RI, share: 0.2 }', '{ code: PR, share: 0.2 }'), 'ok.yaml', options)).not.toThrow();
    const e = errorOf(replaced(defaultText, '{ code: RI, share: 0.2 }', '{ code: MA, share: 0.2 }'));
    expect(e.field).toBe('demographics.states[2].code');
    expect(e.message).toContain("'MA' is listed twice");
  });

  it('should refuse race and ethnicity codes that code-maps/tables.json does not have', () => {
    const e = errorOf(replaced(defaultText, '{ code: 2131-1, share: 0.18 }', '{ code: 9999-9, share: 0.18 }'));
    expect(e.field).toBe('demographics.race[5].code');
    expect(e.message).toContain("unknown race code '9999-9' (code-maps/tables.json race: 1002-5, 2028-9");
    expect(errorOf(replaced(defaultText, '{ code: 2135-2, share: 0.19 }', '{ code: H, share: 0.19 }')).field).toBe('demographics.ethnicity[0].code');
  });
});

describe('profile checks: period and ages', () => {
  it('should refuse a period of more than ten years (start 1900, end 2025) at period.end', () => {
    const text = replaced(defaultText, 'start: "2025-01-01"', 'start: "1900-01-01"');
    const e = errorOf(text);
    const { line, col } = placeOf(text, 'end: "2025-12-31"', '"2025');
    expect(e.message).toBe(`bad.yaml:${line}:${col}: period.end: the period 1900-01-01 to 2025-12-31 is longer than 10 years; end it before 1910-01-01`);
  });

  it('should refuse periods before 1900, after 2999 and shorter than 90 days', () => {
    const period = (start: string, end: string) => errorOf(replaced(replaced(defaultText, 'start: "2025-01-01"', `start: "${start}"`), 'end: "2025-12-31"', `end: "${end}"`));
    expect(period('1899-12-31', '1900-06-30').message).toMatch(/period\.start: period start 1899-12-31 is before 1900-01-01, the earliest fhirseed simulates$/);
    expect(period('2999-06-01', '3000-01-31').message).toMatch(/period\.end: period end 3000-01-31 is after 2999-12-31, the latest fhirseed simulates$/);
    expect(period('2025-01-01', '2025-03-30').message).toMatch(/period\.end: the period 2025-01-01 to 2025-03-30 is 89 days; it must be at least 90/);
    expect(() => parseProfile(replaced(defaultText, 'end: "2025-12-31"', 'end: "2025-03-31"'), 'ok.yaml', options)).not.toThrow();
    expect(() => parseProfile(replaced(replaced(defaultText, 'start: "2025-01-01"', 'start: "1900-01-01"'), 'end: "2025-12-31"', 'end: "1900-12-31"'), 'ok.yaml', options)).not.toThrow();
  });

  it('should refuse age bands that would grow past the oldest simulated age over the period, at the band', () => {
    // Code maps whose adult exam reason stops at 99: a member of 95 at the start of 2025 is 100 by the end of 2029.
    const reasons = new Map(codeMaps.visitReasons);
    reasons.set('adult-exam', { ...reasons.get('adult-exam')!, ageMax: 99 });
    const older = profileLoadOptions({ ...codeMaps, visitReasons: reasons } as CodeMaps);
    // The oldest band is the Medicare Advantage plan's own (plans[2].ageBands), the error is located there.
    const banded = replaced(defaultText, '{ min: 85, max: 100, share: 0.1 }', '{ min: 85, max: 95, share: 0.1 }');
    const text = replaced(banded, 'end: "2025-12-31"', 'end: "2029-12-31"');
    let error: unknown;
    try {
      parseProfile(text, 'bad.yaml', older);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileError);
    const e = error as ProfileError;
    expect(e.field).toBe('plans[2].ageBands[3].max');
    expect([e.line, e.column]).toEqual(Object.values(placeOf(text, 'max: 95, share', '95')));
    expect(e.message).toContain('members up to age 95 at period start would be 100 by its end 2029-12-31; fhirseed simulates ages 0-99');
    expect(() => parseProfile(replaced(banded, 'end: "2025-12-31"', 'end: "2028-12-31"'), 'ok.yaml', older)).not.toThrow();
    // With the shipped code maps (ages 0-120), the oldest band (110) fits any period the loader allows.
    const oldest = replaced(defaultText, '{ min: 85, max: 100, share: 0.1 }', '{ min: 85, max: 110, share: 0.1 }');
    expect(() => parseProfile(replaced(oldest, 'start: "2025-01-01"', 'start: "2016-01-02"'), 'ok.yaml', options)).not.toThrow();
  });

  it('should take the oldest simulated age from the code maps (exam reasons and vital-sign bands)', () => {
    expect(generatorLimits(codeMaps).oldestAge).toBe(120);
    const reasons = new Map(codeMaps.visitReasons);
    reasons.set('adult-exam', { ...reasons.get('adult-exam')!, ageMax: 99 });
    expect(generatorLimits({ ...codeMaps, visitReasons: reasons } as CodeMaps).oldestAge).toBe(99);
    const vitals = new Map(codeMaps.clinical.labsVitals.vitals);
    const height = vitals.get('body-height')!;
    vitals.set('body-height', { ...height, ranges: height.ranges!.map((r) => (r.ageMax === 120 ? { ...r, ageMax: 104 } : r)) });
    const clinical = { ...codeMaps.clinical, labsVitals: { ...codeMaps.clinical.labsVitals, vitals } };
    expect(generatorLimits({ ...codeMaps, clinical } as CodeMaps).oldestAge).toBe(104);
  });
});

describe('profile checks: unknown fields', () => {
  it('should name a typo\'d key and the closest known one at the key, before the missing field it hides', () => {
    const text = replaced(defaultText, '  memberIdPrefix: FSD', '  memberIdPrefx: FSD');
    const e = errorOf(text);
    const { line } = placeOf(text, 'memberIdPrefx');
    expect(e.message).toBe(`bad.yaml:${line}:3: payer.memberIdPrefx: unknown field 'memberIdPrefx' (did you mean 'memberIdPrefix'?)`);
  });

  it.each([
    ['top level', 'utilization:\n', 'utilisation:\n', 'utilisation', "unknown field 'utilisation' (did you mean 'utilization'?)"],
    ['a plan', '      deductible: 1400', '      deductable: 1400', 'plans[1].costSharing.deductable', "(did you mean 'deductible'?)"],
    ['a copay', 'copay: { professional: 30,', 'copay: { profesional: 30,', 'plans[0].costSharing.copay.profesional', "(did you mean 'professional'?)"],
    ['an age band', '{ min: 0, max: 17, share: 0.22 }', '{ min: 0, max: 17, shares: 0.22 }', 'demographics.ageBands[0].shares', "(did you mean 'share'?)"],
    ['a condition band', '{ min: 0, max: 17, prevalence: 0.02 }', '{ min: 0, max: 17, prevalance: 0.02 }', 'conditions[0].byAgeBand[0].prevalance', "(did you mean 'prevalence'?)"],
    ['bySex', 'bySex: { female: 0.0369, male: 0.0231 }', 'bySex: { female: 0.0369, mail: 0.0231 }', `conditions[${conditionAt('hypothyroidism')}].bySex.mail`, "(did you mean 'male'?)"],
    ['far from any', '  state: MA\n', '  state: MA\n  colour: blue\n', 'payer.colour', "unknown field 'colour' (allowed: name, memberIdPrefix, state, identifiers)"],
    ['an inherited name', '  state: MA\n', '  state: MA\n  constructor: x\n', 'payer.constructor', "unknown field 'constructor' (allowed: name, memberIdPrefix, state, identifiers)"],
  ])('should name an unknown field in %s', (_where, from, to, field, problem) => {
    const text = replaced(defaultText, from, to);
    const e = errorOf(text);
    const key = field.split('.').pop()!;
    expect(e.field).toBe(field);
    expect(e.message).toContain(problem);
    expect([e.line, e.column]).toEqual(Object.values(placeOf(text, `${key}:`, key)));
  });

  it('should report the first unknown field in the file even when a required field is missing before it', () => {
    const text = replaced(replaced(defaultText, 'seed: 20260101\n', ''), '  oral: 1.6', '  orel: 1.6');
    const e = errorOf(text);
    expect(e.field).toBe('utilization.orel');
    expect(e.message).toContain("(did you mean 'oral'?)");
  });
});

describe('profile checks: prevalence and condition bands', () => {
  it.each([
    ['2', '2 is not a share'],
    ['-0.1', '-0.1 is not a share'],
    ['"200%"', '"200%" is not a share'],
  ])('should refuse prevalence %s with file, line and field', (value, problem) => {
    const text = replaced(defaultText, '- key: asthma\n    prevalence: 0.075', `- key: asthma\n    prevalence: ${value}`);
    const e = errorOf(text);
    const { line, col } = placeOf(text, `prevalence: ${value}`, value);
    expect(e.message).toBe(`bad.yaml:${line}:${col}: conditions[${conditionAt('asthma')}].prevalence: ${problem}: expected a number from 0 to 1 (20% is 0.2)`);
  });

  it('should refuse a byAgeBand band outside the ages members have', () => {
    const text = replaced(defaultText, '- key: asthma\n    prevalence: 0.075\n    byAgeBand:\n', '- key: asthma\n    prevalence: 0.075\n    byAgeBand:\n      - { min: 102, max: 110, prevalence: 0.1 }\n');
    const e = errorOf(text);
    expect(e.field).toBe(`conditions[${conditionAt('asthma')}].byAgeBand[0]`);
    expect(e.line).toBe(placeOf(text, 'min: 102').line);
    // The oldest members are the Medicare Advantage plan's (its own ageBands, up to 100 at the start).
    expect(e.message).toContain('age band 102-110 is outside the ages members have (0-101, from the age bands of demographics and the plans, and the period): it never applies');
  });

  it('should refuse overlapping byAgeBand bands and a condition listed twice', () => {
    const asthma = '- key: asthma\n    prevalence: 0.075\n    byAgeBand:\n      - { min: 0, max: 17, prevalence: 0.07 }\n      - { min: 18,';
    const e = errorOf(replaced(defaultText, asthma, asthma.replace('{ min: 18,', '{ min: 17,')));
    expect(e.field).toBe(`conditions[${conditionAt('asthma')}].byAgeBand[1].min`);
    expect(e.message).toContain('age band 17-44 overlaps 0-17');
    expect(errorOf(replaced(defaultText, '- key: gerd', '- key: asthma')).message).toContain("condition 'asthma' is listed twice");
  });

  it('should refuse bySex that scales an age band above 1', () => {
    const band = '      - { min: 65, max: 110, prevalence: 0.12 }\n    bySex: { female: 0.0369, male: 0.0231 }';
    const text = replaced(defaultText, band, band.replace('prevalence: 0.12', 'prevalence: 0.9'));
    const e = errorOf(text);
    expect(e.field).toBe(`conditions[${conditionAt('hypothyroidism')}].bySex.female`);
    expect(e.message).toContain('age band 65-110 prevalence 0.9 × female 0.0369 / prevalence 0.03 = 1.107: more than 1, which cannot be met');
  });
});

describe('profile checks: plans', () => {
  it('should refuse a copay for a claim type the plan never pays, and a deductible above the out-of-pocket maximum', () => {
    const dental = errorOf(replaced(defaultText, '      deductible: 50\n', '      deductible: 50\n      copay: { professional: 10 }\n'));
    expect(dental.field).toBe('plans[4].costSharing.copay.professional');
    expect(dental.message).toContain('a dental plan pays only oral claims, so it has no professional copay');
    expect(errorOf(replaced(defaultText, 'copay: { professional: 4, pharmacy: 4 }', 'copay: { professional: 4, oral: 4 }')).field).toBe('plans[3].costSharing.copay.oral');
    const e = errorOf(replaced(defaultText, 'outOfPocketMax: 6000', 'outOfPocketMax: 600'));
    expect(e.field).toBe('plans[0].costSharing.deductible');
    expect(e.message).toContain('deductible 1750 is more than outOfPocketMax 600');
  });

  it('should refuse more than 365 claims of a type per member-year and an empty profile', () => {
    expect(errorOf(replaced(defaultText, '  professional: 2.0', '  professional: 1000')).message).toMatch(/utilization\.professional: must be ≤ 365$/);
    expect(errorOf('# nothing\n').message).toBe('bad.yaml:1:1: (root): the profile is empty');
  });
});
