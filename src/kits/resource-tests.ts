import type { Resource } from '@medplum/fhirtypes';
import { hasTypedChoice, matchesDiscriminator, valuesAt } from './elements.js';
import type { GroupMetadata } from './kit.js';
import { result, type KitState, type TestContext, type TestResult } from './state.js';

/** The resources a group's resource tests look at: what its searches found, or for a delayed group what was reached by reference. */
export function groupResources(ctx: TestContext): Resource[] {
  const own = ctx.state.resources(ctx.test.scratch_key);
  const resources = own.length ? own : ctx.state.delayedOf(ctx.metadata.resource);
  // A sub-profile's test (CARIN's EOB profiles) looks at the resources that claim it.
  if (ctx.test.metadata) return resources.filter((r) => r.meta?.profile?.some((p) => p.split('|')[0] === ctx.metadata.profile_url));
  return resources;
}

function noResources(ctx: TestContext): TestResult {
  const what = ctx.test.metadata ? `${ctx.metadata.resource} claiming ${ctx.metadata.profile_url}` : ctx.metadata.resource;
  return result(ctx, 'skip', `no ${what} resources found by the group's searches or references`, 'data');
}

/** Reads the first resource found and checks the server answers it as it is (type, id). */
export async function readTest(ctx: TestContext): Promise<TestResult> {
  const [first] = groupResources(ctx);
  if (!first) return noResources(ctx);
  const reply = await ctx.state.client.read(`${first.resourceType}/${first.id}`);
  if (reply.status !== 200) return result(ctx, 'fail', `GET ${first.resourceType}/${first.id}: HTTP ${reply.status}`, 'server');
  if (reply.body?.resourceType !== first.resourceType || reply.body?.id !== first.id) {
    return result(ctx, 'fail', `GET ${first.resourceType}/${first.id} answered ${reply.body?.resourceType}/${reply.body?.id}`, 'server');
  }
  return result(ctx, 'pass');
}

/** Every must-support element, slice and extension of the profile appears in at least one resource found. */
export function mustSupportTest(ctx: TestContext): TestResult {
  const resources = groupResources(ctx);
  if (!resources.length) return noResources(ctx);
  const missing = missingMustSupports(ctx.metadata, resources);
  if (missing.length) return result(ctx, 'fail', `not found in the ${resources.length} ${ctx.metadata.resource} resources: ${missing.join(', ')}`, 'data');
  return result(ctx, 'pass', `${resources.length} resources`);
}

export function missingMustSupports(metadata: GroupMetadata, resources: Resource[]): string[] {
  const { extensions, slices, elements } = metadata.must_supports;
  const missing: string[] = [];
  for (const ext of extensions) {
    if (!resources.some((r) => valuesAt(r, ext.path).some((e) => e?.url === ext.url))) missing.push(ext.id);
  }
  for (const slice of slices) {
    const found = resources.some((r) =>
      slice.discriminator.type === 'type' ? hasTypedChoice(r, slice.path, slice.discriminator.code ?? '') : valuesAt(r, slice.path.replace(/\[x\]$/, '')).some((v) => matchesDiscriminator(v, slice)),
    );
    if (!found) missing.push(slice.slice_id);
  }
  for (const element of elements) {
    const found = resources.some((r) => {
      if (element.path.endsWith('[x]') && element.types?.length && !element.types.includes('Reference')) {
        return element.types.some((t) => hasTypedChoice(r, element.path, t));
      }
      const values = valuesAt(r, element.path, slices);
      if (element.fixed_value === undefined) return values.length > 0;
      return values.some((v) => JSON.stringify(v) === JSON.stringify(element.fixed_value));
    });
    if (!found) missing.push(element.path);
  }
  return missing;
}

/** Each must-support reference resolves, for each target type it allows, at least once (read by the server). */
export async function referenceTest(ctx: TestContext): Promise<TestResult> {
  const resources = groupResources(ctx);
  if (!resources.length) return noResources(ctx);
  const unresolved: string[] = [];
  for (const element of ctx.metadata.must_supports.elements) {
    if (!element.types?.includes('Reference')) continue;
    const refs = resources.flatMap((r) => valuesAt(r, element.path, ctx.metadata.must_supports.slices).map((v) => ({ ref: String(v?.reference ?? ''), from: r })).filter((x) => x.ref));
    const types = [...new Set((element.target_profiles ?? []).map((p) => ctx.state.profileType(p)))];
    for (const type of types.length ? types : ['*']) {
      const candidates = refs.filter(({ ref }) => type === '*' || ref.startsWith('#') || typeOf(ref) === type);
      let resolved = false;
      for (const { ref, from } of candidates.slice(0, 20)) {
        if (await resolves(ctx.state, ref, from, type)) {
          resolved = true;
          break;
        }
      }
      if (!resolved) unresolved.push(`${element.path} → ${type === '*' ? 'any' : type}${candidates.length ? ' (references do not resolve)' : ''}`);
    }
  }
  if (unresolved.length) return result(ctx, 'fail', `no resolvable reference for ${unresolved.join(', ')}`, 'data');
  return result(ctx, 'pass');
}

function typeOf(reference: string): string | undefined {
  return /(?:^|\/)([A-Z][A-Za-z]+)\/[^/]+(?:\/_history\/[^/]+)?$/.exec(reference)?.[1];
}

async function resolves(state: KitState, reference: string, from: Resource, type: string): Promise<boolean> {
  if (reference.startsWith('#')) {
    const contained = (from as { contained?: Resource[] }).contained?.find((c) => c.id === reference.slice(1));
    return Boolean(contained && (type === '*' || contained.resourceType === type));
  }
  const reply = await state.client.read(reference);
  if (reply.status !== 200 || (type !== '*' && reply.body?.resourceType !== type)) return false;
  state.addDelayed([reply.body as Resource]);
  return true;
}

/** Follows a group's delayed references (to Organization, Practitioner…) so that the delayed groups have resources. */
export async function followDelayedReferences(state: KitState, metadata: GroupMetadata, resources: Resource[]): Promise<void> {
  for (const { path, resources: types } of metadata.delayed_references ?? []) {
    const refs = new Set(resources.flatMap((r) => valuesAt(r, path)).map((v) => String(v?.reference ?? '')).filter((ref) => types.includes(typeOf(ref) ?? '')));
    for (const ref of [...refs].slice(0, 50)) {
      const reply = await state.client.read(ref);
      if (reply.status === 200 && reply.body?.resourceType) state.addDelayed([reply.body as Resource]);
    }
  }
}
