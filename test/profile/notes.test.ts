// Notes on a profile that loads but asks for what it does not get (new-user trial of session 14, items 17, 18, 19):
// provider counts raised to the directory's fewest, a prevalence that byAgeBand leaves unused, a gap between age
// bands, an out-of-pocket maximum above the federal limit. Each is one line at file:line:column; the run goes on.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { parseProfile } from '../../src/profile/load.js';
import { FEWEST_PRACTITIONERS, fewestOrganizations } from '../../src/profile/providers.js';
import { buildDirectory } from '../../src/story/directory.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { placeIn, replaced } from '../helpers/profile-text.js';

const codeMaps = loadCodeMaps();
const options = profileLoadOptions(codeMaps);
const commercial = readFileSync(join('profiles', 'commercial.yaml'), 'utf8');
const defaultText = readFileSync(join('profiles', 'default.yaml'), 'utf8');

function notesOf(text: string): string[] {
  const notes: string[] = [];
  parseProfile(text, 'mine.yaml', options, (n) => notes.push(n));
  return notes;
}

const at = (text: string, needle: string, column = needle): string => placeIn('mine.yaml', text, needle, column);

describe('profile notes', () => {
  it('should give no note for any shipped profile', () => {
    for (const file of readdirSync('profiles').filter((f) => f.endsWith('.yaml'))) {
      expect(notesOf(readFileSync(join('profiles', file), 'utf8')), file).toEqual([]);
    }
  });

  it('should note practitioners and organizations raised to the fewest the directory has, at each value', () => {
    const text = replaced(commercial, /providers:\n {2}organizations: \d+\n {2}practitioners: \d+/, 'providers:\n  organizations: 1\n  practitioners: 2');
    expect(notesOf(text)).toEqual([
      `${at(text, 'organizations: 1', '1')}: providers.organizations: 1 is raised to 4, the fewest the provider directory is built with (a hospital, a clinic, an ambulance service and a dental practice; pharmacies are counted apart)`,
      `${at(text, 'practitioners: 2', '2')}: providers.practitioners: 2 is raised to 4, the fewest the provider directory is built with (primary care, a specialist, a pharmacist and a dentist)`,
    ]);
  });

  it('should count the fewest providers as the directory builds them, with and without a dental plan', () => {
    const base = parseProfile(commercial, 'c.yaml', options);
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), (organizations, practitioners, dental) => {
      const plans = base.plans.filter((p) => dental || p.type !== 'dental');
      const directory = buildDirectory({ ...base, plans, providers: { ...base.providers, organizations, practitioners } }, codeMaps);
      const built = directory.organizations.filter((o) => o.kind !== 'pharmacy').length;
      expect(built).toBe(Math.max(organizations, fewestOrganizations(dental)));
      expect(directory.practitioners.length).toBe(Math.max(practitioners, FEWEST_PRACTITIONERS));
    }), { numRuns: 40 });
  });

  it('should note a prevalence that byAgeBand overrides at every age, naming the field, and not the shipped value', () => {
    const row = '- key: hypertension\n    prevalence: 0.12';
    expect(commercial).toContain(row);
    const text = replaced(commercial, row, '- key: hypertension\n    prevalence: 0.5');
    const notes = notesOf(text);
    expect(notes).toEqual([
      `${at(text, 'prevalence: 0.5', '0.5')}: conditions[0].prevalence: 0.5 is not used: byAgeBand gives hypertension a rate for every age members have (0-65) and there is no bySex to scale; change the bands' rates`,
    ]);
  });

  it('should count further unused prevalences in the one note', () => {
    const text = replaced(replaced(commercial, '- key: hypertension\n    prevalence: 0.12', '- key: hypertension\n    prevalence: 0.5'), /(- key: diabetes-type-2\n {4}prevalence: )[\d.]+/, '$10.3');
    const notes = notesOf(text);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('(nor is that of 1 more row set so: diabetes-type-2)');
  });

  it('should leave a prevalence alone when a band leaves some ages to it, or bySex scales by it', () => {
    const uncovered = replaced(commercial, '- key: hypertension\n    prevalence: 0.12\n    byAgeBand:\n      - { min: 0, max: 17, prevalence: 0.02 }\n', '- key: hypertension\n    prevalence: 0.5\n    byAgeBand:\n');
    expect(notesOf(uncovered)).toEqual([]);
    const bySex = replaced(commercial, '- key: hypertension\n    prevalence: 0.12\n', '- key: hypertension\n    prevalence: 0.5\n    bySex: { female: 0.5, male: 0.5 }\n');
    expect(notesOf(bySex)).toEqual([]);
  });

  it('should note ages that fall between two age bands, at the later band', () => {
    const band = '{ min: 18, max: 44, share: 0.45 }';
    expect(defaultText).toContain(band);
    const text = replaced(defaultText, band, '{ min: 20, max: 44, share: 0.45 }');
    expect(notesOf(text)).toEqual([
      `${at(text, 'min: 20, max: 44', '20, max')}: plans[0].ageBands[1].min: ages 18-19 are in no band (between 0-17 and 20-44): no member has them at the period start`,
    ]);
    const one = replaced(defaultText, band, '{ min: 19, max: 44, share: 0.45 }');
    expect(notesOf(one)[0]).toMatch(/: plans\[0\]\.ageBands\[1\]\.min: age 18 is in no band \(between 0-17 and 19-44\): no member has it at the period start$/);
  });

  it.each([
    ['a commercial plan', 'outOfPocketMax: 6000', 'outOfPocketMax: 1000000000', 'plans[0]', '1000000000 is above $9,200, the ACA\'s 2025 out-of-pocket limit for a self-only plan (HHS)'],
    ['a commercial plan just above', 'outOfPocketMax: 6000', 'outOfPocketMax: 9201', 'plans[0]', '9201 is above $9,200'],
    ['a Medicare Advantage plan', 'outOfPocketMax: 5500', 'outOfPocketMax: 9351', 'plans[2]', "9351 is above $9,350, CMS's 2025 in-network maximum out-of-pocket (MOOP) limit for Medicare Advantage"],
  ])('should note an out-of-pocket maximum above the federal limit of %s, keeping it', (_, from, to, plan, words) => {
    const text = replaced(defaultText, from, to);
    const notes = notesOf(text);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.startsWith(`${at(text, to, to.split(' ')[1])}: ${plan}.costSharing.outOfPocketMax: ${words}`)).toBe(true);
    expect(parseProfile(text, 'mine.yaml', options).plans[Number(plan.slice(6, 7))]!.costSharing.outOfPocketMax).toBe(Number(to.split(' ')[1]));
  });

  it('should take the limits themselves without a note', () => {
    expect(notesOf(replaced(replaced(defaultText, 'outOfPocketMax: 6000', 'outOfPocketMax: 9200'), 'outOfPocketMax: 5500', 'outOfPocketMax: 9350'))).toEqual([]);
  });
});
