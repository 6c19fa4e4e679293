import type { Faker, LocaleDefinition } from '@faker-js/faker';
// The en_US entry point, not the package root: the root imports every locale's data, 16 MiB of heap in each
// thread that builds members (generate --jobs N; issue 13). Its faker's definitions are en_US, en and base merged.
import { faker as enUsFaker } from '@faker-js/faker/locale/en_US';
import type { Sex } from '../profile/types.js';
import type { Rng } from '../util/rng.js';
import type { Address, PersonName } from './types.js';

/** USPS codes faker's en_US data has ZIP code ranges for (the 50 states, DC and PR): the states addresses can be made in. */
export const ADDRESS_STATES: ReadonlySet<string> = new Set(Object.keys(enUsFaker.rawDefinitions.location?.postcode_by_state ?? {}));

/** The Rng the shared Faker draws from: set by each PersonSource before every call (all synchronous). */
let active: Rng | undefined;

/** One Faker for the whole process (building one costs more than a member's names): its random source is the active Rng. */
const FakerClass = enUsFaker.constructor as new (options: ConstructorParameters<typeof Faker>[0]) => Faker;
const shared = new FakerClass({
  locale: enUsFaker.rawDefinitions as LocaleDefinition,
  randomizer: { next: () => active!.next(), seed: () => undefined },
});

/**
 * Names and fictional addresses from faker's en_US data, drawing every random number from the
 * member's own Rng (faker never seeds itself), so a member's story depends on (seed, index) only.
 */
export class PersonSource {
  constructor(private readonly rng: Rng) {}

  /** The shared Faker, drawing from this member's Rng. */
  private get faker(): Faker {
    active = this.rng;
    return shared;
  }

  name(sex: Sex, adult: boolean): PersonName {
    const given = [this.faker.person.firstName(sex)];
    if (this.rng.chance(0.4)) given.push(this.faker.person.firstName(sex));
    const name: PersonName = { given, family: this.faker.person.lastName() };
    if (adult && this.rng.chance(0.15)) name.prefix = sex === 'female' ? 'Ms.' : 'Mr.';
    if (adult && sex === 'male' && this.rng.chance(0.03)) name.suffix = 'Jr.';
    return name;
  }

  familyName(): string {
    return this.faker.person.lastName();
  }

  address(state: string): Address {
    const line = [this.faker.location.streetAddress()];
    if (this.rng.chance(0.15)) line.push(this.faker.location.secondaryAddress());
    return {
      line,
      city: this.faker.location.city(),
      state,
      postalCode: this.faker.location.zipCode({ state }),
      country: 'US',
    };
  }

  cityName(): string {
    return this.faker.location.city();
  }

  /** US phone numbers in the 555-01xx block, which is reserved for fiction. */
  phone(): string {
    return `(${this.rng.int(2, 9)}${this.rng.int(0, 8)}${this.rng.int(0, 9)}) 555-01${this.rng.digits(2)}`;
  }

  /** E-mail at example.com/.org (RFC 2606 reserved domains). */
  email(name: PersonName): string {
    const local = `${name.given[0]}.${name.family}`.toLowerCase().replace(/[^a-z.]/g, '');
    return `${local}${this.rng.int(1, 99)}@example.${this.rng.chance(0.5) ? 'com' : 'org'}`;
  }
}
