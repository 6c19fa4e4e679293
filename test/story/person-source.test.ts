import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Faker, base, en, en_US } from '@faker-js/faker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADDRESS_STATES, PersonSource } from '../../src/story/person-source.js';
import { Rng } from '../../src/util/rng.js';

/** Every .ts file under dir. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('PersonSource (faker, en_US)', () => {
  it('should not load faker from its package root, which imports every locale (16 MiB of heap per member-building thread)', () => {
    const runtimeRootImports = sources(join(import.meta.dirname, '../../src')).filter((file) =>
      /^import (?!type )[^;]*from '@faker-js\/faker';/m.test(readFileSync(file, 'utf8')),
    );
    expect(runtimeRootImports).toEqual([]);
  });

  it('should draw the same names and addresses as a Faker built from en_US, en and base on the same random stream', () => {
    let active: Rng | undefined;
    const reference = new Faker({ locale: [en_US, en, base], randomizer: { next: () => active!.next(), seed: () => undefined } });
    expect([...ADDRESS_STATES].sort()).toEqual(Object.keys(en_US.location!.postcode_by_state!).sort());
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...ADDRESS_STATES), (seed, state) => {
        const ours = new PersonSource(new Rng(seed));
        const got = [ours.familyName(), ours.address(state), ours.cityName()];
        active = new Rng(seed);
        const want = [
          reference.person.lastName(),
          (() => {
            const line = [reference.location.streetAddress()];
            if (active!.chance(0.15)) line.push(reference.location.secondaryAddress());
            return { line, city: reference.location.city(), state, postalCode: reference.location.zipCode({ state }), country: 'US' };
          })(),
          reference.location.city(),
        ];
        expect(got).toEqual(want);
      }),
    );
  });
});
