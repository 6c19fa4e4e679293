import type { Bundle, ExplanationOfBenefit, Observation, Resource, SearchParameter } from '@medplum/fhirtypes';
import { OperationOutcomeError, getSearchParameter, getSearchParameters } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { AtomicMemoryRepository, createEngine, indexR4Definitions, indexSearchParameters, sameContent } from '../../src/serve/router.js';
import { planSearch, runSearch, type Query } from '../../src/serve/search-extras.js';

/**
 * The sandbox's search definitions and repository (src/serve/router.ts) rule by rule, in-process (issue 19): the R4
 * search parameters split per resource type, typed choice names rewritten (`item.servicedDate` finds a date, not a
 * period), the Resource-level parameters on every type (`Binary?_tag=`), an IG's parameters added without replacing
 * R4's; and the repository's own rules: an unchanged update keeps its version, preload keeps `lastUpdated`, unknown
 * types are refused, history is newest first and never reversed in place, a failed transaction leaves nothing.
 * The definitions are indexed inside the first test (not in a hook), so Stryker runs their mutants with that test.
 * About 13 s at load average 18 (idle: about 5 s), nearly all of it the first test indexing R4's definitions, which
 * every in-process serve test pays once too.
 */

const expression = (type: string, code: string) => getSearchParameter(type, code)?.expression;

async function found(repo: AtomicMemoryRepository, type: string, query: Query): Promise<string[]> {
  const bundle = runSearch(repo, planSearch(type, query), 'http://x/fhir', query);
  return (bundle.entry ?? []).map((e) => e.resource!.id!).sort();
}

const param = (code: string, base: string[], expr: string, type: SearchParameter['type'] = 'date'): SearchParameter =>
  ({ resourceType: 'SearchParameter', url: `http://example.org/SearchParameter/${code}`, name: code, status: 'active', code, base, type, expression: expr, description: code }) as SearchParameter;

describe('the R4 search definitions', () => {
  // First test of the file: it indexes the definitions (once per process).
  it('should give every resource type the Resource-level parameters on its own elements, and split shared parameters per type', async () => {
    const { repo, router } = createEngine();
    expect(router).toBeDefined();
    expect(repo).toBeInstanceOf(AtomicMemoryRepository);
    for (const [code, path] of [['_tag', 'meta.tag'], ['_id', 'id'], ['_lastUpdated', 'meta.lastUpdated'], ['_profile', 'meta.profile'], ['_security', 'meta.security'], ['_source', 'meta.source']]) {
      expect(getSearchParameter('Binary', code!)).toMatchObject({ base: ['Binary'], code, expression: `Binary.${path}` });
    }
    expect(expression('Patient', '_tag')).toBe('Patient.meta.tag');
    // clinical-patient: 30 branches, each type keeps its own; types listed once keep their expression.
    expect(getSearchParameter('Observation', 'patient')).toMatchObject({ base: ['Observation'], expression: 'Observation.subject.where(resolve() is Patient)' });
    expect(expression('Condition', 'patient')).toBe('Condition.subject.where(resolve() is Patient)');
    expect(expression('ExplanationOfBenefit', 'patient')).toBe('ExplanationOfBenefit.patient');
    // Branches in parentheses are a type's own too; a type with two branches keeps both, in order.
    expect(expression('MedicationRequest', 'code')).toBe('(MedicationRequest.medication as CodeableConcept)');
    expect(expression('Observation', 'combo-value-quantity')).toBe('(Observation.value as Quantity) | (Observation.value as SampledData) | (Observation.component.value as Quantity) | (Observation.component.value as SampledData)');
    expect(expression('Condition', 'onset-date')).toBe('Condition.onset.as(dateTime) | Condition.onset.as(Period)');
    expect(expression('AllergyIntolerance', 'date')).toBe('AllergyIntolerance.recordedDate');
    // Not choices: plain elements whose names end in a type name stay as written (R4's finding has two elements).
    expect(expression('ClinicalImpression', 'finding-code')).toBe('ClinicalImpression.finding.itemCodeableConcept');
    expect(expression('Account', 'period')).toBe('Account.servicePeriod');
    expect(expression('Condition', 'recorded-date')).toBe('Condition.recordedDate');

    const binary: Resource = { resourceType: 'Binary', id: 'b1', contentType: 'text/plain', meta: { tag: [{ system: 'urn:run', code: 'r1' }] } };
    await repo.preload(binary);
    await repo.preload({ resourceType: 'Binary', id: 'b2', contentType: 'text/plain' });
    expect(await found(repo, 'Binary', { _tag: 'urn:run|r1' })).toEqual(['b1']);
    expect(await found(repo, 'Binary', { _id: 'b2' })).toEqual(['b2']);
    // Only the Resource-level parameters (R4's base `Resource`) are copied, and only onto concrete resource types:
    // no other type's parameter on Binary, nothing on the logical MetadataResource.
    expect(Object.keys(getSearchParameters('Binary') ?? {}).sort()).toEqual(['_content', '_id', '_lastUpdated', '_profile', '_query', '_security', '_source', '_tag']);
    expect(getSearchParameters('MetadataResource')).toBeUndefined();
    // Once per process: a second call indexes nothing again and changes nothing (a parameter taken out of the schema
    // stays out; indexing again would put Binary's _tag back).
    indexR4Definitions();
    expect(expression('Binary', '_tag')).toBe('Binary.meta.tag');
    const binaryParams = getSearchParameters('Binary')!;
    const tag = binaryParams._tag;
    delete binaryParams._tag;
    try {
      indexR4Definitions();
      expect(binaryParams._tag).toBeUndefined();
    } finally {
      binaryParams._tag = tag!;
    }
  });

  it('should rewrite a typed choice name of an added parameter to ofType, and find a date, not a period that ends on it', async () => {
    const { repo } = createEngine();
    indexSearchParameters([
      param('x-service-date', ['ExplanationOfBenefit'], 'ExplanationOfBenefit.item.servicedDate'),
      param('x-value', ['Observation'], 'Observation.valueQuantity | Observation.effectiveDateTime | Observation.valueFoo | Observation.valueCodeableConcept.coding.code', 'token'),
      param('x-nutrition', ['NutritionOrder'], 'NutritionOrder.dateTime'),
      param('x-ext', ['ExplanationOfBenefit'], 'ExplanationOfBenefit.item.extension.valueDate | ExplanationOfBenefit.identifier.valueString'),
      param('x-lower', ['Observation'], 'Observation.valuestring | Observation.valueBoolean', 'token'),
    ]);
    expect(expression('ExplanationOfBenefit', 'x-service-date')).toBe('ExplanationOfBenefit.item.serviced.ofType(date)');
    expect(expression('Observation', 'x-value')).toBe(
      'Observation.value.ofType(Quantity) | Observation.effective.ofType(dateTime) | Observation.valueFoo | Observation.value.ofType(CodeableConcept).coding.code',
    );
    expect(expression('NutritionOrder', 'x-nutrition')).toBe('NutritionOrder.dateTime');
    expect(expression('ExplanationOfBenefit', 'x-ext')).toBe('ExplanationOfBenefit.item.extension.valueDate | ExplanationOfBenefit.identifier.valueString');
    expect(expression('Observation', 'x-lower')).toBe('Observation.valuestring | Observation.value.ofType(boolean)');

    const eob = (id: string, item: Record<string, unknown>): ExplanationOfBenefit => ({ resourceType: 'ExplanationOfBenefit', id, item: [{ sequence: 1, ...item }] }) as ExplanationOfBenefit;
    await repo.preload(eob('on-the-day', { servicedDate: '2024-03-01' }));
    await repo.preload(eob('period-ending', { servicedPeriod: { start: '2024-01-01', end: '2024-03-01' } }));
    expect(await found(repo, 'ExplanationOfBenefit', { 'x-service-date': '2024-03-01' })).toEqual(['on-the-day']);
  });

  it("should add an IG's parameters only where R4 has none of that code, each split to its own types", () => {
    createEngine();
    indexSearchParameters([
      param('name', ['Patient'], 'Patient.id', 'string'),
      param('x-who', ['Claim', 'ExplanationOfBenefit', 'Coverage'], 'Claim.patient | (ExplanationOfBenefit.patient) | Organization.name', 'reference'),
      param('identifier', ['Patient', 'Basic'], 'Patient.gender | Basic.code', 'token'),
      param('code', ['Observation', 'Patient'], 'Observation.status | Patient.gender', 'token'),
      { ...param('x-nothing', ['Patient'], 'Patient.id'), code: undefined } as unknown as SearchParameter,
      // One base: the expression as written, branches of other types and spacing kept; a type R4 lacks is no error.
      param('x-single', ['Patient'], 'Patient.gender|Person.gender', 'token'),
      param('x-new-type', ['NotInR4'], 'NotInR4.code', 'token'),
      { ...param('x-no-expression', ['Patient', 'Claim'], ''), expression: undefined } as unknown as SearchParameter,
      { ...param('identifier', ['Patient', 'Binary'], '', 'token'), expression: undefined } as unknown as SearchParameter,
    ]);
    expect(expression('Patient', 'name')).toBe('Patient.name');
    expect(getSearchParameter('Claim', 'x-who')).toMatchObject({ base: ['Claim'], expression: 'Claim.patient' });
    expect(getSearchParameter('ExplanationOfBenefit', 'x-who')).toMatchObject({ base: ['ExplanationOfBenefit'], expression: '(ExplanationOfBenefit.patient)' });
    // No branch of its own: the whole expression.
    expect(getSearchParameter('Coverage', 'x-who')).toMatchObject({ base: ['Coverage'], expression: 'Claim.patient | (ExplanationOfBenefit.patient) | Organization.name' });
    // Patient has an identifier parameter already (left alone), Basic has too.
    expect(expression('Patient', 'identifier')).toBe('Patient.identifier');
    expect(expression('Basic', 'identifier')).toBe('Basic.identifier');
    // R4 has `code` on Observation, not on Patient: added on Patient only, Observation's left as R4 defines it.
    expect(expression('Observation', 'code')).toBe('Observation.code');
    expect(getSearchParameter('Patient', 'code')).toMatchObject({ base: ['Patient'], expression: 'Patient.gender' });
    expect(getSearchParameter('Patient', 'x-nothing')).toBeUndefined();
    expect(getSearchParameters('Patient')).not.toHaveProperty('undefined');
    expect(expression('Patient', 'x-single')).toBe('Patient.gender|Person.gender');
    expect(getSearchParameter('NotInR4', 'x-new-type')).toMatchObject({ base: ['NotInR4'], expression: 'NotInR4.code' });
    // Without an expression: split per base all the same, so R4's `identifier` on Patient stays (it was replaced).
    expect(getSearchParameter('Claim', 'x-no-expression')).toMatchObject({ base: ['Claim'] });
    expect(getSearchParameter('Claim', 'x-no-expression')!.expression).toBeUndefined();
    expect(getSearchParameter('Patient', 'x-no-expression')).toMatchObject({ base: ['Patient'] });
    expect(getSearchParameter('Patient', 'identifier')).toMatchObject({ base: ['Patient'], expression: 'Patient.identifier' });
    expect(getSearchParameter('Binary', 'identifier')).toMatchObject({ base: ['Binary'], code: 'identifier', type: 'token' });
    expect(getSearchParameter('Binary', 'identifier')!.expression).toBeUndefined();
  });

  it('should rewrite a choice name of every FHIR primitive and general-purpose type, primitives lower-cased', () => {
    createEngine();
    // Parameters.parameter.value[x] takes every type (FHIR R4 §2.24.0.1); the names are those of the spec's type list.
    const primitives = ['Boolean', 'Integer', 'Decimal', 'String', 'Uri', 'Url', 'Canonical', 'Date', 'DateTime', 'Instant', 'Time', 'Code', 'Id', 'Oid', 'Uuid', 'Markdown', 'Base64Binary', 'PositiveInt', 'UnsignedInt'];
    const general = ['Period', 'Quantity', 'CodeableConcept', 'Coding', 'Reference', 'Range', 'Ratio', 'Age', 'Duration', 'Timing', 'SampledData', 'Attachment', 'Identifier', 'Address', 'HumanName', 'ContactPoint', 'Money', 'Annotation', 'Signature', 'Count', 'Distance'];
    const names = [...primitives, ...general];
    indexSearchParameters([param('x-every-type', ['Parameters'], names.map((n) => `Parameters.parameter.value${n}`).join(' | '), 'token')]);
    const lower = (n: string) => n[0]!.toLowerCase() + n.slice(1);
    expect(expression('Parameters', 'x-every-type')!.split(' | ')).toEqual([
      ...primitives.map((n) => `Parameters.parameter.value.ofType(${lower(n)})`),
      ...general.map((n) => `Parameters.parameter.value.ofType(${n})`),
    ]);
  });

  it('should split on top-level bars only, not inside parentheses', () => {
    createEngine();
    indexSearchParameters([
      param('x-nested', ['Observation', 'Condition'], "Observation.code.where(text = 'a' | text = 'b')|Condition.code | (Observation.subject.where((true) | false))", 'token'),
    ]);
    expect(expression('Observation', 'x-nested')).toBe("Observation.code.where(text = 'a' | text = 'b') | (Observation.subject.where((true) | false))");
    expect(expression('Condition', 'x-nested')).toBe('Condition.code');
  });
});

describe('AtomicMemoryRepository', () => {
  const patient = (id: string, extra: Record<string, unknown> = {}): Resource => ({ resourceType: 'Patient', id, gender: 'female', ...extra }) as Resource;

  it('should tell what it holds without copying: has, get, all, types, candidates and referring', async () => {
    const { repo } = createEngine();
    expect(repo.types()).toEqual([]);
    expect([...repo.all('Patient')]).toEqual([]);
    expect(repo.has('Patient', 'p1')).toBe(false);
    await repo.createResource(patient('p1'));
    await repo.createResource(patient('p2'));
    await repo.createResource({ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } } as Observation);
    expect(repo.has('Patient', 'p1')).toBe(true);
    expect(repo.has('Patient', 'p3')).toBe(false);
    expect(repo.has('Claim', 'p1')).toBe(false);
    expect(repo.get('Patient', 'p1')).toBe(repo.get('Patient', 'p1'));
    expect(repo.get('Patient', 'p1')).toMatchObject({ id: 'p1', gender: 'female' });
    expect(repo.get('Claim', 'p1')).toBeUndefined();
    expect([...repo.all('Patient')].map((r) => r.id)).toEqual(['p1', 'p2']);
    expect(repo.types().sort()).toEqual(['Observation', 'Patient']);
    expect([...repo.candidates('Patient', { gender: 'male' })].map((r) => r.id)).toEqual(['p1', 'p2']);
    expect([...repo.referring('Observation', 'Patient/p2')].map((r) => r.id)).toEqual(['o1']);
    expect(repo.narrowsReferences).toBe(false);
  });

  it('should keep the version of an update that changes nothing but meta.versionId and lastUpdated, unless If-Match is given', async () => {
    const { repo } = createEngine();
    const created = await repo.createResource(patient('p1', { meta: { tag: [{ code: 't' }] } }));
    const same = await repo.updateResource({ ...patient('p1'), meta: { tag: [{ code: 't' }], versionId: 'other', lastUpdated: '2000-01-01T00:00:00Z' } });
    expect(same.meta).toEqual(created.meta);
    expect(same).not.toBe(repo.get('Patient', 'p1'));
    expect((await repo.readHistory('Patient', 'p1')).entry).toHaveLength(1);
    const forced = await repo.updateResource(patient('p1', { meta: { tag: [{ code: 't' }] } }), { ifMatch: created.meta!.versionId! });
    expect(forced.meta!.versionId).not.toBe(created.meta!.versionId);
    const changed = await repo.updateResource(patient('p1', { meta: { tag: [{ code: 't' }] }, gender: 'male' }));
    expect(changed.meta!.versionId).not.toBe(forced.meta!.versionId);
    expect((await repo.readHistory('Patient', 'p1')).entry).toHaveLength(3);
    const fresh = await repo.updateResource(patient('p9'));
    expect(fresh.meta!.versionId).toBeDefined();
    const noId = await repo.createResource({ resourceType: 'Patient' } as Resource);
    expect(noId.id).toBeDefined();
  });

  it('should preload a resource with its own lastUpdated and a version of its own, and leave an identical one as it is', async () => {
    const { repo } = createEngine();
    await repo.preload(patient('p1', { meta: { versionId: 'v-from-file', lastUpdated: '2024-02-03T04:05:06.000Z' } }));
    const stored = repo.get('Patient', 'p1')!;
    expect(stored.meta!.lastUpdated).toBe('2024-02-03T04:05:06.000Z');
    expect(stored.meta!.versionId).toBeDefined();
    expect(stored.meta!.versionId).not.toBe('v-from-file');
    const version = stored.meta!.versionId;
    await repo.preload(patient('p1', { meta: { versionId: 'again', lastUpdated: '2025-01-01T00:00:00.000Z' } }));
    expect(repo.get('Patient', 'p1')).toBe(stored);
    expect(repo.get('Patient', 'p1')!.meta).toEqual({ versionId: version, lastUpdated: '2024-02-03T04:05:06.000Z' });
    await repo.preload(patient('p1', { gender: 'male' }));
    expect(repo.get('Patient', 'p1')).toMatchObject({ gender: 'male' });
    expect(repo.get('Patient', 'p1')!.meta!.versionId).not.toBe(version);
    const input = patient('p2', { meta: { versionId: 'keep-me' } });
    await repo.preload(input);
    expect(input.meta!.versionId).toBe('keep-me');
    await repo.preload({ resourceType: 'Patient', gender: 'other' } as Resource);
    expect([...repo.all('Patient')]).toHaveLength(3);
  });

  it('should refuse a made-up resource type on every write path, naming it', async () => {
    const { repo } = createEngine();
    for (const write of [() => repo.createResource({ resourceType: 'Shoe', id: 's1' } as unknown as Resource), () => repo.preload({ resourceType: 'Shoe', id: 's1' } as unknown as Resource)]) {
      const error = await write().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OperationOutcomeError);
      expect((error as OperationOutcomeError).outcome.issue?.[0]).toMatchObject({ severity: 'error', code: 'invalid', details: { text: "unknown resource type 'Shoe'" }, expression: ['resourceType'] });
    }
    expect(repo.types()).toEqual([]);
  });

  it('should give history newest first, the same on every read, in copies', async () => {
    const { repo } = createEngine();
    await repo.createResource(patient('p1'));
    await repo.updateResource(patient('p1', { gender: 'male' }));
    await repo.updateResource(patient('p1', { gender: 'other' }));
    const genders = (b: Bundle) => (b.entry ?? []).map((e) => (e.resource as { gender?: string }).gender);
    const first = await repo.readHistory('Patient', 'p1');
    expect(first).toMatchObject({ resourceType: 'Bundle', type: 'history' });
    expect(genders(first)).toEqual(['other', 'male', 'female']);
    (first.entry![0]!.resource as { gender?: string }).gender = 'unknown';
    expect(genders(await repo.readHistory('Patient', 'p1'))).toEqual(['other', 'male', 'female']);
    expect(repo.get('Patient', 'p1')).toMatchObject({ gender: 'other' });
    await expect(repo.readHistory('Patient', 'nobody')).rejects.toThrow(/is not known/);
  });

  it('should undo every write of a failed transaction, current versions and history, and keep those of one that succeeds', async () => {
    const { repo } = createEngine();
    await repo.createResource(patient('kept'));
    await repo.createResource(patient('changed'));
    await repo.createResource(patient('deleted'));
    const boom = new Error('boom');
    await expect(
      repo.withTransaction(async () => {
        await repo.createResource(patient('new'));
        await repo.updateResource(patient('changed', { gender: 'male' }));
        await repo.updateResource(patient('changed', { gender: 'other' }));
        await repo.deleteResource('Patient', 'deleted');
        // A nested transaction's failure caught inside is the outer one's business.
        await repo.withTransaction(async () => repo.createResource(patient('inner'))).catch(() => undefined);
        await repo.withTransaction(async () => {
          await repo.createResource(patient('inner-failed'));
          throw new Error('inner');
        }).catch(() => undefined);
        expect(repo.has('Patient', 'inner-failed')).toBe(true);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect([...repo.all('Patient')].map((r) => r.id).sort()).toEqual(['changed', 'deleted', 'kept']);
    expect(repo.get('Patient', 'changed')).toMatchObject({ gender: 'female' });
    expect((await repo.readHistory('Patient', 'changed')).entry).toHaveLength(1);
    expect((await repo.readHistory('Patient', 'deleted')).entry).toHaveLength(1);

    const result = await repo.withTransaction(async () => {
      await repo.createResource(patient('new'));
      await repo.updateResource(patient('changed', { gender: 'male' }));
      return 'done';
    });
    expect(result).toBe('done');
    await expect(repo.withTransaction(async () => {
      await repo.deleteResource('Patient', 'kept');
      throw boom;
    })).rejects.toBe(boom);
    // The failed transaction undid only its own delete, not the writes of the one before it.
    expect([...repo.all('Patient')].map((r) => r.id).sort()).toEqual(['changed', 'deleted', 'kept', 'new']);
    expect(repo.get('Patient', 'changed')).toMatchObject({ gender: 'male' });
    // Writes outside a transaction are not journaled: a later failed one does not undo them.
    await repo.createResource(patient('outside'));
    await expect(repo.withTransaction(async () => {
      throw boom;
    })).rejects.toBe(boom);
    expect(repo.has('Patient', 'outside')).toBe(true);
    await repo.deleteResource('Patient', 'outside');
    expect(repo.has('Patient', 'outside')).toBe(false);
  });

  it('should undo the first resources of a type never stored before, and fail with the first error, not one of its own', async () => {
    const { repo } = createEngine();
    const boom = new Error('boom');
    await expect(
      repo.withTransaction(async () => {
        await repo.createResource({ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' } } as Observation);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect([...repo.all('Observation')]).toEqual([]);
    // A delete of a type nothing was stored under: medplum's not-found, after a rollback that has nothing to undo.
    await expect(repo.withTransaction(async () => repo.deleteResource('Claim', 'nope'))).rejects.toThrow(/is not known/);
    await repo.withTransaction(async () => {
      await repo.createResource(patient('p1'));
      await repo.deleteResource('Patient', 'p1');
    });
    expect(repo.has('Patient', 'p1')).toBe(false);
  });

  it('should put resources a failed transaction deleted back where they were in the order, as of its first delete of the type', async () => {
    const { repo } = createEngine();
    const ids = (type = 'Patient') => [...repo.all(type)].map((r) => r.id);
    for (const id of ['a', 'b', 'c', 'd']) await repo.createResource(patient(id));
    await repo.createResource({ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' } } as Observation);
    await repo.createResource({ resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'x' } } as Observation);
    const boom = new Error('boom');
    await expect(
      repo.withTransaction(async () => {
        await repo.createResource(patient('new'));
        await repo.deleteResource('Patient', 'b');
        // Nested: its deletes count for the outermost transaction; the order is the one before the first delete.
        await repo.withTransaction(async () => repo.deleteResource('Patient', 'a'));
        await repo.updateResource(patient('c', { gender: 'male' }));
        await repo.deleteResource('Patient', 'c');
        await repo.deleteResource('Observation', 'o1');
        expect(ids()).toEqual(['d', 'new']);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(ids()).toEqual(['a', 'b', 'c', 'd']);
    expect(repo.has('Patient', 'new')).toBe(false);
    expect(repo.get('Patient', 'c')).toMatchObject({ gender: 'female' });
    expect(ids('Observation')).toEqual(['o1', 'o2']);
    // A transaction that succeeds keeps its deletes, and a later failed one starts from the order as it is then.
    await repo.withTransaction(async () => repo.deleteResource('Patient', 'a'));
    await repo.deleteResource('Patient', 'c');
    await expect(
      repo.withTransaction(async () => {
        await repo.deleteResource('Patient', 'd');
        await repo.deleteResource('Patient', 'b');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(ids()).toEqual(['b', 'd']);
    expect(ids('Observation')).toEqual(['o1', 'o2']);
  });
});

describe('sameContent', () => {
  it('should ignore meta.versionId, meta.lastUpdated, key order and undefined fields, and nothing else', () => {
    const a = { resourceType: 'Patient', id: 'p', gender: 'female', name: [{ family: 'A', given: ['B', 'C'] }] } as Resource;
    expect(sameContent(a, { id: 'p', name: [{ given: ['B', 'C'], family: 'A' }], gender: 'female', resourceType: 'Patient', birthDate: undefined } as Resource)).toBe(true);
    expect(sameContent(a, { ...a, meta: { versionId: '3', lastUpdated: '2024-01-01T00:00:00Z' } } as Resource)).toBe(true);
    expect(sameContent({ ...a, meta: { versionId: '1' } } as Resource, { ...a, meta: { lastUpdated: '2024-01-01T00:00:00Z' } } as Resource)).toBe(true);
    expect(sameContent({ ...a, meta: { source: 's', versionId: '1' } } as Resource, { ...a, meta: { source: 's' } } as Resource)).toBe(true);
    expect(sameContent({ ...a, meta: { source: 's' } } as Resource, a)).toBe(false);
    expect(sameContent(a, { ...a, name: [{ family: 'A', given: ['C', 'B'] }] } as Resource)).toBe(false);
    expect(sameContent(a, { ...a, gender: 'male' } as Resource)).toBe(false);
    expect(sameContent(a, { ...a, active: false } as Resource)).toBe(false);
    expect(sameContent({ ...a, extension: [] } as Resource, a)).toBe(false);
  });
});
