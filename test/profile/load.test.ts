import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { loadProfile, parseProfile } from '../../src/profile/load.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { ProfileError } from '../../src/util/errors.js';
import { profileErrorOf } from '../helpers/profile-errors.js';

const options = profileLoadOptions(loadCodeMaps());
const SHIPPED = ['default', 'commercial', 'medicare-advantage', 'medicaid', 'dental'];
const defaultText = readFileSync(join('profiles', 'default.yaml'), 'utf8');

const errorOf = (text: string): ProfileError => profileErrorOf(text, options);

/** Line (1-based) of the first line of text that contains `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('loadProfile', () => {
  it.each(SHIPPED)('should load the shipped profile %s', (name) => {
    const profile = loadProfile(join('profiles', `${name}.yaml`), options);
    expect(profile.name).toBe(name);
    expect(profile.members).toBeGreaterThan(0);
    expect(profile.claims.denialRate).toBeGreaterThanOrEqual(0);
    expect(profile.coveragePlan).toBe(true);
  });

  it('should name file, line, column and field of an unknown key', () => {
    const text = defaultText.replace('  memberIdPrefix: FSD', '  memberIdPrefix: FSD\n  colour: blue');
    const e = errorOf(text);
    expect(e.message).toBe(`bad.yaml:${lineOf(text, 'colour')}:3: payer.colour: unknown field 'colour' (allowed: name, memberIdPrefix, state, identifiers)`);
  });

  it('should take the US Core version from the profile, 6.1.0 unless it says 3.1.1, and reject others', () => {
    expect(parseProfile(defaultText, 'ok.yaml', options).usCore).toBe('6.1.0');
    expect(parseProfile(`${defaultText}\nusCore: '3.1.1'\n`, 'ok.yaml', options).usCore).toBe('3.1.1');
    const e = errorOf(`${defaultText}\nusCore: '7.0.0'\n`);
    expect(e.message).toMatch(/^bad\.yaml:\d+:\d+: usCore: /);
    expect(e.message).toContain('6.1.0');
  });

  it('should report a wrong type at the value', () => {
    const text = defaultText.replace('members: 25', 'members: many');
    const e = errorOf(text);
    expect(e.message).toBe(`bad.yaml:${lineOf(text, 'members: many')}:10: members: expected a whole number ≥ 1`);
  });

  // Worded as the CLI's `--members abc` and the library's options.profile.members (V-report 11).
  it.each([
    ['members: 0', 'members: 25', 'members', 'expected a whole number ≥ 1'],
    ['members: 1.5', 'members: 25', 'members', 'expected a whole number ≥ 1'],
    ['seed: soon', 'seed: 20260101', 'seed', 'expected a whole number'],
    ['seed: 1.5', 'seed: 20260101', 'seed', 'expected a whole number'],
  ])('should word a count that is no whole number as the CLI does (%s)', (edited, original, field, words) => {
    const text = defaultText.replace(original, edited);
    expect(errorOf(text).message).toBe(`bad.yaml:${lineOf(text, edited)}:${edited.indexOf(':') + 3}: ${field}: ${words}`);
  });

  // A sum is located at the group's first share and lists every share: the edited one may be any of them (the
  // new-user trial edited the first plan and was pointed at the last one's line).
  it.each([
    ['the first', '    share: 0.4\n', '    share: 0.5\n', '(ppo-gold 0.5, hmo-silver 0.25, ma-advantage 0.2, medicaid 0.15)'],
    ['the second', '    share: 0.25\n', '    share: 0.35\n', '(ppo-gold 0.4, hmo-silver 0.35, ma-advantage 0.2, medicaid 0.15)'],
  ])("should report plan shares that do not sum to 1 at the first plan's share, listing them (%s plan edited)", (_which, from, to, listed) => {
    const text = defaultText.replace(from, to);
    const e = errorOf(text);
    expect(e.message).toBe(`bad.yaml:${lineOf(text, '    share: 0.')}:12: plans[0].share: medical plan shares sum to 1.1, not 1 ${listed}`);
  });

  it("should report a dental-only payer's shares at its first plan", () => {
    const text = readFileSync(join('profiles', 'dental.yaml'), 'utf8').replace('    share: 0.2\n', '    share: 0.3\n');
    const e = errorOf(text);
    expect(e.message).toBe(`bad.yaml:${lineOf(text, '    share: 0.8')}:12: plans[0].share: dental plan shares sum to 1.1, not 1 (a dental-only payer) (dppo 0.8, dhmo 0.3)`);
  });

  it('should report demographic shares that do not sum to 1 at the first share, listing them', () => {
    const text = defaultText.replace('{ code: male, share: 0.49 }', '{ code: male, share: 0.59 }');
    const e = errorOf(text);
    const line = lineOf(text, '{ code: female, share: 0.51 }');
    expect(e.message).toBe(`bad.yaml:${line}:${text.split('\n')[line - 1]!.indexOf('0.51') + 1}: demographics.sex[0].share: sex shares sum to 1.1, not 1 (female 0.51, male 0.59)`);
  });

  it('should reject negative counts and rates', () => {
    const text = defaultText.replace('  inpatient: 0.08', '  inpatient: -1');
    const e = errorOf(text);
    expect(e.message).toBe(`bad.yaml:${lineOf(text, 'inpatient: -1')}:14: utilization.inpatient: must be ≥ 0`);
    expect(errorOf(defaultText.replace('  pharmacies: 3', '  pharmacies: -2')).field).toBe('providers.pharmacies');
  });

  it('should reject a period that ends before it starts', () => {
    const text = defaultText.replace('end: "2025-12-31"', 'end: "2024-12-31"');
    const e = errorOf(text);
    expect(e.message).toBe(`bad.yaml:${lineOf(text, 'end: "2024-12-31"')}:8: period.end: period end 2024-12-31 must be after start 2025-01-01`);
  });

  it('should reject an unknown code-map key and say where the known ones are', () => {
    const text = defaultText.replace('- key: gerd', '- key: scurvy');
    const e = errorOf(text);
    expect(e.line).toBe(lineOf(text, 'key: scurvy'));
    expect(e.field).toBe(`conditions[${(parse(defaultText) as { conditions: { key: string }[] }).conditions.findIndex((c) => c.key === 'gerd')}].key`);
    expect(e.message).toMatch(/unknown code-map key 'scurvy' \(the \d+ keys are in code-maps\/catalog\/conditions\.json\)$/);
  });

  it('should report YAML syntax errors and missing fields with their place', () => {
    // yaml cannot read name's value (x, then an indented key): the field whose key is on the line, before the error.
    expect(errorOf('name: x\n  bad: [indent').message).toBe('bad.yaml:1:7: name: YAML: Nested mappings are not allowed in compact mappings');
    // A YAML error deep in the file names its field (s16 trial P2: a key given twice in a plan said '(root)').
    const twice = defaultText.replace(/(\n  - id: [^\n]+\n)/, '$1    id: again\n');
    const dup = errorOf(twice);
    expect(dup.message).toMatch(/^bad\.yaml:\d+:\d+: plans\[0\]\.id: YAML: Map keys must be unique/);
    expect(dup.line).toBe(lineOf(twice, 'id: again'));
    const e = errorOf(defaultText.replace('seed: 20260101\n', ''));
    expect(e.message).toBe(`bad.yaml:${lineOf(defaultText, 'name: default')}:1: (root): missing required field 'seed'`);
  });

  it('should give a one-line error for every single-field corruption', () => {
    const base = parse(defaultText) as Record<string, unknown>;
    const corruptions: [string, (p: Record<string, any>) => void][] = [
      ['members', (p) => (p.members = -3)],
      ['seed', (p) => (p.seed = 'x')],
      ['plans.share', (p) => (p.plans[0].share = 2)],
      ['plans.type', (p) => (p.plans[1].type = 'gold')],
      ['coinsurance', (p) => (p.plans[0].costSharing.coinsurance = 1.5)],
      ['ageBand', (p) => (p.demographics.ageBands[0].share = 0.9)],
      ['utilization', (p) => (p.utilization.oral = 'often')],
      ['unknown', (p) => (p.extra = 1)],
      ['condition', (p) => (p.conditions[0].key = 'no-such-condition')],
      ['period', (p) => (p.period.start = '2025-02-30')],
    ];
    // Each of the ten, once: they are fixed, so drawing 100 of them (a property over constantFrom) parsed each ~10
    // times over (~12 s on CI) and could miss one.
    for (const [name, corrupt] of corruptions) {
      const copy = structuredClone(base);
      corrupt(copy);
      const e = errorOf(stringify(copy));
      expect(e.message, name).toMatch(/^bad\.yaml:\d+:\d+: \S+: .+$/);
      expect(e.message, name).not.toContain('\n');
    }
  });

  it('should load random valid variations and keep their values', () => {
    // The default profile's text with the three values put in place (each written as the yaml library writes it):
    // a text substitution instead of a clone and a stringify of the whole document per run.
    const fields = [/^seed: .*$/m, /^members: .*$/m, /^claims:\n {2}denialRate: .*\n {2}outOfNetworkRate: .*$/m];
    for (const field of fields) expect(defaultText.match(new RegExp(field.source, 'gm')), String(field)).toHaveLength(1);
    const scalar = (value: number) => stringify(value).trim();
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 100000 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, members, rate) => {
        const text = defaultText
          .replace(fields[0]!, `seed: ${scalar(seed)}`)
          .replace(fields[1]!, `members: ${scalar(members)}`)
          .replace(fields[2]!, `claims:\n  denialRate: ${scalar(rate)}\n  outOfNetworkRate: ${scalar(rate)}`);
        const p = parseProfile(text, 'ok.yaml', options);
        expect([p.seed, p.members, p.claims.denialRate, p.claims.outOfNetworkRate]).toEqual([seed, members, rate, rate]);
      }),
    );
  });
});
