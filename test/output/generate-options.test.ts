import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, generateAsync, type GenerateOptions } from '../../src/output/generate.js';
import { UserError } from '../../src/util/errors.js';
import { codeMaps, shippedProfile, tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-generate-options-');
afterAll(() => temp.cleanup());
const profile = shippedProfile();

/** What a library caller may hand over (F7 of session 17's trial): each refused by one UserError naming the field, nothing written. */
const cases: [string, () => unknown, RegExp][] = [
  ['members not a number', () => ({ profile: { ...profile, members: 'many' }, out: join(temp.dir, 'a'), codeMaps }), /^generate: options\.profile\.members "many": expected a whole number ≥ 1$/],
  ['members 0', () => ({ profile: { ...profile, members: 0 }, out: join(temp.dir, 'b'), codeMaps }), /^generate: options\.profile\.members 0: expected a whole number ≥ 1$/],
  ['members 2.5', () => ({ profile: { ...profile, members: 2.5 }, out: join(temp.dir, 'c'), codeMaps }), /^generate: options\.profile\.members 2\.5: expected a whole number ≥ 1$/],
  ['no profile', () => ({ out: join(temp.dir, 'd'), codeMaps }), /^generate: options\.profile is missing; expected a profile \(loadProfile/],
  ['an empty out', () => ({ profile, out: '', codeMaps }), /^generate: options\.out "": expected the output directory's path$/],
  ['no options', () => undefined, /^generate: expected an options object/],
];

describe('generate checks a library caller\'s options as the CLI checks its own', () => {
  it.each(cases)('should refuse %s with one UserError naming the field, writing nothing', async (_name, options, message) => {
    for (const run of [() => generate(options() as GenerateOptions), () => generateAsync(options() as GenerateOptions)]) {
      let thrown: unknown;
      try {
        await run();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UserError);
      expect((thrown as Error).message).toMatch(message);
    }
    const out = (options() as { out?: string } | undefined)?.out;
    if (out) expect(existsSync(out)).toBe(false);
  });
});
