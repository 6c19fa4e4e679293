// generate's options as the new-user trial of session 14 found them (items 5, 18, 20): a seed beyond 2^53 − 1 names
// the range rather than deny a whole number, --ig takes the FHIR package notation name#version and hints at a
// name in other capitals, and a profile's notes reach stderr once, the run going on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wholeNumberOption } from '../../src/cli/numbers.js';
import { parseIgOption } from '../../src/profile/igs.js';
import { tempDir } from '../helpers/output.js';
import { runCliCaptured } from '../helpers/run-cli-captured.js';

const temp = tempDir('fhirseed-trial-options-');
afterAll(() => temp.cleanup());

const run = runCliCaptured;

describe('whole-number options beyond 2^53 − 1', () => {
  it.each([
    ['--seed', '99999999999999999999', {}, 'expected a whole number from -9007199254740991 to 9007199254740991 (2^53 − 1, the largest fhirseed holds exactly)'],
    ['--seed', '9007199254740993', {}, 'expected a whole number from -9007199254740991 to 9007199254740991 (2^53 − 1, the largest fhirseed holds exactly)'],
    ['--seed', '-9007199254740992', {}, 'expected a whole number from -9007199254740991 to 9007199254740991 (2^53 − 1, the largest fhirseed holds exactly)'],
    ['--members', '1e20', { min: 1 }, 'expected a whole number from 1 to 9007199254740991 (2^53 − 1, the largest fhirseed holds exactly)'],
    ['--port', '99999999999999999999', { min: 0, max: 65535 }, 'expected a whole number 0–65535'],
    ['--seed', '4503599627370496.5', {}, 'expected a whole number'],
  ])('should refuse %s %s naming the range', (option, text, range, expected) => {
    expect(() => wholeNumberOption(option, text, range)).toThrow(`${option} ${text}: ${expected}`);
  });

  it.each([['9007199254740991', 9007199254740991], ['-9007199254740991', -9007199254740991], ['1e6', 1e6], ['2.0', 2]])('should take --seed %s', (text, n) => {
    expect(wholeNumberOption('--seed', text)).toBe(n);
  });

  it('should refuse generate --seed 99999999999999999999 in one line, exit 2', async () => {
    const out = join(temp.dir, 'huge-seed');
    const r = await run(['generate', '--seed', '99999999999999999999', '--out', out]);
    expect([r.code, r.stderr]).toEqual([2, 'fhirseed: --seed 99999999999999999999: expected a whole number from -9007199254740991 to 9007199254740991 (2^53 − 1, the largest fhirseed holds exactly)\n']);
    expect(existsSync(out)).toBe(false);
  });
});

describe('--ig in the FHIR package notation', () => {
  it('should take name#version as name@version', () => {
    expect(parseIgOption(['us-core#6.1.0'])).toEqual(parseIgOption(['us-core@6.1.0']));
    expect(parseIgOption(['us-core#3.1.1,carin-bb#2.0.0'])).toEqual({ igs: ['carin-bb', 'us-core'], usCore: '3.1.1' });
    expect(() => parseIgOption(['us-core#7.0.0'])).toThrow('--ig us-core#7.0.0: fhirseed builds US Core 6.1.0 or 3.1.1');
  });

  it('should hint at the name meant in other capitals', () => {
    expect(() => parseIgOption(['US-Core'])).toThrow('--ig US-Core: unknown IG (did you mean us-core? known: carin-bb, us-core, plan-net, formulary, pdex)');
  });
});

describe("a profile's notes on generate", () => {
  it('should print the provider-count note once on stderr, at the field, and generate', async () => {
    const text = readFileSync(join('profiles', 'default.yaml'), 'utf8');
    const before = text.indexOf('\nproviders:\n  organizations: 10\n  practitioners: 24\n');
    expect(before).toBeGreaterThan(0);
    const file = join(temp.dir, 'few.yaml');
    writeFileSync(file, text.replace('  practitioners: 24\n', '  practitioners: 1\n'));
    const line = text.slice(0, before).split('\n').length + 3;
    const out = join(temp.dir, 'few-out');
    const r = await run(['generate', '--profile', file, '--members', '1', '--jobs', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('raised'))).toEqual([
      `fhirseed: ${file}:${line}:18: providers.practitioners: 1 is raised to 4, the fewest the provider directory is built with (primary care, a specialist, a pharmacist and a dentist)`,
    ]);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  });
});
