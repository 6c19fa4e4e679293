// The new-user trial of session 14 (items 4, 5, 20): a profile's emergency rate within its outpatient one as a
// plan's is, a seed beyond 2^53 − 1 refused as typed (YAML reads it as a rounded float), empty names in words.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { parseProfile } from '../../src/profile/load.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { placeIn, replaced } from '../helpers/profile-text.js';
import { exactWholeNumber } from '../../src/util/whole-number.js';
import { profileErrorOf } from '../helpers/profile-errors.js';

const options = profileLoadOptions(loadCodeMaps());
const commercial = readFileSync(join('profiles', 'commercial.yaml'), 'utf8');
const defaultText = readFileSync(join('profiles', 'default.yaml'), 'utf8');

const at = (text: string, needle: string, column = needle): string => placeIn('bad.yaml', text, needle, column);

describe('profile utilization: emergency within outpatient at the profile level', () => {
  const profileUse = /^utilization:\n(?: {2}.*\n)*/m;
  const block = (commercial.match(profileUse) ?? [''])[0];

  it('should refuse a profile emergency above its outpatient, with the plan-level message, at the emergency value', () => {
    expect(block).toMatch(/ {2}emergency: [\d.]+/);
    const text = commercial.replace(block, block.replace(/ {2}outpatient: [\d.]+/, '  outpatient: 1.6').replace(/ {2}emergency: [\d.]+/, '  emergency: 2'));
    const e = profileErrorOf(text, options);
    const where = text.indexOf('  emergency: 2', text.indexOf('\nutilization:'));
    const line = text.slice(0, where).split('\n').length;
    expect(e.message).toBe(`bad.yaml:${line}:14: utilization.emergency: emergency 2 is more than outpatient 1.6, which includes the emergency visits`);
  });

  it('should take a profile emergency equal to its outpatient', () => {
    const text = commercial.replace(block, block.replace(/ {2}outpatient: [\d.]+/, '  outpatient: 1.6').replace(/ {2}emergency: [\d.]+/, '  emergency: 1.6'));
    expect(parseProfile(text, 'ok.yaml', options).utilization.emergency).toBe(1.6);
  });

  it("should refuse a plan that lowers outpatient below the profile's emergency it inherits, at the plan's outpatient", () => {
    const text = replaced(defaultText, /( {4}utilization: \{ professional: [\d.]+, )outpatient: [\d.]+, emergency: [\d.]+,/, '$1outpatient: 0.1,');
    const e = profileErrorOf(text, options);
    expect(e.message).toMatch(/^bad\.yaml:\d+:\d+: plans\[0\]\.utilization\.outpatient: emergency [\d.]+ is more than outpatient 0\.1, which includes/);
  });
});

describe('profile seed: a whole number JavaScript holds exactly', () => {
  it.each([
    ['99999999999999999999', '99999999999999999999 is outside'],
    ['9007199254740992', '9007199254740992 is outside'],
    ['-9007199254740993', '-9007199254740993 is outside'],
    ['1e20', '1e20 is outside'],
    ['9007199254740990.5', '9007199254740990.5 is not a whole number'],
  ])('should refuse seed: %s at its value, naming the range', (seed, problem) => {
    const text = replaced(commercial, /^seed: .*$/m, `seed: ${seed}`);
    const e = profileErrorOf(text, options);
    expect(e.message.startsWith(`${at(text, `seed: ${seed}`, seed)}: seed: ${problem}`)).toBe(true);
    expect(e.message).toContain('from -9007199254740991 to 9007199254740991');
  });

  it.each(['9007199254740991', '-9007199254740991', '0', '-5', '2.0e3'])('should take seed: %s', (seed) => {
    const text = replaced(commercial, /^seed: .*$/m, `seed: ${seed}`);
    expect(parseProfile(text, 'ok.yaml', options).seed).toBe(Number(seed));
  });
});

describe('exactWholeNumber', () => {
  it('should read any integer written in digits as itself, however large', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (n) => exactWholeNumber(n.toString()) === n));
  });

  it('should read a zero fraction or an exponent as the whole number it is, and a non-zero fraction as none', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 1, max: 6 }), (n, places) => {
      expect(exactWholeNumber(`${n}.${'0'.repeat(places)}`)).toBe(n);
      expect(exactWholeNumber(`${n}e${places}`)).toBe(n * 10n ** BigInt(places));
      expect(exactWholeNumber(`${n}.${'0'.repeat(places - 1)}1`)).toBeUndefined();
    }));
  });

  it.each(['1.5', '1e-3', '0x10', 'abc', '', '1e', '--1'])('should read %j as no whole number', (text) => {
    expect(exactWholeNumber(text)).toBeUndefined();
  });
});

describe('profile names: in words', () => {
  it.each([
    ['payer.name', 'name: Fhirseed Demo Health Plan', 'name: ""'],
    ['plans[0].name', /( {4}name: )[^\n]+/, '$1""'],
  ])('should refuse an empty %s as "must not be empty" at its value', (field, from, to) => {
    const text = replaced(defaultText, from, to);
    expect(profileErrorOf(text, options).message).toMatch(new RegExp(`^bad\\.yaml:\\d+:\\d+: ${field.replace(/[.[\]]/g, '\\$&')}: must not be empty$`));
  });

  it('should refuse a payer name of spaces alone', () => {
    const text = replaced(defaultText, 'name: Fhirseed Demo Health Plan', 'name: "   "');
    expect(profileErrorOf(text, options).message).toMatch(/^bad\.yaml:\d+:\d+: payer\.name: expected some text, not only spaces, got " {3}"$/);
  });
});
