import type { Resource } from '@medplum/fhirtypes';
import { searchValue, systemAndCode, valuesAt } from './elements.js';
import type { SearchReply } from './client.js';
import { result, type TestContext, type TestResult } from './state.js';

type Params = [string, string][];

/**
 * A kit search test. The first search of a patient-scoped group runs once per patient (with the kit's
 * fixed values, e.g. category=laboratory) and keeps what it finds; the others take their values from the
 * first resource found that has them all, as the kits do, then check the answer, the `Patient/id` and
 * POST variants, `system|code` tokens, date comparators at ±1 day and multiple-or values.
 */
export async function searchTest(ctx: TestContext): Promise<TestResult> {
  const props = ctx.test.properties ?? {};
  const names = props.search_param_names ?? [];
  const patientScoped = props.first_search && !ctx.metadata.is_delayed && (names.includes('patient') || (ctx.metadata.resource === 'Patient' && names[0] === '_id'));
  return patientScoped ? firstSearch(ctx, names) : valueSearch(ctx, names);
}

async function firstSearch(ctx: TestContext, names: string[]): Promise<TestResult> {
  const { state, test } = ctx;
  const type = ctx.metadata.resource;
  const props = test.properties ?? {};
  let found = 0;
  let variantsChecked = false;
  for (const patient of state.patients) {
    for (const params of fixedCombos(ctx, names, patient)) {
      const reply = await state.client.search(type, params, { pages: state.pages });
      if (reply.problem) return result(ctx, 'fail', reply.problem, 'server');
      const foreign = reply.matches.find((r) => !belongsTo(ctx, r, params));
      if (foreign) return result(ctx, 'fail', `${reply.url} returned ${foreign.resourceType}/${foreign.id}, which does not match the search`, 'server');
      state.add(test.scratch_key, reply.matches);
      found += reply.matches.length;
      if (!reply.matches.length || variantsChecked) continue;
      variantsChecked = true;
      const problem = await checkVariants(ctx, type, params, reply, { post: props.test_post_search, reference: props.test_reference_variants });
      if (problem) return result(ctx, 'fail', problem, 'server');
    }
  }
  if (!found) return result(ctx, 'skip', `no ${type} resources found for the ${state.patients.length} patients searched by ${names.join(' + ')}`, 'data');
  return result(ctx, 'pass', `${found} ${type} found`);
}

/** The first search's parameter sets for one patient: the patient (or `_id`) and each of the kit's fixed values. */
function fixedCombos(ctx: TestContext, names: string[], patient: string): Params[] {
  let combos: Params[] = [[]];
  for (const name of names) {
    const values = name === 'patient' || name === '_id' ? [patient] : (ctx.metadata.search_definitions[name]?.values ?? []);
    if (!values.length) continue;
    combos = combos.flatMap((combo) => values.map((v): Params => [...combo, [name, v]]));
  }
  return combos;
}

async function valueSearch(ctx: TestContext, names: string[]): Promise<TestResult> {
  const { state, test } = ctx;
  const type = ctx.metadata.resource;
  const props = test.properties ?? {};
  const pool = ctx.metadata.is_delayed || !state.resources(test.scratch_key).length ? [...state.resources(test.scratch_key), ...state.delayedOf(type)] : state.resources(test.scratch_key);
  let source: Resource | undefined;
  let params: Params | undefined;
  for (const candidate of pool) {
    const values = names.map((name) => [name, paramValue(ctx, candidate, name)] as const);
    if (values.every(([, v]) => v !== undefined)) {
      source = candidate;
      params = values as Params;
      break;
    }
  }
  if (!source || !params) {
    const why = pool.length ? `none of the ${pool.length} ${type} resources found has values for ${names.join(' + ')}` : `no ${type} resources found to take values from`;
    return result(ctx, 'skip', why, 'data');
  }
  const reply = await state.client.search(type, params, { pages: state.pages });
  if (reply.problem) return result(ctx, 'fail', reply.problem, 'server');
  if (!reply.matches.length) return result(ctx, 'fail', `${reply.url} found nothing, although ${type}/${source.id} has these values`, 'server');
  const foreign = reply.matches.find((r) => !belongsTo(ctx, r, params));
  if (foreign) return result(ctx, 'fail', `${reply.url} returned ${foreign.resourceType}/${foreign.id}, which does not match the search`, 'server');
  state.add(test.scratch_key, reply.matches);
  const problem =
    (await checkVariants(ctx, type, params, reply, { post: props.test_post_search, reference: props.test_reference_variants })) ??
    (await checkTokens(ctx, type, params, source, props.token_search_params ?? [])) ??
    (await checkComparators(ctx, type, params, props.params_with_comparators ?? [])) ??
    (await checkMultipleOr(ctx, type, params, props.multiple_or_search_params ?? []));
  if (problem) return result(ctx, 'fail', problem, 'server');
  return result(ctx, 'pass', `${reply.matches.length} ${type} found by ${params.map(([k, v]) => `${k}=${v}`).join('&')}`);
}

/** The value the kit would search with for `name`, taken from the resource; undefined when it has none. */
function paramValue(ctx: TestContext, resource: Resource, name: string): string | undefined {
  if (name === '_id') return resource.id;
  if (name === '_lastUpdated') return resource.meta?.lastUpdated;
  const definition = ctx.metadata.search_definitions[name];
  if (!definition) return undefined;
  for (const path of definition.paths) {
    for (const element of valuesAt(resource, path)) {
      const value = searchValue(element, definition.type, name);
      if (value !== undefined && value !== '') return value;
    }
  }
  return undefined;
}

/** Every match must carry the `_id` or patient reference searched for (the kits check each returned resource). */
function belongsTo(ctx: TestContext, resource: Resource, params: Params): boolean {
  for (const [name, value] of params) {
    if (name === '_id' && !value.split(',').includes(resource.id ?? '')) return false;
    if (name === 'patient') {
      const paths = ctx.metadata.search_definitions.patient?.paths ?? ['patient', 'subject', 'beneficiary'];
      const refs = paths.flatMap((p) => valuesAt(resource, p)).map((r) => String(r?.reference ?? ''));
      const id = value.split('/').pop();
      if (!refs.some((ref) => ref.split('/').pop() === id)) return false;
    }
  }
  return true;
}

async function checkVariants(ctx: TestContext, type: string, params: Params, reply: SearchReply, which: { post?: boolean; reference?: boolean }): Promise<string | undefined> {
  const { client, pages } = ctx.state;
  if (which.post) {
    const posted = await client.search(type, params, { post: true, pages });
    if (posted.problem) return `POST ${type}/_search: ${posted.problem}`;
    if (posted.matches.length !== reply.matches.length) return `POST ${type}/_search found ${posted.matches.length}, GET ${reply.matches.length}`;
  }
  if (which.reference && params.some(([k]) => k === 'patient')) {
    const qualified = params.map(([k, v]): [string, string] => (k === 'patient' ? [k, `Patient/${v}`] : [k, v]));
    const variant = await client.search(type, qualified, { pages });
    if (variant.problem) return variant.problem;
    if (variant.matches.length !== reply.matches.length) return `patient=Patient/id found ${variant.matches.length}, patient=id ${reply.matches.length}`;
  }
  return undefined;
}

async function checkTokens(ctx: TestContext, type: string, params: Params, source: Resource, tokens: string[]): Promise<string | undefined> {
  for (const name of tokens) {
    const definition = ctx.metadata.search_definitions[name];
    const full = definition?.paths.flatMap((p) => valuesAt(source, p)).map(systemAndCode).find(Boolean);
    if (!full) continue;
    const variant = await ctx.state.client.search(type, params.map(([k, v]): [string, string] => [k, k === name ? full : v]), { pages: 1 });
    if (variant.problem) return variant.problem;
    if (!variant.matches.length) return `${variant.url} (system|code) found nothing`;
  }
  return undefined;
}

async function checkComparators(ctx: TestContext, type: string, params: Params, dated: string[]): Promise<string | undefined> {
  for (const name of dated) {
    const value = params.find(([k]) => k === name)?.[1];
    if (!value || !/^\d{4}-\d{2}-\d{2}/.test(value)) continue;
    const day = value.slice(0, 10);
    const shift = (days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    for (const [comparator, date] of [['gt', shift(-1)], ['ge', day], ['lt', shift(1)], ['le', day]] as const) {
      const variant = await ctx.state.client.search(type, params.map(([k, v]): [string, string] => [k, k === name ? `${comparator}${date}` : v]), { pages: 1 });
      if (variant.problem) return variant.problem;
      if (!variant.matches.length) return `${variant.url} found nothing`;
    }
  }
  return undefined;
}

async function checkMultipleOr(ctx: TestContext, type: string, params: Params, names: string[]): Promise<string | undefined> {
  for (const name of names) {
    const values = new Set(ctx.state.resources(ctx.test.scratch_key).map((r) => paramValue(ctx, r, name)).filter((v): v is string => Boolean(v)));
    if (values.size < 1) continue;
    const variant = await ctx.state.client.search(type, params.map(([k, v]): [string, string] => [k, k === name ? [...values].join(',') : v]), { pages: 1 });
    if (variant.problem) return variant.problem;
    if (!variant.matches.length) return `${variant.url} found nothing`;
  }
  return undefined;
}

/** `_include` tests (CARIN): search one resource by `_id` with the include, and find the referenced resources included. */
export async function includeTest(ctx: TestContext): Promise<TestResult> {
  const { state, test } = ctx;
  const type = ctx.metadata.resource;
  const include = test.arg ?? '';
  const targets = test.properties?.include_parameters ?? [];
  const refsOf = (r: Resource) => targets.flatMap((t) => valuesAt(r, t.path)).map((v) => String(v?.reference ?? '')).filter(Boolean);
  const source = state.resources(test.scratch_key).find((r) => refsOf(r).length);
  if (!source) return result(ctx, 'skip', `no ${type} found has ${targets.map((t) => t.path).join(' or ')}`, 'data');
  const reply = await state.client.search(type, [['_id', source.id!], ['_include', include]]);
  if (reply.problem) return result(ctx, 'fail', reply.problem, 'server');
  const included = new Set(reply.included.map((r) => `${r.resourceType}/${r.id}`));
  const missing = refsOf(source).filter((ref) => !ref.startsWith('#') && !included.has(ref.replace(/^.*\/([A-Z][A-Za-z]+\/[^/]+)$/, '$1')));
  if (missing.length) return result(ctx, 'fail', `${reply.url} did not include ${missing.join(', ')}`, 'server');
  state.addDelayed(reply.included);
  return result(ctx, 'pass', `${reply.included.length} included`);
}

/** US Core's `_revinclude=Provenance:target` on the group's first search; the Provenance found feed the Provenance group. */
export async function provenanceTest(ctx: TestContext): Promise<TestResult> {
  const { state } = ctx;
  const type = ctx.metadata.resource;
  const names = ctx.test.properties?.search_param_names ?? [];
  let provenance = 0;
  for (const patient of state.patients) {
    for (const params of fixedCombos(ctx, names, patient)) {
      const reply = await state.client.search(type, [...params, ['_revinclude', 'Provenance:target']], { pages: state.pages });
      if (reply.problem) return result(ctx, 'fail', reply.problem, 'server');
      const found = reply.included.filter((r) => r.resourceType === 'Provenance');
      state.addDelayed(found);
      provenance += found.length;
    }
  }
  if (!provenance) return result(ctx, 'skip', `no Provenance targets the ${type} resources found for the patients`, 'data');
  return result(ctx, 'pass', `${provenance} Provenance found`);
}
