import type { CodeMaps, TaxonomyRow } from '../codemaps/types.js';
import { FEWEST_PRACTITIONERS, fewestOrganizations } from '../profile/providers.js';
import type { Profile, Sex } from '../profile/types.js';
import { Rng } from '../util/rng.js';
import { fictionalNpi, fictionalTin } from './identifiers.js';
import { PersonSource } from './person-source.js';
import { directoryKey } from './run-keys.js';
import type { Directory, PractitionerFact, ProviderKind, ProviderOrgFact } from './types.js';

export { directoryKey } from './run-keys.js';

/**
 * Ids of the payer's own resources, run-scoped like every id of the directory (`fs-<directoryKey>-…`), so that
 * two payers' outputs loaded into one server do not overwrite each other's: `payer` the payer Organization of the
 * claims and coverage, `brand` and `endpoint` its SMART User-access brand Organization and Patient Access
 * Endpoint (brands.json, src/fhir/smart/user-access-brands.ts). A pure function of the profile's name and seed.
 */
export function payerResourceIds(profile: Profile): { payer: string; brand: string; endpoint: string } {
  const key = directoryKey(profile);
  return { payer: `fs-${key}-payer`, brand: `fs-${key}-brand`, endpoint: `fs-${key}-patient-access` };
}

/**
 * The payer, provider organizations and practitioners: their content derived from the profile seed, their ids from
 * its name and seed (directoryKey), so every shard of a run builds the same directory.
 */
export function buildDirectory(profile: Profile, codeMaps: CodeMaps): Directory {
  const rng = new Rng(`${profile.seed}:directory`);
  const people = new PersonSource(rng);
  const key = directoryKey(profile);
  const taxonomyFor = (use: TaxonomyRow['use']): TaxonomyRow[] => {
    const rows = codeMaps.taxonomy.filter((t) => t.use === use);
    if (rows.length === 0) throw new Error(`code-maps/nucc-taxonomy.json has no row for use '${use}'`);
    return rows;
  };
  const state = profile.payer.state;
  const organizations: ProviderOrgFact[] = [];
  const addOrg = (kind: ProviderKind, name: (city: string) => string, use: TaxonomyRow['use']) => {
    const city = people.cityName();
    const address = { ...people.address(rng.weighted(profile.demographics.states, (s) => s.share).code), city };
    organizations.push({
      id: `fs-${key}-org${organizations.length + 1}`,
      kind,
      name: name(city),
      npi: fictionalNpi(rng),
      tin: fictionalTin(rng),
      taxonomy: rng.pick(taxonomyFor(use)).code,
      address,
      phone: people.phone(),
    });
  };

  const hasDental = profile.plans.some((p) => p.type === 'dental');
  const total = Math.max(profile.providers.organizations, fewestOrganizations(hasDental));
  const hospitals = Math.max(1, Math.round(total * 0.2));
  const dentalPractices = hasDental ? Math.max(1, Math.round(total * 0.2)) : 0;
  const clinics = Math.max(1, total - hospitals - dentalPractices - 1);
  for (let i = 0; i < hospitals; i++) addOrg('hospital', (c) => `${c} General Hospital`, 'hospital');
  for (let i = 0; i < clinics; i++) addOrg('clinic', (c) => `${c} ${rng.pick(CLINIC_SUFFIXES)}`, 'clinic');
  for (let i = 0; i < dentalPractices; i++) addOrg('dental-practice', (c) => `${c} Dental Care`, 'dental-practice');
  addOrg('ambulance', (c) => `${c} Ambulance Service`, 'ambulance');
  for (let i = 0; i < Math.max(1, profile.providers.pharmacies); i++) {
    addOrg('pharmacy', () => `${people.familyName()} ${rng.pick(PHARMACY_SUFFIXES)}`, 'pharmacy');
  }

  const practitioners: PractitionerFact[] = [];
  const byKind = (kind: ProviderKind) => organizations.filter((o) => o.kind === kind);
  const addPractitioner = (role: PractitionerFact['role'], use: TaxonomyRow['use'], orgs: ProviderOrgFact[]) => {
    const sex: Sex = rng.chance(0.5) ? 'female' : 'male';
    const org = rng.pick(orgs);
    practitioners.push({
      id: `fs-${key}-prac${practitioners.length + 1}`,
      npi: fictionalNpi(rng),
      tin: fictionalTin(rng),
      name: { ...people.name(sex, true), prefix: role === 'pharmacist' ? undefined : 'Dr.' },
      sex,
      taxonomy: rng.pick(taxonomyFor(use)).code,
      role,
      organizationId: org.id,
      address: org.address,
      phone: org.phone,
    });
  };
  const count = Math.max(profile.providers.practitioners, FEWEST_PRACTITIONERS);
  const dentists = hasDental ? Math.max(1, Math.round(count * 0.15)) : 0;
  const pharmacists = Math.max(1, Math.round(count * 0.1));
  const specialists = Math.max(1, Math.round(count * 0.3));
  const primary = Math.max(1, count - dentists - pharmacists - specialists);
  for (let i = 0; i < primary; i++) addPractitioner('primary-care', 'primary-care', byKind('clinic'));
  for (let i = 0; i < specialists; i++) addPractitioner('specialist', 'specialist', [...byKind('hospital'), ...byKind('clinic')]);
  for (let i = 0; i < dentists; i++) addPractitioner('dentist', 'dentist', byKind('dental-practice'));
  for (let i = 0; i < pharmacists; i++) addPractitioner('pharmacist', 'pharmacist', byKind('pharmacy'));

  return {
    payer: {
      id: payerResourceIds(profile).payer,
      name: profile.payer.name,
      identifiers: withNaicCode(profile.payer.identifiers),
      address: people.address(state),
      phone: people.phone(),
    },
    organizations,
    practitioners,
  };
}

/**
 * The fictional payer is not registered with the NAIC; unless the profile gives a NAIC company code,
 * it carries the all-zeros placeholder that CMS reporting uses for entities without one, which no
 * real insurer has.
 */
function withNaicCode(identifiers: Profile['payer']['identifiers']): Profile['payer']['identifiers'] {
  return identifiers.some((i) => i.type === 'naiccode') ? identifiers : [...identifiers, { type: 'naiccode', value: NO_NAIC_CODE }];
}

const NO_NAIC_CODE = '00000';

const CLINIC_SUFFIXES = ['Family Medicine', 'Primary Care', 'Medical Group', 'Health Center', 'Internal Medicine'];
const PHARMACY_SUFFIXES = ['Pharmacy', 'Drug Store', 'Community Pharmacy'];
