// The SQLite store's search (src/serve/store/keys.ts, sqlite-repository.ts, raw-json.ts) against the in-memory
// repository it extends and must agree with (issue 19): random small sets of a generated member's resources, edited
// at random, loaded into both, then random searches over the parameters the sandbox serves (R4, CARIN BB, US Core,
// the payer IGs) and random writes (updates, creates, deletes, transactions committed and rolled back), each answer
// compared whole. In process: no HTTP, the IG packages read once per file.
// About 4 s of CPU in all (generating two members and reading the IG packages' search parameters once, 1.4 s of it);
// more on a busy machine. STORE_SEARCH_RUNS and STORE_SEARCH_SEED: see RUNS.
import fc from 'fast-check';
import { evalFhirPath, getSearchParameters, parseSearchRequest, type SearchRequest } from '@medplum/core';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findProfiles } from '../../src/serve/capability.js';
import { patientEverything } from '../../src/serve/everything.js';
import { igSearchParameters } from '../../src/serve/ig-search-parameters.js';
import { AtomicMemoryRepository, indexR4Definitions, indexSearchParameters } from '../../src/serve/router.js';
import { planSearch, runSearch, type Query } from '../../src/serve/search-extras.js';
import { openStore, type OpenedStore } from '../../src/serve/store/open.js';
import { answerText } from '../../src/serve/store/raw-json.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const BASE = 'http://sandbox.test/fhir';
/** The resource types a case draws from (each at most a few resources), in this order. */
const TYPES = [
  'Patient', 'Coverage', 'ExplanationOfBenefit', 'Observation', 'Condition', 'Encounter', 'Practitioner', 'Organization',
  'PractitionerRole', 'Location', 'MedicationRequest', 'Procedure', 'DocumentReference', 'DiagnosticReport', 'Immunization',
  'InsurancePlan', 'Provenance', 'ServiceRequest', 'QuestionnaireResponse',
];
const SEARCHED_TYPES = new Set(['reference', 'token', 'date', 'string', 'uri']);
/** Parameters that neither repository answers in a way worth comparing (full-text, named queries, filters). */
const LEFT_OUT = new Set(['_text', '_content', '_query', '_filter', '_list', '_has', '_type']);

/**
 * fast-check's options: STORE_SEARCH_RUNS cases per property (default 30; fewer under Stryker, more when hunting),
 * STORE_SEARCH_SEED a fixed seed (a failure prints its seed and path: pass them to replay it), STORE_SEARCH_SHRINK.
 */
const RUNS = {
  numRuns: Number(process.env.STORE_SEARCH_RUNS ?? 30),
  ...(process.env.STORE_SEARCH_SEED ? { seed: Number(process.env.STORE_SEARCH_SEED) } : {}),
  // STORE_SEARCH_SHRINK=0: the first failure as found, not shrunk (under Stryker, where shrinking ran past its timeout).
  ...(process.env.STORE_SEARCH_SHRINK === '0' ? { endOnFailure: true } : {}),
};

/** One generated member population, by type, in file order. */
let pool = new Map<string, Resource[]>();
let patients: string[] = [];

/**
 * The population, generated once per process: Stryker's runner (isolate: false) runs this file again for every
 * mutant, and the data does not depend on the store code it mutates.
 */
const shared = globalThis as { fhirseedStoreSearchPool?: Map<string, Resource[]>; fhirseedStoreSearchParameters?: SearchParameter[] };

beforeAll(() => {
  shared.fhirseedStoreSearchParameters ??= [...findProfiles(SHARED_PACKAGES).searchParameters, ...igSearchParameters(SHARED_PACKAGES).searchParameters];
  // As the sandbox does: the IGs' parameters R4 lacks (CARIN's service-date, US Core's, the payer IGs').
  indexSearchParameters(shared.fhirseedStoreSearchParameters);
  if (!shared.fhirseedStoreSearchPool) {
    const out = tempDir('fhirseed-store-search-');
    try {
      generateTo(out.dir, { ...shippedProfile('default'), members: 2 });
      const dir = join(out.dir, 'ndjson');
      const found = new Map<string, Resource[]>();
      for (const file of readdirSync(dir).sort()) {
        const resources = readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Resource);
        found.set(resources[0]!.resourceType, resources);
      }
      shared.fhirseedStoreSearchPool = found;
    } finally {
      out.cleanup();
    }
  }
  pool = shared.fhirseedStoreSearchPool;
  patients = (pool.get('Patient') ?? []).map((p) => p.id!);
  // Every write of both repositories at the same instant: their meta.lastUpdated equal, so answers compare whole.
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-30T12:00:00.000Z') });
}, 120_000);

afterAll(() => {
  vi.useRealTimers();
});

// ---------------------------------------------------------------------------------------------------------------
// Edits: one small change at a chosen place of a resource, the kind of difference the index keys must follow.

const EDITS = ['upper', 'absolute', 'versioned', 'retarget', 'long', 'colon', 'numeric', 'drop', 'narrative', 'tag', 'lastUpdated', 'contained', 'canonical', 'boolean'] as const;
type Edit = (typeof EDITS)[number];

/** Every [holder, key] under `node` whose value passes `test` (depth first, in key order). */
function places(node: unknown, test: (key: string, value: unknown) => boolean, into: [Record<string, unknown>, string][] = []): [Record<string, unknown>, string][] {
  if (Array.isArray(node)) for (const v of node) places(v, test, into);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (test(k, v)) into.push([node as Record<string, unknown>, k]);
      places(v, test, into);
    }
  }
  return into;
}

/** `resource` with one edit at its `at`-th fitting place (a copy; the resource itself when no place fits). */
function edited(resource: Resource, edit: Edit, at: number): Resource {
  const r = structuredClone(resource) as Resource & Record<string, unknown>;
  const one = (test: (key: string, value: unknown) => boolean, change: (value: string) => unknown) => {
    const found = places(r, test);
    if (!found.length) return;
    const [holder, key] = found[at % found.length]!;
    holder[key] = change(holder[key] as string);
  };
  const isCode = (k: string, v: unknown) => k === 'code' && typeof v === 'string';
  const isRef = (k: string, v: unknown) => k === 'reference' && typeof v === 'string' && /^[A-Z][A-Za-z]+\/[^/]+$/.test(v);
  switch (edit) {
    case 'upper':
      one(isCode, (v) => (v === v.toUpperCase() ? v.toLowerCase() : v.toUpperCase()));
      break;
    case 'absolute':
      one(isRef, (v) => `https://other.example/fhir/${v}`);
      break;
    case 'versioned':
      one(isRef, (v) => `${v}/_history/2`);
      break;
    case 'retarget':
      one((k, v) => isRef(k, v) && (v as string).startsWith('Patient/'), (v) => `Patient/${patients.find((p) => `Patient/${p}` !== v) ?? 'nobody'}`);
      break;
    case 'long':
      one(isCode, (v) => `${v}-${'x'.repeat(130)}`);
      break;
    case 'colon':
      one(isCode, (v) => `urn:x:${v}`);
      break;
    case 'numeric':
      one((k, v) => k === 'value' && typeof v === 'string', () => String(10_000 + at));
      break;
    case 'drop': {
      const keys = Object.keys(r).filter((k) => !['resourceType', 'id', 'meta'].includes(k));
      if (keys.length) delete r[keys[at % keys.length]!];
      break;
    }
    case 'narrative':
      r.text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">final laboratory Patient/nobody</div>' };
      break;
    case 'tag':
      r.meta = { ...r.meta, tag: [...(r.meta?.tag ?? []), { system: 'urn:fhirseed:test', code: at % 2 ? 'Edited' : 'edited' }] };
      break;
    case 'lastUpdated':
      r.meta = { ...r.meta, lastUpdated: ['2024-01-02T03:04:05.678Z', '2025-06-30T00:00:00Z', '2023-12-31T23:59:59Z'][at % 3] };
      break;
    case 'contained':
      r.contained = [{ resourceType: 'Observation', id: `c${at % 3}`, status: 'final', code: { text: 'contained' }, subject: { reference: `Patient/${patients[at % patients.length]}` } } as Resource];
      break;
    case 'canonical':
      r.meta = { ...r.meta, profile: [...(r.meta?.profile ?? []), `Patient/${patients[at % patients.length]}|2`] };
      break;
    case 'boolean':
      one((k, v) => typeof v === 'boolean', (v) => !v);
      break;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Queries: values taken from the resources themselves (so that searches find something), in the forms clients write.

type Gen = (arb: (...args: never[]) => fc.Arbitrary<unknown>, ...args: unknown[]) => unknown;
const pick = <T>(g: Gen, values: readonly T[]): T => g(fc.constantFrom as never, ...values) as T;
const int = (g: Gen, min: number, max: number): number => g(fc.integer as never, { min, max }) as number;

function searchable(type: string): SearchParameter[] {
  return Object.values(getSearchParameters(type) ?? {})
    .filter((p) => SEARCHED_TYPES.has(p.type ?? '') && !LEFT_OUT.has(p.code ?? ''))
    .sort((a, b) => (a.code! < b.code! ? -1 : a.code! > b.code! ? 1 : 0));
}

function evaluated(param: SearchParameter, resource: Resource | undefined): unknown[] {
  if (!resource) return [];
  if (param.code === '_id') return [resource.id];
  if (param.code === '_lastUpdated') return [resource.meta?.lastUpdated];
  try {
    return param.expression ? evalFhirPath(param.expression, resource) : [];
  } catch {
    return [];
  }
}

/** [system, code] pairs of token values (codings, identifiers, codes, booleans), and texts. */
function tokens(values: unknown[]): { pairs: [string | undefined, string][]; texts: string[] } {
  const pairs: [string | undefined, string][] = [];
  const texts: string[] = [];
  for (const v of values) {
    if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') pairs.push([undefined, String(v)]);
    else if (v && typeof v === 'object') {
      const o = v as { coding?: { system?: string; code?: string; display?: string }[]; system?: string; code?: string; value?: string; text?: string };
      for (const c of o.coding ?? []) {
        if (c.code) pairs.push([c.system, c.code]);
        // A display or text as a token value: medplum's matcher and the store's keys must agree on those too.
        if (c.display) pairs.push([undefined, c.display]);
      }
      if (typeof o.code === 'string') pairs.push([o.system, o.code]);
      if (typeof o.value === 'string') pairs.push([o.system, o.value]);
      if (o.text) {
        texts.push(o.text);
        pairs.push([undefined, o.text]);
      }
    }
  }
  return { pairs, texts };
}

function strings(values: unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  values.forEach(walk);
  return out.filter(Boolean);
}

function dates(values: unknown[]): string[] {
  return values.flatMap((v) => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? [(v as { start?: string }).start, (v as { end?: string }).end].filter((d): d is string => !!d) : []));
}

/** One parameter's [key, value] for a search of `type`, its value read from `source` (or made up when it has none). */
function condition(g: Gen, type: string, param: SearchParameter, source: Resource | undefined, other: Resource | undefined): [string, string] {
  const code = param.code!;
  if (int(g, 0, 12) === 0) return [`${code}:missing`, pick(g, ['true', 'false'])];
  const values = evaluated(param, source);
  const others = evaluated(param, other);
  switch (param.type) {
    case 'reference': {
      const refs = [...values, ...others].map((v) => (v as { reference?: string } | undefined)?.reference).filter((r): r is string => typeof r === 'string');
      const ref = refs.length ? pick(g, refs) : `${param.target?.[0] ?? 'Patient'}/nobody`;
      const form = int(g, 0, 6);
      if (form === 1 && ref.includes('/')) return [code, ref.slice(ref.lastIndexOf('/') + 1)];
      if (form === 2 && refs.length > 1) return [code, `${refs[0]},${refs[refs.length - 1]}`];
      if (form === 3) return [code, `${ref.split('/')[0] ?? 'Patient'}/nobody`];
      if (form === 4) return [code, `https://other.example/fhir/${ref}`];
      if (form === 5 && /^[A-Z][A-Za-z]+\/[^/]+$/.test(ref) && (param.target ?? []).includes(ref.split('/')[0] as never)) return [`${code}:${ref.split('/')[0]}`, ref.split('/')[1]!];
      return [code, ref];
    }
    case 'token': {
      if (code === '_id') return [code, pick(g, [source?.id ?? 'nobody', `${source?.id ?? 'nobody'},${other?.id ?? 'nobody'}`, 'nobody'])];
      const { pairs, texts } = tokens([...values, ...others]);
      const [system, value] = pairs.length ? pick(g, pairs) : [undefined, 'nothing'];
      const form = int(g, 0, 9);
      if (form === 1 && system) return [code, `${system}|${value}`];
      if (form === 2) return [code, `|${value}`];
      if (form === 3 && system) return [code, `${system}|`];
      if (form === 4) return [code, value.toUpperCase()];
      if (form === 5 && pairs.length > 1) return [code, `${pairs[0]![1]},${pairs[pairs.length - 1]![1]}`];
      if (form === 6) return [`${code}:not`, value];
      if (form === 7 && texts.length) return [`${code}:text`, pick(g, texts).slice(0, int(g, 1, 12))];
      if (form === 8) return [code, `${value}-${'x'.repeat(130)}`];
      if (form === 9) return [code, 'nothing'];
      return [code, value];
    }
    case 'date': {
      const found = dates([...values, ...others]);
      const date = found.length ? pick(g, found) : '2024-01-02';
      const cut = pick(g, [4, 7, 10, date.length]);
      return [code, `${pick(g, ['', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'])}${date.slice(0, cut)}`];
    }
    case 'string': {
      const found = strings([...values, ...others]);
      const text = found.length ? pick(g, found) : 'nothing';
      const form = int(g, 0, 4);
      if (form === 1) return [code, text.slice(0, int(g, 1, Math.max(1, text.length)))];
      if (form === 2) return [code, text.toLowerCase()];
      if (form === 3) return [`${code}:exact`, text];
      if (form === 4) return [`${code}:contains`, text.slice(Math.floor(text.length / 3), Math.max(Math.floor(text.length / 3) + 1, text.length - 1))];
      return [code, text];
    }
    default: {
      const found = strings([...values, ...others]);
      return [code, found.length ? pick(g, found) : 'urn:nothing'];
    }
  }
}

/** A random search of one type among `loaded`: 1-3 conditions, and maybe sort, paging, total, summary, includes. */
function randomSearch(g: Gen, loaded: Resource[]): { type: string; query: Query } {
  const types = [...new Set(loaded.map((r) => r.resourceType))].sort();
  const type = pick(g, types);
  const own = loaded.filter((r) => r.resourceType === type);
  const params = searchable(type);
  const query: Query = {};
  const add = (key: string, value: string) => {
    const had = query[key];
    query[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  };
  for (let i = int(g, 1, 3); i > 0 && params.length; i--) {
    const param = pick(g, params);
    const [key, value] = condition(g, type, param, pick(g, own), pick(g, loaded));
    add(key, value);
  }
  const sortable = params.filter((p) => p.type !== 'reference' || int(g, 0, 3) === 0);
  if (int(g, 0, 2) === 0 && sortable.length) query._sort = `${pick(g, ['', '-'])}${pick(g, sortable).code}${int(g, 0, 3) === 0 ? `,${pick(g, sortable).code}` : ''}`;
  if (int(g, 0, 1) === 0) query._count = String(int(g, 0, 4));
  if (int(g, 0, 2) === 0) query._offset = String(int(g, 0, 4));
  if (int(g, 0, 4) === 0) query._total = pick(g, ['accurate', 'none']);
  if (int(g, 0, 9) === 0) query._summary = 'count';
  const references = params.filter((p) => p.type === 'reference' && !p.code!.startsWith('_'));
  if (int(g, 0, 2) === 0 && references.length) add(pick(g, ['_include', '_include:iterate']), `${type}:${pick(g, references).code}`);
  const pointing = TYPES.flatMap((source) => searchable(source).filter((p) => p.type === 'reference' && (p.target ?? []).includes(type as never)).map((p) => `${source}:${p.code}`));
  if (int(g, 0, 2) === 0 && pointing.length) add(pick(g, ['_revinclude', '_revinclude:iterate']), pick(g, pointing));
  if (int(g, 0, 5) === 0) add('_include:iterate', pick(g, ['PractitionerRole:organization', 'PractitionerRole:location', 'Location:organization', 'Coverage:payor', 'ExplanationOfBenefit:provider']));
  return { type, query };
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing: answers as JSON, without meta.versionId and a history entry's response.etag (`W/"versionId"`): random
// per repository.

function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'versionId' || key === 'etag' ? undefined : v))) as T;
}

function failure(error: unknown): { error: string } {
  const e = error as { outcome?: { issue?: { details?: { text?: string } }[] }; message?: string };
  return { error: e.outcome?.issue?.[0]?.details?.text ?? e.message ?? String(error) };
}

/** runSearch's answer as the client would read it, or its error; the store's answer text checked against JSON.stringify. */
function searched(repo: AtomicMemoryRepository, type: string, query: Query, text: boolean): unknown {
  try {
    const bundle = runSearch(repo, planSearch(type, query), BASE, query);
    if (text) expect(answerText(bundle)).toBe(JSON.stringify(bundle));
    return plain(bundle);
  } catch (error) {
    return failure(error);
  }
}

/** medplum's search contract (conditional writes use it): filters, count and offset, no sort. */
async function contractSearch(repo: AtomicMemoryRepository, type: string, query: Query): Promise<unknown> {
  try {
    const filters = Object.fromEntries(Object.entries(query).filter(([k]) => !k.startsWith('_include') && !k.startsWith('_revinclude') && !['_sort', '_summary', '_total'].includes(k)));
    const request = parseSearchRequest(type, filters) as SearchRequest;
    return plain(await repo.search(request));
  } catch (error) {
    return failure(error);
  }
}

/** Everything a client can read of a repository: every type's resources in order, every history, every $everything. */
async function state(repo: AtomicMemoryRepository, keys: [string, string][]): Promise<unknown> {
  const types = repo.types().sort();
  const all = Object.fromEntries(types.map((t) => [t, plain([...repo.all(t)])]));
  const histories: unknown[] = [];
  for (const [type, id] of keys) histories.push(await repo.readHistory(type, id).then(plain, failure));
  const everything: unknown[] = [];
  for (const id of patients) everything.push(await patientEverything(repo, id, BASE).then(plain, failure));
  const has = keys.map(([type, id]) => repo.has(type, id));
  return { types, all, histories, everything, has };
}

interface Pair {
  memory: AtomicMemoryRepository;
  store: OpenedStore;
}

/** Both repositories with `resources` preloaded, the store built as the sandbox builds it (batches, then markLoaded). */
async function loadBoth(resources: Resource[], batch: number): Promise<Pair> {
  const memory = new AtomicMemoryRepository();
  for (const r of resources) await memory.preload(r);
  const store = openStore(undefined, []);
  for (let i = 0; i < resources.length; i += batch) {
    await store.repo.withTransaction(async () => {
      for (const r of resources.slice(i, i + batch)) await store.repo.preload(r);
    });
  }
  store.markLoaded();
  return { memory, store };
}

async function expectSameSearches(g: Gen, pair: Pair, loaded: Resource[], howMany: number): Promise<void> {
  for (let i = 0; i < howMany && loaded.length; i++) {
    const { type, query } = randomSearch(g, loaded);
    const label = `${type}?${new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x]))).toString()}`;
    expect(searched(pair.store.repo, type, query, true), label).toEqual(searched(pair.memory, type, query, false));
    expect(await contractSearch(pair.store.repo, type, query), `search contract: ${label}`).toEqual(await contractSearch(pair.memory, type, query));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Writes: the same operations on both repositories, their answers compared one by one.

const WRITES = ['update', 'same', 'create', 'put-create', 'delete', 'if-match', 'stale-if-match', 'commit', 'rollback'] as const;
type Write = { kind: (typeof WRITES)[number]; target: number; edit: Edit; at: number; inner: Write[] };
const simpleWrite = fc.record({ kind: fc.constantFrom(...WRITES.slice(0, 7)), target: fc.nat(), edit: fc.constantFrom(...EDITS), at: fc.nat(), inner: fc.constant([] as Write[]) });
const write: fc.Arbitrary<Write> = fc.record({ kind: fc.constantFrom(...WRITES), target: fc.nat(), edit: fc.constantFrom(...EDITS), at: fc.nat(), inner: fc.array(simpleWrite, { minLength: 1, maxLength: 3 }) });

async function apply(repo: AtomicMemoryRepository, w: Write, keys: [string, string][], fresh: Resource[]): Promise<unknown> {
  const [type, id] = keys[w.target % keys.length]!;
  const current = repo.get(type, id);
  try {
    switch (w.kind) {
      case 'update':
        return plain(await repo.updateResource(edited(current ?? ({ resourceType: type, id } as Resource), w.edit, w.at)));
      case 'same':
        return plain(await repo.updateResource(structuredClone(current ?? ({ resourceType: type, id } as Resource))));
      case 'create':
        return plain(await repo.createResource(edited(fresh[w.target % fresh.length]!, w.edit, w.at)));
      case 'put-create':
        return plain(await repo.updateResource(edited({ ...fresh[0]!, id: `put-${w.at % 2}` }, w.edit, w.at)));
      case 'delete':
        await repo.deleteResource(type, id);
        return 'deleted';
      case 'if-match':
        return plain(await repo.updateResource(edited(current ?? ({ resourceType: type, id } as Resource), w.edit, w.at), { ifMatch: current?.meta?.versionId ?? 'none' }));
      case 'stale-if-match':
        return plain(await repo.updateResource(edited(current ?? ({ resourceType: type, id } as Resource), w.edit, w.at), { ifMatch: 'stale' }));
      case 'commit':
      case 'rollback':
        return await repo.withTransaction(async () => {
          const answers: unknown[] = [];
          for (const inner of w.inner) answers.push(await apply(repo, inner, keys, fresh));
          if (w.kind === 'rollback') throw new Error(`rolled back after ${JSON.stringify(answers)}`);
          return answers;
        });
    }
  } catch (error) {
    return failure(error);
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** A case's data: a few resources of each type, some edited, some met twice during the load. */
function dataSet(): fc.Arbitrary<{ resources: Resource[]; fresh: Resource[]; batch: number }> {
  const types = TYPES.filter((t) => pool.has(t));
  return fc
    .record({
      picks: fc.tuple(...types.map((t) => fc.subarray(pool.get(t)!, { minLength: t === 'Patient' ? 1 : 0, maxLength: t === 'Patient' ? 2 : 3 }))),
      edits: fc.array(fc.record({ target: fc.nat(), edit: fc.constantFrom(...EDITS), at: fc.nat(), again: fc.boolean() }), { maxLength: 8 }),
      fresh: fc.array(fc.constantFrom(...types.flatMap((t) => pool.get(t)!.slice(-2))), { minLength: 1, maxLength: 3 }),
      batch: fc.constantFrom(1, 7, 1000),
    })
    .map(({ picks, edits, fresh, batch }) => {
      const resources = picks.flat().map((r) => structuredClone(r));
      const later: Resource[] = [];
      for (const { target, edit, at, again } of edits) {
        if (!resources.length) break;
        const i = target % resources.length;
        // `again`: the edit as a second version of the same id met later in the load; else in place.
        if (again) later.push(edited(resources[i]!, edit, at));
        else resources[i] = edited(resources[i]!, edit, at);
      }
      return { resources: [...resources, ...later], fresh: fresh.map((r) => ({ ...structuredClone(r), id: `new-${r.id}` })), batch };
    });
}

describe('SQLite store against the in-memory repository', () => {
  it('should find what memory finds for the two disagreements the properties found: an id repeated in _id, and a computed token (Patient?deceased=false)', async () => {
    const living = { resourceType: 'Patient', id: 'living', meta: { lastUpdated: '2025-01-01T00:00:00Z' } } as Resource;
    const dead = { resourceType: 'Patient', id: 'dead', deceasedBoolean: true, meta: { lastUpdated: '2025-01-01T00:00:00Z' } } as Resource;
    const pair = await loadBoth([living, dead], 1000);
    try {
      const cases: [Query, number][] = [[{ _id: 'living,living' }, 1], [{ _id: 'living,dead,living' }, 2], [{ deceased: 'false' }, 1], [{ deceased: 'true' }, 1], [{ deceased: 'false,true' }, 2]];
      for (const [query, total] of cases) {
        const memory = searched(pair.memory, 'Patient', query, false) as Bundle;
        expect(searched(pair.store.repo, 'Patient', query, true), JSON.stringify(query)).toEqual(memory);
        expect(memory.total, JSON.stringify(query)).toBe(total);
      }
    } finally {
      pair.store.close();
    }
  });

  it('should keep a resource where it was in the search order after a rolled-back transaction deleted it (both repositories)', async () => {
    const patient = (id: string) => ({ resourceType: 'Patient', id, gender: 'female', meta: { lastUpdated: '2025-01-01T00:00:00Z' } }) as Resource;
    const pair = await loadBoth([patient('a'), patient('b'), patient('c')], 1000);
    try {
      for (const repo of [pair.memory, pair.store.repo]) {
        const failed = repo.withTransaction(async () => {
          await repo.deleteResource('Patient', 'a');
          await repo.updateResource(patient('d'));
          // Versions read inside the transaction (the store caches what it reads) must not outlive its rollback.
          await repo.readResource('Patient', 'd');
          await repo.updateResource({ ...patient('c'), gender: 'male' } as Resource);
          await repo.readResource('Patient', 'c');
          await repo.deleteResource('Patient', 'b');
          throw new Error('bundle refused');
        });
        await expect(failed).rejects.toThrow('bundle refused');
        const bundle = searched(repo, 'Patient', { gender: 'female' }, repo === pair.store.repo) as Bundle;
        expect(bundle.entry?.map((e) => e.resource?.id)).toEqual(['a', 'b', 'c']);
      }
      const keys: [string, string][] = [['Patient', 'a'], ['Patient', 'b'], ['Patient', 'c'], ['Patient', 'd']];
      expect(await state(pair.store.repo, keys)).toEqual(await state(pair.memory, keys));
      expect(pair.store.repo.has('Patient', 'd')).toBe(false);
      expect((pair.store.repo.get('Patient', 'c') as { gender?: string }).gender).toBe('female');
    } finally {
      pair.store.close();
    }
  });

  it('should agree on the writes the properties do not draw: versions read back, refused writes, nested transactions, clear; and narrow to the keys a resource holds now', async () => {
    const obs = (id: string, category: string, patient: string) =>
      ({ resourceType: 'Observation', id, status: 'final', code: { text: id }, subject: { reference: `Patient/${patient}` }, category: [{ coding: [{ system: 'urn:c', code: category }] }], meta: { lastUpdated: '2025-01-01T00:00:00Z' } }) as Resource;
    const pair = await loadBoth([{ resourceType: 'Patient', id: 'p1' } as Resource, obs('o1', 'laboratory', 'p1'), obs('o2', 'vital-signs', 'p1')], 1000);
    const keys: [string, string][] = [['Patient', 'p1'], ['Observation', 'o1'], ['Observation', 'o2'], ['Observation', 'o3']];
    try {
      const both = async (f: (repo: AtomicMemoryRepository) => Promise<unknown>) => {
        const [memory, store] = [await f(pair.memory).then(plain, failure), await f(pair.store.repo).then(plain, failure)];
        expect(store).toEqual(memory);
        return store;
      };
      await both((repo) => repo.updateResource(obs('o1', 'survey', 'p2')));
      // A version read back by its versionId (each repository's own), and one that never was.
      for (const repo of [pair.memory, pair.store.repo]) {
        const history = await repo.readHistory('Observation', 'o1');
        expect(history.entry).toHaveLength(2);
        for (const { resource } of history.entry ?? []) expect(await repo.readVersion('Observation', 'o1', resource!.meta!.versionId!)).toEqual(resource);
        expect(failure(await repo.readVersion('Observation', 'o1', 'nope').catch((e: unknown) => e))).toEqual(failure(await pair.memory.readVersion('Observation', 'o1', 'nope').catch((e: unknown) => e)));
      }
      // The keys o1 no longer holds narrow it out; those it holds now narrow it in.
      const ids = (filters: Record<string, string>) => [...pair.store.repo.candidates('Observation', filters)].map((r) => r.id);
      expect(ids({ category: 'laboratory' })).toEqual([]);
      expect(ids({ category: 'survey' })).toEqual(['o1']);
      expect(ids({ subject: 'Patient/p1' })).toEqual(['o2']);
      expect(ids({ subject: 'Patient/p2', category: 'SURVEY' })).toEqual(['o1']);
      expect([...pair.store.repo.referring('Observation', 'Patient/p2')].map((r) => r.id)).toEqual(['o1']);
      await both((repo) => repo.createResource({ resourceType: 'NotAType', id: 'x' } as unknown as Resource));
      await both((repo) => repo.updateResource({ resourceType: 'Observation' } as Resource));
      await both((repo) => repo.readResource('Observation', 'o9'));
      await both((repo) => repo.readHistory('Observation', 'o9'));
      await both((repo) => repo.deleteResource('Observation', 'o9'));
      await both((repo) => repo.preload({ resourceType: 'NotAType', id: 'x' } as unknown as Resource));
      // A nested transaction's failure caught inside the outer one: its writes stay, the outer one commits.
      await both((repo) =>
        repo.withTransaction(async () => {
          await repo.updateResource(obs('o3', 'laboratory', 'p1'));
          await repo.withTransaction(async () => {
            await repo.deleteResource('Observation', 'o2');
            throw new Error('inner refused');
          }).catch(() => undefined);
          return 'committed';
        }),
      );
      expect(await state(pair.store.repo, keys)).toEqual(await state(pair.memory, keys));
      expect(ids({ category: 'vital-signs' })).toEqual([]);
      expect(ids({ category: 'laboratory' })).toEqual(['o3']);
      pair.memory.clear();
      pair.store.repo.clear();
      expect(pair.store.repo.count()).toBe(0);
      expect(await state(pair.store.repo, keys)).toEqual(await state(pair.memory, keys));
      expect(ids({ category: 'laboratory' })).toEqual([]);
      await both((repo) => repo.updateResource(obs('o1', 'laboratory', 'p1')));
      expect(ids({ category: 'laboratory' })).toEqual(['o1']);
    } finally {
      pair.store.close();
    }
  });

  it('should agree at the edges of what the index decides: _id given twice, a reference no branch can hold, a value it cannot key; and hand out pages it cannot change', async () => {
    const obs = (id: string, patient: string, code: string) =>
      ({ resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'urn:c', code }] }, subject: { reference: patient }, meta: { lastUpdated: '2025-01-01T00:00:00Z' } }) as Resource;
    const resources = [{ resourceType: 'Patient', id: 'p1' } as Resource, obs('o1', 'Patient/p1', 'a'), obs('o2', 'Group/g1', 'B'), obs('o3', 'https://other.example/fhir/Patient/p1', 'a'), obs('o4', 'urn:uuid:7f1f7a55-0000-4000-8000-000000000001', 'z')];
    const pair = await loadBoth(resources, 1000);
    try {
      const cases: [Query, number][] = [
        [{ _id: ['o1,o2', 'o2,o3'] }, 1],
        [{ _id: ['o1', 'o2'] }, 0],
        [{ _id: 'o1', code: 'a' }, 1],
        [{ _id: 'o2', code: 'a' }, 0],
        [{ subject: 'Patient/p1', patient: 'Group/g1' }, 0],
        [{ patient: 'Group/g1' }, 0],
        [{ subject: 'Group/g1' }, 1],
        [{ subject: 'Group/g1', code: 'B' }, 1],
        [{ subject: 'Group/g1', code: 'b' }, 0],
        // Codes nobody holds, in either case (a term key that lost its value would match any other term).
        [{ code: 'zzz' }, 0],
        [{ code: 'ZZZ' }, 0],
        [{ code: 'urn:c|a' }, 2],
        [{ code: `${'a'.repeat(130)}` }, 0],
        [{ subject: 'https://other.example/fhir/Patient/p1' }, 1],
        [{ subject: 'urn:uuid:7f1f7a55-0000-4000-8000-000000000001' }, 1],
        [{ patient: 'p1', code: 'a,B' }, 1],
        [{ _summary: 'count', patient: 'p1' }, 1],
      ];
      for (const [query, total] of cases) {
        const memory = searched(pair.memory, 'Observation', query, false) as Bundle;
        expect(searched(pair.store.repo, 'Observation', query, true), JSON.stringify(query)).toEqual(memory);
        expect(memory.total, JSON.stringify(query)).toBe(total);
      }
      // A page the index decided whole is handed out as stored, read lazily: it reads as the resource, and refuses changes.
      const page = runSearch(pair.store.repo, planSearch('Observation', { _id: 'o1' }), BASE, { _id: 'o1' });
      const resource = page.entry![0]!.resource! as Resource & Record<string, unknown>;
      expect(Object.keys(resource).sort()).toEqual(Object.keys(pair.memory.get('Observation', 'o1')!).sort());
      expect('subject' in resource).toBe(true);
      expect('nothing' in resource).toBe(false);
      expect(plain(resource)).toEqual(plain(pair.memory.get('Observation', 'o1')));
      expect(() => (resource.status = 'amended')).toThrow(TypeError);
      expect(() => delete resource.status).toThrow(TypeError);
      expect(() => Object.defineProperty(resource, 'status', { value: 'amended' })).toThrow(TypeError);
      expect(resource.status).toBe('final');
      expect(answerText(page)).toBe(JSON.stringify(page));
    } finally {
      pair.store.close();
    }
  });

  it('should narrow by a term only the values keys.ts keeps (at most 128 characters, no colon or bar, not a date or number), every resource of the type otherwise', async () => {
    const exactly = 'c'.repeat(128);
    const values = [exactly, `${exactly}x`, 'urn:x:y', 'a|b', '2024-01-02', '12345', '-1.5', 'plain'];
    const resources = [{ resourceType: 'Patient', id: 'p1' } as Resource, ...values.map((code, i) => ({ resourceType: 'Observation', id: `o${i}`, status: 'final', code: { coding: [{ code }] }, subject: { reference: 'Patient/p1' } }) as Resource)];
    const pair = await loadBoth(resources, 1000);
    try {
      const ids = (code: string) => [...pair.store.repo.candidates('Observation', { code })].map((r) => r.id);
      const all = values.map((_, i) => `o${i}`);
      expect(ids(exactly)).toEqual(['o0']);
      expect(ids('PLAIN')).toEqual(['o7']);
      expect(ids('urn:c|plain')).toEqual(['o7']);
      // Not kept as terms: such a value is not narrowed (medplum's matcher then decides among them all).
      for (const code of [`${exactly}x`, 'urn:x:y', '2024-01-02', '12345', '-1.5', 'urn:c|a|b', 'urn:c|']) expect(ids(code), code).toEqual(all);
      for (const [code, total] of [[exactly, 1], [`${exactly}x`, 1], ['urn:x:y', 1], ['2024-01-02', 1], ['12345', 1], ['-1.5', 1], ['plain', 1], ['nothing', 0]] as const) {
        const memory = searched(pair.memory, 'Observation', { code }, false) as Bundle;
        expect(searched(pair.store.repo, 'Observation', { code }, true), code).toEqual(memory);
        expect(memory.total, code).toBe(total);
      }
    } finally {
      pair.store.close();
    }
  });

  it('should answer random searches over a member\'s edited resources as the memory repository does: same matches, order, totals, pages and includes', async () => {
    await fc.assert(
      fc.asyncProperty(dataSet(), fc.gen(), async ({ resources, batch }, g) => {
        const pair = await loadBoth(resources, batch);
        try {
          const keys = [...new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, [r.resourceType, r.id!] as [string, string]])).values()];
          expect(await state(pair.store.repo, keys)).toEqual(await state(pair.memory, keys));
          expect(pair.store.repo.count()).toBe(keys.length);
          await expectSameSearches(g as unknown as Gen, pair, resources, 12);
        } finally {
          pair.store.close();
        }
      }),
      RUNS,
    );
  }, 120_000);

  it('should agree after random writes: updates (keys that go and come), creates, deletes, if-match, transactions committed and rolled back', async () => {
    await fc.assert(
      fc.asyncProperty(dataSet(), fc.array(write, { minLength: 1, maxLength: 6 }), fc.gen(), async ({ resources, fresh, batch }, writes, g) => {
        const pair = await loadBoth(resources, batch);
        try {
          const keys = [...new Map([...resources, ...fresh, { resourceType: fresh[0]!.resourceType, id: 'put-0' }, { resourceType: fresh[0]!.resourceType, id: 'put-1' }].map((r) => [`${r.resourceType}/${r.id}`, [r.resourceType, r.id!] as [string, string]])).values()];
          for (const w of writes) {
            const [memoryAnswer, storeAnswer] = [await apply(pair.memory, w, keys, fresh), await apply(pair.store.repo, w, keys, fresh)];
            expect(storeAnswer, JSON.stringify({ ...w, target: keys[w.target % keys.length] })).toEqual(memoryAnswer);
          }
          expect(await state(pair.store.repo, keys)).toEqual(await state(pair.memory, keys));
          const now = keys.flatMap(([type, id]) => pair.memory.get(type, id) ?? []);
          await expectSameSearches(g as unknown as Gen, pair, now, 8);
        } finally {
          pair.store.close();
        }
      }),
      RUNS,
    );
  }, 120_000);
});
