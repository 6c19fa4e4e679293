import type { SocialCodeMaps, SocialGroup } from '../../codemaps/clinical-social.js';
import { addDays, ageOn } from '../../util/dates.js';
import { PersonSource } from '../person-source.js';
import type { Address, IsoDate } from '../types.js';
import type { ClinicalInput, CodeFact } from './types.js';

/** Demographics US Core Patient 6.1.0 adds to the CARIN BB member. */
export interface PatientSocialFacts {
  birthSex: 'F' | 'M';
  /** us-core-sex (6.1.0): the member's sex for clinical use. */
  sex: CodeFact;
  genderIdentity: CodeFact;
  tribalAffiliation?: { code: CodeFact; enrolled: boolean };
  /** A family name the member used until `end` (e.g. before marriage). */
  previousName?: { family: string; end: IsoDate };
  /** Where the member lived until `end`, before the first coverage. */
  previousAddress?: { address: Address; end: IsoDate };
  phoneUse: 'home' | 'mobile';
}

const AMERICAN_INDIAN_OR_ALASKA_NATIVE = '1002-5';

export function socialCode(maps: SocialCodeMaps, group: SocialGroup, key: string): CodeFact {
  const row = maps.values.get(group)?.find((r) => r.key === key);
  if (!row) throw new Error(`social-values.json has no ${group} '${key}'`);
  return { system: row.system, code: row.code, display: row.display };
}

/** A weighted draw from a code group (rows without weight count 1), optionally limited to some keys. */
export function drawSocialCode(input: ClinicalInput, group: SocialGroup, keys?: readonly string[]): CodeFact {
  const rows = (input.codeMaps.clinical.social.values.get(group) ?? []).filter((r) => !keys || keys.includes(r.key));
  const row = input.rng.weighted(rows, (r) => r.weight ?? 1);
  return { system: row.system, code: row.code, display: row.display };
}

/**
 * Index rules (index mod a small prime) make sure every shape appears in a 25-member population
 * whatever the seed; the rest is drawn.
 */
export function simulatePatientSocial(input: ClinicalInput): PatientSocialFacts {
  const { rng, story } = input;
  const maps = input.codeMaps.clinical.social;
  const m = story.member;
  const index = story.index;
  const firstStart = story.coverages[0]?.start ?? input.profile.period.start;
  const age = ageOn(m.birthDate, firstStart);
  const adult = age >= 20;

  const sexKey = m.sex === 'female' ? 'female' : 'male';
  const genderIdentity = index % 11 === 7 ? socialCode(maps, 'gender-identity', 'unknown') : socialCode(maps, 'gender-identity', sexKey);
  const facts: PatientSocialFacts = {
    birthSex: m.sex === 'female' ? 'F' : 'M',
    sex: socialCode(maps, 'sex', sexKey),
    genderIdentity,
    phoneUse: rng.chance(0.5) ? 'mobile' : 'home',
  };
  if (m.race.code === AMERICAN_INDIAN_OR_ALASKA_NATIVE || index % 12 === 5) {
    facts.tribalAffiliation = { code: drawSocialCode(input, 'tribal-affiliation'), enrolled: rng.chance(0.6) };
  }
  const source = new PersonSource(rng);
  if (adult && (m.relationship === 'spouse' || index % 6 === 2)) {
    facts.previousName = { family: source.familyName(), end: addDays(firstStart, -rng.int(200, Math.min(4000, (age - 18) * 365))) };
  }
  if (index % 5 === 3 || rng.chance(0.1)) {
    facts.previousAddress = { address: source.address(m.address.state), end: addDays(firstStart, -1) };
  }
  return facts;
}
