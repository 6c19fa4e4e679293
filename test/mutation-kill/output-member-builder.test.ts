// src/output/member-builder.ts and attribution.ts (issue 19), on this thread: each IG's builders run only when the run
// selects it (member and directory), the IG selection (the run's, else the profile's, else all), the member's file
// name, lastUpdated and provider attribution, the attribution Groups, and when Attribution writes them. One builder
// per IG selection (each builds the directory once), a few members each.
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { Attribution } from '../../src/output/attribution.js';
import { memberBuilder, type MemberBuilder, type MemberSetup } from '../../src/output/member-builder.js';
import { groupText, type RenderedGroup } from '../../src/output/render.js';
import type { OutputWriter } from '../../src/output/writer.js';
import { IG_NAMES, type IgName } from '../../src/profile/igs.js';
import type { Profile } from '../../src/profile/types.js';
import { codeMaps, shippedProfile } from '../helpers/output.js';

const profile: Profile = { ...shippedProfile('default'), members: 20, igs: undefined };
const setupOf = (igs: IgName[] | undefined, p: Profile = profile): MemberSetup => ({
  profile: p, now: profile.period.end, runId: 'r', usCoreVersion: profile.usCore, igs,
  render: { formats: new Set(['bundles', 'ndjson'] as const), maxBundleEntries: 5000, pretty: false },
});
const builders = new Map<string, MemberBuilder>();
/** The builder of a run selecting `igs` (undefined: every IG), made once. */
function builderOf(igs: IgName[] | undefined): MemberBuilder {
  const key = String(igs);
  if (!builders.has(key)) builders.set(key, memberBuilder(setupOf(igs), codeMaps));
  return builders.get(key)!;
}
/** The resources of a group, from its NDJSON lines. */
const resourcesOf = (group: RenderedGroup): Resource[] =>
  group.ndjson.flatMap((range) => groupText(group, range).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Resource));
const typesOf = (group: RenderedGroup) => new Set(resourcesOf(group).map((r) => r.resourceType));
const profilesOf = (resources: Resource[], type: string) => resources.filter((r) => r.resourceType === type).flatMap((r) => r.meta?.profile ?? []);
const BASES: Record<IgName, RegExp> = {
  'carin-bb': /^http:\/\/hl7\.org\/fhir\/us\/carin-bb\//,
  'us-core': /^http:\/\/hl7\.org\/fhir\/us\/core\//,
  'plan-net': /^http:\/\/hl7\.org\/fhir\/us\/davinci-pdex-plan-net\//,
  formulary: /^http:\/\/hl7\.org\/fhir\/us\/davinci-drug-formulary\//,
  pdex: /^http:\/\/hl7\.org\/fhir\/us\/davinci-pdex\//,
};
/** The IGs whose profiles the resources claim. */
const igsClaimed = (resources: Resource[]) =>
  new Set(resources.flatMap((r) => r.meta?.profile ?? []).flatMap((p) => IG_NAMES.filter((ig) => BASES[ig].test(p))));

describe('memberBuilder: a member', () => {
  it('should name its bundle by index, date every resource at the run\'s now, and build the same bytes again', () => {
    const b = builderOf(undefined);
    const group = b.member(12);
    expect(group.bundles.map((f) => f.file)).toEqual(['bundles/member-000012.json']);
    const resources = resourcesOf(group);
    expect(resources.length).toBeGreaterThan(5);
    expect(new Set(resources.map((r) => r.meta?.lastUpdated))).toEqual(new Set([`${profile.period.end}T00:00:00Z`]));
    expect(Buffer.from(b.member(12).bytes).equals(Buffer.from(group.bytes))).toBe(true);
  });

  it('should run each IG\'s builders and layers only when the run selects it, and claim no profile of an IG left out', () => {
    const types = (igs: IgName[] | undefined) => typesOf(builderOf(igs).member(3));
    const claimed = (igs: IgName[] | undefined) => igsClaimed(resourcesOf(builderOf(igs).member(3)));
    const core = ['Patient', 'RelatedPerson', 'Coverage'];
    expect([...types(['pdex'])].sort()).toEqual([...core].sort());
    expect(types(['carin-bb'])).toContain('ExplanationOfBenefit');
    expect(types(['carin-bb'])).not.toContain('Encounter');
    expect(types(['us-core'])).toContain('Encounter');
    expect(types(['us-core'])).toContain('MedicationDispense');
    expect(types(['us-core'])).not.toContain('ExplanationOfBenefit');
    for (const ig of ['carin-bb', 'us-core', 'pdex'] as const) expect([...claimed([ig])].every((c) => c === ig), ig).toBe(true);
    expect(claimed(['carin-bb'])).toEqual(new Set(['carin-bb']));
    expect(claimed(['us-core'])).toEqual(new Set(['us-core']));
    // US Core's layer on the core resources (the Patient), PDex's on the dispenses and provenance.
    const all = resourcesOf(builderOf(undefined).member(3));
    expect(profilesOf(all, 'Patient').some((p) => BASES['us-core'].test(p))).toBe(true);
    expect(profilesOf(all, 'Patient').some((p) => BASES['carin-bb'].test(p))).toBe(true);
    expect(profilesOf(all, 'MedicationDispense').some((p) => BASES.pdex.test(p))).toBe(true);
    const usCoreOnly = resourcesOf(builderOf(['us-core']).member(3));
    expect(profilesOf(usCoreOnly, 'Patient').some((p) => BASES['us-core'].test(p))).toBe(true);
    expect(profilesOf(usCoreOnly, 'MedicationDispense').some((p) => BASES.pdex.test(p))).toBe(false);
    expect(typesOf(builderOf(undefined).member(3))).toEqual(new Set([...types(['carin-bb']), ...types(['us-core'])]));
  });

  it('should build the PDex prior authorizations only when the run selects PDex', () => {
    const eobs = (igs: IgName[], i: number) => resourcesOf(builderOf(igs).member(i)).filter((r) => r.resourceType === 'ExplanationOfBenefit');
    const index = Array.from({ length: 20 }, (_, i) => i).find((i) => eobs(['pdex'], i).length > 0);
    expect(index).toBeDefined();
    const priorAuths = eobs(['pdex'], index!);
    expect(priorAuths.every((e) => (e.meta?.profile ?? []).some((p) => BASES.pdex.test(p)))).toBe(true);
    const all = eobs([...IG_NAMES], index!);
    for (const e of priorAuths) expect(all.map((x) => x.id)).toContain(e.id);
    expect(eobs(['carin-bb', 'us-core'], index!).filter((e) => priorAuths.some((a) => a.id === e.id))).toEqual([]);
  });

  it("should take the run's IGs, else the profile's, else all of them", () => {
    const bytes = (g: RenderedGroup) => Buffer.from(g.bytes).toString('utf8');
    const fromProfile = memberBuilder(setupOf(undefined, { ...profile, igs: ['carin-bb'] }), codeMaps);
    expect(bytes(fromProfile.member(3))).toBe(bytes(builderOf(['carin-bb']).member(3)));
    const runOverProfile = memberBuilder(setupOf(['us-core'], { ...profile, igs: ['carin-bb'] }), codeMaps);
    expect(bytes(runOverProfile.member(3))).toBe(bytes(builderOf(['us-core']).member(3)));
    expect(bytes(builderOf(undefined).member(3))).toBe(bytes(builderOf([...IG_NAMES]).member(3)));
  });

  it('should carry the member\'s provider attribution: its Patient, the organization of its active care team; none when it has none', () => {
    const members = [0, 1, 2, 3, 4, 5].map((i) => [i, builderOf(undefined).member(i)] as const);
    const attributed = members.filter(([, g]) => g.attribution);
    expect(attributed.length).toBeGreaterThan(0);
    expect(attributed.length).toBeLessThan(6);
    for (const [, group] of attributed) {
      const resources = resourcesOf(group);
      const patient = resources.find((r) => r.resourceType === 'Patient')!;
      const team = resources.find((r) => r.resourceType === 'CareTeam' && (r as { status?: string }).status === 'active') as { managingOrganization: { reference: string }[] };
      expect(group.attribution).toEqual([[patient.id, team.managingOrganization.map((o) => o.reference.replace('Organization/', '')).sort()]]);
    }
    const [, none] = members.find(([, g]) => !g.attribution)!;
    expect(Object.keys(none)).not.toContain('attribution');
    // No care team without US Core: the same member is attributed to nobody.
    expect(Object.keys(builderOf(['carin-bb']).member(attributed[0]![0]))).not.toContain('attribution');
  });
});

describe('memberBuilder: the directory and the attribution Groups', () => {
  it('should build each IG\'s directory only when the run selects it', () => {
    const types = (igs: IgName[] | undefined) => typesOf(builderOf(igs).directory());
    expect(builderOf(undefined).directory().bundles.map((f) => f.file)).toEqual(['bundles/directory.json']);
    expect([...types(['carin-bb'])].sort()).toEqual(['Organization', 'Practitioner']);
    expect([...types(['pdex'])].sort()).toEqual(['Organization', 'Practitioner']);
    // US Core: the care directory and its Questionnaire; Plan-Net: the care directory without it, and networks and plans.
    expect([...types(['us-core'])].sort()).toEqual(['Endpoint', 'Location', 'Organization', 'Practitioner', 'PractitionerRole', 'Questionnaire']);
    const planNet = types(['plan-net']);
    for (const t of ['PractitionerRole', 'Location', 'InsurancePlan', 'HealthcareService', 'OrganizationAffiliation']) expect(planNet).toContain(t);
    expect(planNet).not.toContain('Questionnaire');
    expect(types(['formulary'])).toContain('MedicationKnowledge');
    expect(types(['formulary'])).not.toContain('PractitionerRole');
    expect(types(['formulary'])).not.toContain('HealthcareService');
    const claimed = (igs: IgName[] | undefined) => igsClaimed(resourcesOf(builderOf(igs).directory()));
    expect(claimed(['us-core'])).toEqual(new Set(['us-core']));
    expect(claimed(['plan-net'])).toEqual(new Set(['plan-net']));
    expect(claimed(['formulary'])).toEqual(new Set(['formulary']));
    expect(claimed(['carin-bb'])).toEqual(new Set(['carin-bb']));
    // Every IG's layer on the one directory: an Organization claims CARIN BB, US Core and Plan-Net profiles.
    const orgs = profilesOf(resourcesOf(builderOf(undefined).directory()), 'Organization');
    for (const ig of ['carin-bb', 'us-core', 'plan-net'] as const) expect(orgs.some((p) => BASES[ig].test(p)), ig).toBe(true);
    expect(types(undefined)).toEqual(new Set([...types(['us-core']), ...planNet, ...types(['formulary'])]));
  });

  it('should write one Group per organization, named after it (its id when the directory lacks it), and none for nobody', () => {
    const b = builderOf(['pdex']);
    expect(b.groups([])).toBeUndefined();
    // A provider organization (the payer's is not one of the directory's providers).
    const org = resourcesOf(b.directory()).find((r) => r.resourceType === 'Organization' && /-org\d+$/.test(r.id!)) as { id: string; name: string };
    const group = b.groups([['p2', [org.id]], ['p1', [org.id, 'org-elsewhere']]])!;
    expect(group.bundles.map((f) => f.file)).toEqual(['bundles/provider-attribution.json']);
    const groups = resourcesOf(group) as unknown as { name: string; member: { entity: { reference: string } }[]; meta: { profile: string[] } }[];
    // Groups claim the base profile only (PDex has no attribution-list profile fhirseed fills).
    expect(groups.map((g) => g.meta.profile)).toEqual([['http://hl7.org/fhir/StructureDefinition/Group'], ['http://hl7.org/fhir/StructureDefinition/Group']]);
    // In organization id order (the directory's ids start "fs-").
    expect(groups.map((g) => [g.name, g.member.map((m) => m.entity.reference)])).toEqual([
      [`Members attributed to ${org.name}`, ['Patient/p1', 'Patient/p2']],
      ['Members attributed to org-elsewhere', ['Patient/p1']],
    ]);
  });
});

describe('Attribution', () => {
  const group = (attribution?: [string, string[]][]): RenderedGroup => ({ bytes: new Uint8Array(), bundles: [], ndjson: [], byType: {}, byProfile: {}, ...(attribution ? { attribution } : {}) });
  /** A builder whose groups() records what it is given, and a writer that records what it writes. */
  function fakes() {
    const asked: [string, string[]][][] = [];
    const written: RenderedGroup[] = [];
    const answer = group();
    const builder = { groups: (a: Iterable<[string, string[]]>) => { const list = [...a]; asked.push(list); return list.length ? answer : undefined; } } as unknown as MemberBuilder;
    const writer = { writeDirectory: (g: RenderedGroup) => written.push(g) } as unknown as OutputWriter;
    return { asked, written, answer, builder, writer };
  }

  it('should gather the members\' attribution in the order written and write the Groups once, after the last', () => {
    const { asked, written, answer, builder, writer } = fakes();
    const attribution = new Attribution(undefined);
    const first = group([['p1', ['o1']]]);
    expect(attribution.add(first)).toBe(first);
    const plain = group();
    expect(attribution.add(plain)).toBe(plain);
    attribution.add(group([['p3', ['o1', 'o2']], ['p4', ['o2']]]));
    attribution.write(builder, writer);
    // Asked once; each (Patient, Organization) pair given, kept per Organization (f7afb01), in the order first written.
    expect(asked).toHaveLength(1);
    expect(asked[0]!.flatMap(([patient, organizations]) => organizations.map((o) => `${o}:${patient}`))).toEqual(['o1:p1', 'o1:p3', 'o2:p3', 'o2:p4']);
    expect(written).toEqual([answer]);
    expect(written[0]).toBe(answer);
  });

  it('should write nothing when nobody is attributed, and nothing for one shard of several (a shard of one writes them)', () => {
    const nobody = fakes();
    new Attribution(undefined).write(nobody.builder, nobody.writer);
    expect(nobody.written).toEqual([]);
    for (const [shard, writes] of [[{ index: 1, count: 1 }, true], [{ index: 2, count: 2 }, false], [{ index: 1, count: 3 }, false]] as const) {
      const f = fakes();
      const attribution = new Attribution(shard);
      attribution.add(group([['p1', ['o1']]]));
      attribution.write(f.builder, f.writer);
      expect(f.written.length, JSON.stringify(shard)).toBe(writes ? 1 : 0);
      expect(f.asked.length, JSON.stringify(shard)).toBe(writes ? 1 : 0);
    }
  });
});
