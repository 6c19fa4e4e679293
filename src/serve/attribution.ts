import type { CareTeam, Group, Organization, Patient, Reference, Resource } from '@medplum/fhirtypes';
import type { AtomicMemoryRepository } from './router.js';

/** The tag on the Groups the sandbox derives (so they can be told from Groups the data brings). */
export const ATTRIBUTION_TAG = { system: 'urn:fhirseed:derived', code: 'provider-attribution', display: 'derived by fhirseed serve from the served data' };

/** The identifier system of an attribution Group: its value is the provider Organization's id. */
export const ATTRIBUTION_SYSTEM = 'urn:fhirseed:attribution';

/** An attribution Group's id: `attributed-<organization id>` (cut to FHIR's 64 characters). */
export function attributionGroupId(organizationId: string): string {
  return `attributed-${organizationId}`.slice(0, 64);
}

/**
 * Provider-attribution Groups for Bulk Data `Group/[id]/$export` (the CMS-0057-F Provider Access API exports the
 * members attributed to a provider): one Group per provider Organization that at least one member is attributed
 * to, with a `member.entity` per attributed Patient (sorted by id). A member is attributed to the Organizations
 * its Patient names (`generalPractitioner` Organizations and PractitionerRoles' organizations,
 * `managingOrganization`) and to the managing Organization of its active CareTeams (fhirseed's data: the member's
 * primary-care clinic). Derived from the data, not generated: no new facts, the same for any data served.
 */
export function attributionGroups(repo: AtomicMemoryRepository): Group[] {
  const members = new Map<string, Set<string>>();
  const attribute = (organization: string | undefined, patientId: string | undefined) => {
    if (!organization || !patientId || !repo.has('Organization', organization)) return;
    const set = members.get(organization) ?? new Set<string>();
    set.add(patientId);
    members.set(organization, set);
  };
  for (const resource of repo.all('Patient')) {
    const patient = resource as Patient;
    for (const ref of [...(patient.generalPractitioner ?? []), ...(patient.managingOrganization ? [patient.managingOrganization] : [])]) {
      attribute(organizationOf(repo, ref), patient.id);
    }
  }
  for (const resource of repo.all('CareTeam')) {
    const team = resource as CareTeam;
    if (team.status !== 'active') continue;
    const patientId = /^Patient\/([^/]+)$/.exec(team.subject?.reference ?? '')?.[1];
    for (const ref of team.managingOrganization ?? []) attribute(organizationOf(repo, ref), patientId);
  }
  return [...members.keys()].sort().map((organizationId) => {
    const patients = [...members.get(organizationId)!].sort();
    const name = (repo.get('Organization', organizationId) as Organization | undefined)?.name ?? organizationId;
    return {
      resourceType: 'Group',
      id: attributionGroupId(organizationId),
      meta: { tag: [ATTRIBUTION_TAG] },
      identifier: [{ system: ATTRIBUTION_SYSTEM, value: organizationId }],
      active: true,
      type: 'person',
      actual: true,
      name: `Members attributed to ${name}`,
      managingEntity: { reference: `Organization/${organizationId}` },
      quantity: patients.length,
      member: patients.map((id) => ({ entity: { reference: `Patient/${id}` } })),
    };
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

/** The Organization id a reference names: an Organization itself, or a PractitionerRole's organization. */
function organizationOf(repo: AtomicMemoryRepository, ref: Reference): string | undefined {
  const [type, id] = (ref.reference ?? '').split('/');
  if (type === 'Organization') return id;
  if (type === 'PractitionerRole' && id) {
    const role = repo.get('PractitionerRole', id) as (Resource & { organization?: Reference }) | undefined;
    return /^Organization\/([^/]+)$/.exec(role?.organization?.reference ?? '')?.[1];
  }
  return undefined;
}
