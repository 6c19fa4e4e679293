import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import type { CodeMaps } from '../codemaps/types.js';
import { baseProfile, claimSelectedIgs, ids, meta, type BuildContext, type UsCoreVersion } from '../fhir/context.js';
import { attributedOrganizations, buildAttributionGroup, membersByOrganization } from '../fhir/pdex/attribution.js';
import { buildCarinBbDirectoryResources, buildMemberCoreResources, carinBbEobs } from '../fhir/carin-bb/index.js';
import { buildPlanNetDirectoryResources, layerPlanNet } from '../fhir/plan-net/index.js';
import { buildFormularyDirectoryResources } from '../fhir/formulary/index.js';
import { layerPdex } from '../fhir/pdex/layer.js';
import { buildPdexMemberResources } from '../fhir/pdex/prior-authorization.js';
import { practitionerRoleId } from '../fhir/us-core/care-common.js';
import { buildCareDirectoryResources } from '../fhir/us-core/domain-care.js';
import { buildUsCoreDirectoryResources, layerUsCore, usCoreMemberResources } from '../fhir/us-core/index.js';
import { IG_NAMES, type IgName } from '../profile/igs.js';
import type { Profile } from '../profile/types.js';
import { buildDirectory } from '../story/directory.js';
import { buildPlanNetDirectory } from '../story/plan-net-directory.js';
import { simulateMember } from '../story/simulate.js';
import { testAccount } from './accounts.js';
import { GroupRenderer, renderGroup, type RenderOptions, type RenderedGroup } from './render.js';

/**
 * What a member depends on besides its index: plain data (structured-cloneable), so that a worker
 * thread gets the same as the main thread and builds the same bytes.
 */
export interface MemberSetup {
  profile: Profile;
  /** The run's "now" (YYYY-MM-DD), already checked. */
  now: string;
  runId: string;
  usCoreVersion: UsCoreVersion;
  /** The IGs to emit (default: the profile's `igs`, else all). */
  igs?: IgName[];
  render: RenderOptions;
  /**
   * The directory the bundle files go to, when the building thread writes them itself (generate --jobs N: render.ts
   * renderGroup's writeBundle; each thread writes its own members' files, synchronously); else the writer does.
   */
  bundleDir?: string;
}

/** Builds members of one run; the directory and build context are made once, here. */
export interface MemberBuilder {
  /** Member `index` as text: story → FHIR resources → bundle files, NDJSON lines, test account. A pure function of (setup, index). */
  member(index: number): RenderedGroup;
  /** The directory bundle (organizations, practitioners, locations…). */
  directory(): RenderedGroup;
  /** The provider-attribution Groups of the members written (their groups' `attribution`), or none when no member is attributed. */
  groups(attribution: Iterable<[string, string[]]>): RenderedGroup | undefined;
}

/** The builder for a run: the directory is simulated once from the profile and code maps. */
export function memberBuilder(setup: MemberSetup, codeMaps: CodeMaps): MemberBuilder {
  const { profile, now } = setup;
  const directory = buildDirectory(profile, codeMaps);
  const ctx: BuildContext = {
    profile,
    codeMaps,
    directory,
    runId: setup.runId,
    lastUpdated: `${now}T00:00:00Z`,
    usCoreVersion: setup.usCoreVersion,
    plansById: new Map(profile.plans.map((p) => [p.id, p])),
    igs: new Set(setup.igs ?? profile.igs ?? IG_NAMES),
  };
  const has = (ig: IgName) => ctx.igs.has(ig);
  const { bundleDir } = setup;
  const writeBundle = bundleDir === undefined ? undefined : (file: string, bytes: Uint8Array) => writeFileSync(join(bundleDir, file), bytes);
  const roleOrganization = (roleId: string) => directory.practitioners.find((p) => practitionerRoleId(p.id) === roleId)?.organizationId;
  return {
    member(index) {
      const story = simulateMember({ profile, codeMaps, directory, now }, index);
      const renderer = new GroupRenderer(setup.render);
      // Only these take part in the attribution (src/fhir/pdex/attribution.ts): a Patient and its CareTeams.
      const attributing: Resource[] = [];
      // Each resource is layered and rendered as soon as it is built (the EOBs and labs-vitals one by one, the other
      // domains a domain at a time), in the order they were concatenated before, so that it dies young (issue 13).
      const add = (resources: Iterable<Resource>, usCoreLayer: boolean) => {
        for (const built of resources) {
          const r = claimSelectedIgs(layerPdex(usCoreLayer ? layerUsCore(built, story, ctx) : built, ctx), ctx);
          if (r.resourceType === 'Patient' || r.resourceType === 'CareTeam') attributing.push(r);
          renderer.add(r);
        }
      };
      // One line per IG: its builders run only when the run selects it.
      add(buildMemberCoreResources(story, ctx), has('us-core'));
      if (has('carin-bb')) add(carinBbEobs(story, ctx), has('us-core'));
      if (has('us-core')) add(usCoreMemberResources(story, ctx), false);
      if (has('pdex')) add(buildPdexMemberResources(story, ctx), false);
      const group = renderer.finish(`bundles/member-${String(index).padStart(6, '0')}.json`, testAccount(story, ids.patient(story)), writeBundle);
      const attributed = attributedOrganizations(attributing, roleOrganization);
      return attributed.size ? { ...group, attribution: [...attributed].map(([p, orgs]) => [p, [...orgs].sort()]) } : group;
    },
    groups(attribution) {
      const names = new Map(directory.organizations.map((o) => [o.id, o.name]));
      const groups = membersByOrganization(attribution).map(([org, patients]) =>
        claimSelectedIgs(buildAttributionGroup(org, names.get(org) ?? org, patients, meta(ctx, [baseProfile('Group')])), ctx));
      return groups.length ? renderGroup('bundles/provider-attribution.json', groups, setup.render, undefined, writeBundle) : undefined;
    },
    directory() {
      // Plan-Net is this same directory (same NPIs, organizations, locations, endpoints) with its profiles layered on, plus networks and plans.
      const planNet = has('plan-net') ? buildPlanNetDirectory(profile, directory) : undefined;
      const resources = [
        ...buildCarinBbDirectoryResources(ctx).map((r) => (has('us-core') ? layerUsCore(r, undefined, ctx) : r)),
        // Plan-Net needs the care directory (PractitionerRole, Location, …) but not US Core's EVS Questionnaire.
        ...(has('us-core') ? buildUsCoreDirectoryResources(ctx) : planNet ? buildCareDirectoryResources(ctx) : []),
      ]
        .map((r) => (planNet ? layerPlanNet(r, ctx, planNet) : r))
        .concat(planNet ? buildPlanNetDirectoryResources(ctx, planNet) : [])
        .concat(has('formulary') ? buildFormularyDirectoryResources(ctx) : [])
        .map((r) => claimSelectedIgs(r, ctx));
      return renderGroup('bundles/directory.json', resources, setup.render, undefined, writeBundle);
    },
  };
}
