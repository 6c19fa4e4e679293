import type { Bundle, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { isOk } from '@medplum/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, indexR4Definitions, type AtomicMemoryRepository } from '../../src/serve/router.js';
import { planSearch, runSearch, type Query } from '../../src/serve/search-extras.js';
import { openStore, type OpenedStore } from '../../src/serve/store/open.js';
import { processBundle } from '../../src/serve/transaction.js';

/**
 * A failed transaction leaves nothing of what it created, whether the resource came with an id or not (issue 19: the
 * in-memory repository journalled a write by its id, so a create without one — medplum picks the id inside
 * createResource — was never undone). Run against both repositories the sandbox serves from: the in-memory one
 * (`FHIRSEED_STORE=memory`, the library's) and the SQLite store (an in-memory database), each through the library
 * (`withTransaction`) and through a transaction Bundle (processBundle, as `POST /fhir` runs it).
 */

const patient = (id: string | undefined, gender: Patient['gender'] = 'female'): Patient => ({ resourceType: 'Patient', ...(id ? { id } : {}), gender });

interface Subject {
  repo: AtomicMemoryRepository;
  router: ReturnType<typeof createEngine>['router'];
  close(): void;
}

const repositories: [string, () => Subject][] = [
  ['the in-memory repository', () => ({ ...createEngine(), close: () => undefined })],
  [
    'the SQLite store',
    () => {
      const store: OpenedStore = openStore(undefined, []);
      store.markLoaded();
      return { repo: store.repo, router: createEngine().router, close: () => store.close() };
    },
  ],
];

async function found(repo: AtomicMemoryRepository, type: string, query: Query): Promise<string[]> {
  const bundle = runSearch(repo, planSearch(type, query), 'http://x/fhir', query);
  return (bundle.entry ?? []).map((e) => e.resource!.id!).sort();
}

/** What a client can see of the repository: each type's ids, their versions and their history's versions. */
async function snapshot(repo: AtomicMemoryRepository, types: string[]): Promise<Record<string, Record<string, { version?: string; history: (string | undefined)[] }>>> {
  const out: Record<string, Record<string, { version?: string; history: (string | undefined)[] }>> = {};
  for (const type of types) {
    out[type] = {};
    for (const resource of [...repo.all(type)]) {
      const history = await repo.readHistory(type, resource.id!);
      out[type][resource.id!] = { version: resource.meta?.versionId, history: (history.entry ?? []).map((e) => e.resource?.meta?.versionId) };
    }
  }
  return out;
}

const notFound = async (repo: AtomicMemoryRepository, type: string, id: string) => {
  await expect(repo.readResource(type, id)).rejects.toThrow(/is not known/);
  await expect(repo.readHistory(type, id)).rejects.toThrow(/is not known/);
  expect(repo.has(type, id)).toBe(false);
};

describe.each(repositories)('a failed transaction on %s', (_name, open) => {
  const opened: Subject[] = [];
  const fresh = async (): Promise<Subject> => {
    const subject = open();
    opened.push(subject);
    await subject.repo.createResource(patient('kept'));
    await subject.repo.createResource(patient('changed'));
    await subject.repo.updateResource(patient('changed', 'male'));
    return subject;
  };
  beforeAll(() => indexR4Definitions());
  afterAll(() => opened.forEach((s) => s.close()));

  it('should leave no resource it created without an id, and the versions and history as before', async () => {
    const { repo } = await fresh();
    const before = await snapshot(repo, ['Patient', 'Observation']);
    const made: string[] = [];
    const boom = new Error('boom');
    await expect(
      repo.withTransaction(async () => {
        made.push((await repo.createResource(patient(undefined, 'other'))).id);
        made.push((await repo.createResource<Observation>({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${made[0]}` } })).id);
        await repo.preload(patient(undefined, 'unknown'));
        await repo.updateResource(patient('changed', 'other'));
        // Inside the transaction the new ones are there and found.
        expect(await found(repo, 'Patient', { gender: 'other' })).toEqual([...[made[0]!, 'changed']].sort());
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(made).toHaveLength(2);
    for (const [type, id] of [['Patient', made[0]!], ['Observation', made[1]!]] as const) await notFound(repo, type, id);
    expect(await found(repo, 'Patient', { gender: 'other' })).toEqual([]);
    expect(await found(repo, 'Patient', { gender: 'unknown' })).toEqual([]);
    expect(await found(repo, 'Observation', { subject: `Patient/${made[0]}` })).toEqual([]);
    expect(await found(repo, 'Patient', {})).toEqual(['changed', 'kept']);
    expect(await snapshot(repo, ['Patient', 'Observation'])).toEqual(before);

    // A nested transaction's id-less create is undone with the outermost one.
    await expect(
      repo.withTransaction(async () => {
        await repo.withTransaction(async () => made.push((await repo.createResource(patient(undefined, 'other'))).id));
        throw boom;
      }),
    ).rejects.toBe(boom);
    await notFound(repo, 'Patient', made[2]!);
    expect(await snapshot(repo, ['Patient', 'Observation'])).toEqual(before);

    // One that succeeds keeps its id-less creates.
    const kept = await repo.withTransaction(async () => (await repo.createResource(patient(undefined, 'other'))).id);
    expect(await found(repo, 'Patient', { gender: 'other' })).toEqual([kept]);
    expect((await repo.readHistory('Patient', kept)).entry).toHaveLength(1);
  });

  it('should leave nothing of a transaction Bundle whose POST (no id) and conditional create came before a failing entry', async () => {
    const { repo, router } = await fresh();
    const before = await snapshot(repo, ['Patient', 'Observation']);
    const versionOfKept = repo.get('Patient', 'kept')!.meta!.versionId!;
    // A new Bundle each time: medplum writes the ids it picks into the request's resources.
    const bundle = (): Bundle => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:7f1c0a55-0000-4000-8000-000000000001', request: { method: 'POST', url: 'Patient' }, resource: patient(undefined, 'unknown') },
        {
          request: { method: 'POST', url: 'Observation' },
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'posted' }, subject: { reference: 'urn:uuid:7f1c0a55-0000-4000-8000-000000000001' } } as Resource,
        },
        { request: { method: 'PUT', url: 'Patient?identifier=urn:x|nobody' }, resource: { ...patient(undefined, 'unknown'), identifier: [{ system: 'urn:x', value: 'nobody' }] } as Resource },
        // Processed after the creates (FHIR R4 §3.1.0.11.2: POST before PUT), and refused: a stale If-Match.
        { request: { method: 'PUT', url: 'Patient/kept', ifMatch: 'W/"not-its-version"' }, resource: patient('kept', 'male') },
      ],
    });
    const [outcome] = await processBundle(router, repo, bundle());
    expect(isOk(outcome)).toBe(false);
    expect(await found(repo, 'Patient', { gender: 'unknown' })).toEqual([]);
    expect(await found(repo, 'Patient', { identifier: 'urn:x|nobody' })).toEqual([]);
    expect(await found(repo, 'Observation', { 'code:text': 'posted' })).toEqual([]);
    expect(repo.get('Patient', 'kept')).toMatchObject({ gender: 'female', meta: { versionId: versionOfKept } });
    expect(await snapshot(repo, ['Patient', 'Observation'])).toEqual(before);

    // Without the failing entry the same Bundle creates all three.
    const [ok] = await processBundle(router, repo, { ...bundle(), entry: bundle().entry!.slice(0, 3) });
    expect(isOk(ok)).toBe(true);
    expect(await found(repo, 'Patient', { gender: 'unknown' })).toHaveLength(2);
    expect(await found(repo, 'Patient', { identifier: 'urn:x|nobody' })).toHaveLength(1);
    expect(await found(repo, 'Observation', { 'code:text': 'posted' })).toHaveLength(1);
  });
});
