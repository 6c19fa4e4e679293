// The SQLite store keeps no term key for displays, texts and a Quantity's unit and code (keys.ts unkeyedLeaf: about a
// third of the keys of fhirseed's output), which no token search compares as a code. A differential property over a
// generated population: random searches of the kinds the sandbox and the Inferno kits run, with values drawn from the
// data (displays and texts among them), answer the same ids in the same order from the SQLite store as from the
// in-memory repository. In process, a few members.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { evalFhirPath, getSearchParameters, parseSearchRequest } from '@medplum/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Observation, Resource, SearchParameter } from '@medplum/fhirtypes';
import { findProfiles, profileIgs } from '../../src/serve/capability.js';
import { igSearchParameters } from '../../src/serve/ig-search-parameters.js';
import { AtomicMemoryRepository, indexR4Definitions, indexSearchParameters } from '../../src/serve/router.js';
import { planSearch, runSearch } from '../../src/serve/search-extras.js';
import { indexKeys, termsCover, tokenPrefix } from '../../src/serve/store/keys.js';
import { openStore, type OpenedStore } from '../../src/serve/store/open.js';
import { readsUnkeyedLeaf } from '../../src/serve/store/term-reach.js';
import { propertySeed } from '../helpers/fast-check-seed.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const seed = propertySeed();
const temp = tempDir('fhirseed-unkeyed-');
let memory: AtomicMemoryRepository;
let store: OpenedStore;
const byType = new Map<string, Resource[]>();

beforeAll(async () => {
  indexR4Definitions();
  indexSearchParameters(findProfiles(SHARED_PACKAGES, profileIgs()).searchParameters);
  indexSearchParameters(igSearchParameters(SHARED_PACKAGES).searchParameters);
  generateTo(temp.dir, { ...shippedProfile('default'), members: 3, seed: seed >>> 0 }, { formats: ['ndjson'] });
  memory = new AtomicMemoryRepository();
  store = openStore(undefined, []);
  const dir = join(temp.dir, 'ndjson');
  const all: Resource[] = [];
  for (const file of readdirSync(dir).sort()) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const resource = JSON.parse(line) as Resource;
      if (resource.resourceType === 'Binary') continue;
      all.push(resource);
      byType.set(resource.resourceType, [...(byType.get(resource.resourceType) ?? []), resource]);
    }
  }
  for (const resource of all) await memory.preload(structuredClone(resource));
  await store.repo.withTransaction(async () => {
    for (const resource of all) await store.repo.preload(resource);
  });
  store.markLoaded();
}, 600_000);

afterAll(() => {
  store?.close();
  temp.cleanup();
});

/** Every string leaf of a value with its element name: what a query value is drawn from. */
function leaves(value: unknown, name = '', into: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') into.push([name, value]);
  else if (Array.isArray(value)) for (const v of value) leaves(v, name, into);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== 'div' && k !== 'data') leaves(v, k, into);
  return into;
}

/** The (system, code) pairs and displays/texts a token parameter's expression reaches in a resource. */
function tokenValues(resource: Resource, param: SearchParameter): { system?: string; code: string }[] {
  let values: unknown[];
  try {
    values = evalFhirPath(param.expression!, resource);
  } catch {
    return [];
  }
  return values.flatMap((v): { system?: string; code: string }[] => {
    if (typeof v === 'string' || typeof v === 'boolean') return [{ code: String(v) }];
    const o = v as { coding?: { system?: string; code?: string; display?: string }[]; text?: string; system?: string; code?: string; display?: string; value?: unknown; unit?: string };
    if (!o || typeof o !== 'object') return [];
    const out: { system?: string; code: string }[] = [];
    for (const c of [...(o.coding ?? []), o]) {
      if (typeof c.code === 'string') out.push({ system: c.system, code: c.code });
      if (typeof c.display === 'string') out.push({ code: c.display });
    }
    if (typeof o.text === 'string') out.push({ code: o.text });
    if (typeof o.value === 'string') out.push({ system: o.system, code: o.value });
    if (typeof o.unit === 'string') out.push({ code: o.unit });
    return out;
  });
}

const FORMS = ['plain', 'plain', 'upper', 'system', 'bar', 'text', 'not', 'missing', 'patient', 'two', 'conditional'] as const;
const EXTRAS = ['', '', '_include', '_revinclude', '_count'] as const;

interface Pick {
  type: number;
  param: number;
  resource: number;
  leaf: number;
  own: boolean;
  form: (typeof FORMS)[number];
  extra: (typeof EXTRAS)[number];
  other: number;
}

const pickArb: fc.Arbitrary<Pick> = fc.record({
  type: fc.nat(),
  param: fc.nat(),
  resource: fc.nat(),
  leaf: fc.nat(),
  own: fc.boolean(),
  form: fc.constantFrom(...FORMS),
  extra: fc.constantFrom(...EXTRAS),
  other: fc.nat(),
});

/** A search (type, query) of the kinds the sandbox runs, built from the data by the picked numbers. */
function searchOf(pick: Pick): { type: string; query: Record<string, string>; conditional: boolean } | undefined {
  const types = [...byType.keys()].sort();
  const type = types[pick.type % types.length]!;
  const resources = byType.get(type)!;
  const resource = resources[pick.resource % resources.length]!;
  const params = Object.values(getSearchParameters(type) ?? {}).filter((p) => p.expression && ['token', 'reference', 'date', 'string'].includes(p.type));
  if (!params.length) return undefined;
  const param = params[pick.param % params.length]!;
  const query: Record<string, string> = {};
  const own = param.type === 'token' ? tokenValues(resource, param) : [];
  const any = leaves(resource).filter(([, v]) => v && v.length < 80 && !v.includes(','));
  const drawn = pick.own && own.length ? own[pick.leaf % own.length]! : any.length ? { code: any[pick.leaf % any.length]![1] } : undefined;
  if (!drawn) return undefined;
  if (param.type === 'reference') {
    const refs = any.map(([, v]) => v).filter((v) => /^[A-Z][A-Za-z]+\/[^/]+$/.test(v));
    query[param.code!] = refs.length ? refs[pick.leaf % refs.length]! : `Patient/${drawn.code}`;
  } else if (param.type === 'date') {
    const dates = any.map(([, v]) => v).filter((v) => /^\d{4}-\d{2}-\d{2}/.test(v));
    query[param.code!] = `${['', 'ge', 'le', 'gt', 'lt'][pick.other % 5]}${dates.length ? dates[pick.leaf % dates.length]!.slice(0, 10) : '2020-01-01'}`;
  } else if (param.type === 'string') {
    query[param.code!] = drawn.code.slice(0, 1 + (pick.other % 6));
  } else {
    const code = param.code!;
    switch (pick.form) {
      case 'upper':
        query[code] = drawn.code.toUpperCase();
        break;
      case 'system':
        query[code] = `${drawn.system ?? 'http://example.org/none'}|${drawn.code}`;
        break;
      case 'bar':
        query[code] = `|${drawn.code}`;
        break;
      case 'text':
        query[`${code}:text`] = drawn.code;
        break;
      case 'not':
        query[`${code}:not`] = drawn.code;
        break;
      case 'missing':
        query[`${code}:missing`] = pick.other % 2 ? 'true' : 'false';
        break;
      default:
        query[code] = drawn.code;
    }
  }
  const patient = leaves(resource).map(([, v]) => v).find((v) => v.startsWith('Patient/'));
  const patientParam = getSearchParameters(type)?.patient;
  if (pick.form === 'patient' && patient && patientParam) query.patient = patient;
  if (pick.form === 'two') {
    const second = params.filter((p) => p.type === 'token')[pick.other % Math.max(1, params.filter((p) => p.type === 'token').length)];
    const values = second ? tokenValues(resource, second) : [];
    if (second && values.length && second.code !== param.code) query[second.code!] = values[pick.other % values.length]!.code;
  }
  if (pick.extra === '_include') query._include = `${type}:*`;
  if (pick.extra === '_revinclude') query._revinclude = ['Provenance:target', 'ExplanationOfBenefit:patient', 'Observation:subject'][pick.other % 3]!;
  if (pick.extra === '_count') {
    query._count = String(1 + (pick.other % 3));
    query._offset = String(pick.other % 4);
  }
  return { type, query, conditional: pick.form === 'conditional' };
}

/** A search's answer: total and the ids of its entries (matches and includes) in order, or the 4xx it gave. */
function answer(repo: AtomicMemoryRepository, type: string, query: Record<string, string>): unknown {
  try {
    const bundle = runSearch(repo, planSearch(type, query), 'http://x/fhir', query) as Bundle;
    return { total: bundle.total, ids: bundle.entry?.map((e) => `${e.search?.mode}:${e.resource?.resourceType}/${e.resource?.id}`) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** medplum's search contract, which conditional create, update and delete use (no exact token pass). */
async function contract(repo: AtomicMemoryRepository, type: string, query: Record<string, string>): Promise<unknown> {
  try {
    const bundle = await repo.search(parseSearchRequest(type, query));
    return { total: bundle.total, ids: bundle.entry?.map((e) => e.resource?.id) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('SQLite store: no term keys at displays, texts and Quantity units', () => {
  it('should answer random searches over a generated population as the in-memory repository does', async () => {
    let hits = 0;
    await fc.assert(
      fc.asyncProperty(pickArb, async (pick) => {
        const search = searchOf(pick);
        if (!search) return;
        const { type, query, conditional } = search;
        if (conditional) {
          const plain = Object.fromEntries(Object.entries(query).filter(([k]) => !k.startsWith('_')));
          expect(await contract(store.repo, type, plain), `${type}?${new URLSearchParams(plain)}`).toEqual(await contract(memory, type, plain));
          return;
        }
        const expected = answer(memory, type, query);
        if ((expected as { total?: number }).total) hits++;
        expect(answer(store.repo, type, query), `${type}?${new URLSearchParams(query)}`).toEqual(expected);
      }),
      { seed, numRuns: 400 },
    );
    // Searches that find something are most of what is checked, not a few.
    expect(hits).toBeGreaterThan(50);
  }, 600_000);

  it('should key no display, text, or Quantity unit or code, and still key codes, identifiers and references', () => {
    const keys = indexKeys({
      resourceType: 'Observation',
      id: 'o',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2339-0', display: 'Glucose' }], text: 'Glucose Bld' },
      subject: { reference: 'Patient/a', display: 'Ann' },
      valueQuantity: { value: 90, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
      note: [{ text: 'fasting' }],
      identifier: [{ type: { text: 'lab id' }, value: 'L-1' }],
    } as Observation);
    const held = (value: string) => keys.some((k) => k.startsWith(tokenPrefix('Observation', value)!));
    for (const value of ['Glucose', 'Glucose Bld', 'Ann', 'mg/dL', 'fasting', 'lab id']) expect(held(value), value).toBe(false);
    for (const value of ['2339-0', 'final', 'L-1']) expect(held(value), value).toBe(true);
    expect(keys).toContain('a|r|Patient/a|N');
    // A code beside a numeric value but no unit may be a Coding: kept.
    expect(indexKeys({ resourceType: 'Basic', id: 'b', code: { coding: [{ code: 'x1', value: 3 } as never] } } as Resource)).toContain('Basic|t|x1|B.A.B');
  });

  it('should not narrow a token parameter whose expression may read a leaf without a term key', () => {
    expect(termsCover('Observation', 'Observation.code')).toBe(true);
    expect(termsCover('Observation', '(Observation.value as CodeableConcept) | (Observation.component.value as CodeableConcept)')).toBe(true);
    expect(termsCover('Patient', "Patient.extension.where(url='http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity').value.coding.code")).toBe(true);
    expect(termsCover('DocumentReference', 'DocumentReference.content.attachment.contentType')).toBe(true);
    expect(termsCover('Patient', 'Patient.text.status')).toBe(true);
    for (const [type, expression] of [
      ['Observation', 'Observation.code.text'],
      ['Observation', 'Observation.code.coding.display'],
      ['Observation', 'Observation.value.ofType(Quantity)'],
      ['Observation', 'Observation.valueQuantity.unit'],
      ['Observation', 'Observation.value.code'],
      ['MedicationDispense', 'MedicationDispense.quantity.code'],
      ['Observation', 'Observation.referenceRange.low'],
      ['Patient', "Patient.extension.where(url = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race').extension.value.code"],
      ['Basic', 'Basic.contained.value.code'],
      ['ServiceRequest', 'ServiceRequest.orderDetail.text'],
    ] as const) {
      expect(readsUnkeyedLeaf(type, expression), expression).toBe(true);
      expect(termsCover(type, expression), expression).toBe(false);
    }
    // `detail` is a Quantity choice in Goal, a backbone element in CarePlan.
    expect(termsCover('CarePlan', 'CarePlan.activity.detail.code')).toBe(true);
    expect(termsCover('Goal', 'Goal.target.detail.code')).toBe(false);
  });
});
