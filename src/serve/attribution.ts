import type { Group, Organization, Reference, Resource } from '@medplum/fhirtypes';
import { attributedOrganizations, attributionGroupId, buildAttributionGroup, membersByOrganization } from '../fhir/pdex/attribution.js';
import { SYSTEMS } from '../fhir/systems.js';
import type { AtomicMemoryRepository } from './router.js';

/** The tag on the Groups the sandbox derives (so they can be told from Groups the data brings). */
export const ATTRIBUTION_TAG = { system: 'urn:fhirseed:derived', code: 'provider-attribution', display: 'derived by fhirseed serve from the served data' };

/** The identifier system of an attribution Group: its value is the provider Organization's id. */
export const ATTRIBUTION_SYSTEM = SYSTEMS.fhirseedAttribution;

export { attributionGroupId };

/**
 * The provider-attribution Groups of the served data (src/fhir/pdex/attribution.ts: one Group per provider
 * Organization some member is attributed to), tagged as derived. `generate` writes the same Groups since
 * outputs carry them; serve derives them only for an output without Groups (an older one). Derived from the
 * data, not generated: no new facts, the same for any data served.
 */
export function attributionGroups(repo: AtomicMemoryRepository): Group[] {
  const roleOrganization = (roleId: string) => {
    const role = repo.get('PractitionerRole', roleId) as (Resource & { organization?: Reference }) | undefined;
    return /^Organization\/([^/]+)$/.exec(role?.organization?.reference ?? '')?.[1];
  };
  const resources = function* () {
    yield* repo.all('Patient');
    yield* repo.all('CareTeam');
  };
  const byPatient = attributedOrganizations(resources(), roleOrganization, (id) => repo.has('Organization', id));
  return membersByOrganization(byPatient).map(([organizationId, patients]) => {
    const name = (repo.get('Organization', organizationId) as Organization | undefined)?.name ?? organizationId;
    return buildAttributionGroup(organizationId, name, patients, { tag: [ATTRIBUTION_TAG] });
  });
}

/**
 * Stores the attribution Groups (an unchanged one keeps its version), unless the data brings Groups of its own.
 * Returns how many Groups it stored or kept.
 */
export async function addAttributionGroups(repo: AtomicMemoryRepository): Promise<number> {
  const own = [...repo.all('Group')].some((g) => !g.meta?.tag?.some((t) => t.system === ATTRIBUTION_TAG.system && t.code === ATTRIBUTION_TAG.code));
  if (own) return 0;
  const groups = attributionGroups(repo);
  await repo.withTransaction(async () => {
    for (const group of groups) await repo.preload(group);
  });
  return groups.length;
}
