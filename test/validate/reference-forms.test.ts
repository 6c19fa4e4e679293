import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResources } from '../../src/validate/read.js';
import { referenceForm } from '../../src/validate/reference-form.js';
import { scanFiles } from '../../src/validate/stream.js';
import type { Issue, Validator } from '../../src/validate/validator.js';
import { sharedValidator } from '../helpers/validator.js';

/**
 * FHIR R4 literal references (references.html §2.3.0.1): `Type/id[/_history/v]`, `Type?search` (transactions),
 * `#id`, absolute URLs (`http(s)://…`, `urn:uuid:`, `urn:oid:`). Anything else, such as a bare `Organization`, is an
 * error at the Reference's path (U3); an entry without resourceType is a read problem at its place (U5); a resource
 * of an unknown type is not checked against the profiles it claims (U's `Observaton`).
 */
let validator: Validator;
// The first validation builds the R4 base definitions (tens of seconds on a loaded machine).
beforeAll(async () => {
  validator = await sharedValidator();
  validator.validate([{ resourceType: 'Patient', id: 'warm' }]);
}, 600_000);

const TYPES = ['Patient', 'Organization', 'Coverage', 'ExplanationOfBenefit', 'Practitioner'];
const id = fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/);
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const valid = fc.oneof(
  fc.tuple(fc.constantFrom(...TYPES), id, fc.option(id, { nil: undefined })).map(([t, i, v]) => `${t}/${i}${v ? `/_history/${v}` : ''}`),
  fc.tuple(fc.constantFrom(...TYPES), fc.stringMatching(/^[a-z]+=[A-Za-z0-9|]+$/)).map(([t, q]) => `${t}?${q}`),
  id.map((i) => `#${i}`),
  fc.constant('#'),
  fc.tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.constantFrom(...TYPES), id).map(([s, d, t, i]) => `${s}://${d}/fhir/${t}/${i}`),
  fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((p) => `urn:uuid:${p.join('-')}`),
  fc.array(fc.nat({ max: 999 }), { minLength: 1, maxLength: 6 }).map((parts) => `urn:oid:2.${parts.join('.')}`),
);
const broken = fc.oneof(
  fc.constantFrom(...TYPES), // no id: U3's `Organization`
  fc.constantFrom(...TYPES).map((t) => `${t}/`),
  fc.tuple(fc.constantFrom(...TYPES), id, id).map(([t, a, b]) => `${t}/${a}/${b}`),
  fc.tuple(fc.constantFrom(...TYPES), fc.stringMatching(/^[A-Za-z0-9\-.]{65,70}$/)).map(([t, i]) => `${t}/${i}`),
  fc.tuple(fc.constantFrom('Organizaton', 'patient', 'Resource', 'Foo'), id).map(([t, i]) => `${t}/${i}`),
  fc.tuple(fc.constantFrom(...TYPES), id, fc.constantFrom(' ', '\t')).map(([t, i, s]) => `${t}/${s}${i}`),
  id.map((i) => `/Patient/${i}`),
  fc.stringMatching(/^[0-9a-f]{8,31}$/).map((h) => `urn:uuid:${h}`),
  fc.constantFrom('urn:oid:', 'urn:oid:3.1', 'urn:oid:2.01', 'http://', 'https:///Patient/1', 'urn:', 'Patient?'),
);

const isType = (name: string) => TYPES.includes(name);

describe('referenceForm', () => {
  it('should accept every R4 literal reference form', () => {
    fc.assert(
      fc.property(valid, (ref) => {
        expect(referenceForm(ref, isType).form).not.toBe('broken');
      }),
    );
  });

  it('should call each broken text broken, with a reason naming it', () => {
    fc.assert(
      fc.property(broken, (ref) => {
        const form = referenceForm(ref, isType);
        expect(form.form).toBe('broken');
        if (form.form === 'broken') expect(form.why).toContain(`'${ref.slice(0, 20)}`);
      }),
    );
  });

  it('should give a relative reference its Type/id key without the version', () => {
    expect(referenceForm('Patient/p1/_history/3', isType)).toEqual({ form: 'relative', type: 'Patient', id: 'p1', key: 'Patient/p1' });
  });
});

function claim(reference: string): Resource {
  return {
    resourceType: 'Claim',
    id: 'c1',
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' }] },
    use: 'claim',
    patient: { reference: 'Patient/p1' },
    created: '2025-01-01',
    provider: { reference },
    priority: { coding: [{ code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov1' } }],
  } as Resource;
}
const others: Resource[] = [
  { resourceType: 'Patient', id: 'p1' },
  { resourceType: 'Organization', id: 'o1' },
  { resourceType: 'Coverage', id: 'cov1', status: 'active', beneficiary: { reference: 'Patient/p1' }, payor: [{ reference: 'Organization/o1' }] } as Resource,
];
const referenceErrors = (issues: Issue[]) => issues.filter((i) => i.severity === 'error' && i.path === 'Claim.provider');

describe('validate on Reference.reference', () => {
  it('should report a reference with no id at its path, and accept the valid forms of the same element', () => {
    const found = referenceErrors(validator.validate([...others, claim('Organization')]));
    expect(found.map((i) => i.message)).toEqual([`reference 'Organization' has no id (a literal reference is Type/id, an absolute URL, #id or urn:uuid:)`]);
    for (const ok of ['Organization/o1', 'Organization/o1/_history/2', 'https://example.org/fhir/Organization/9', 'urn:uuid:6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab', 'Organization?identifier=x']) {
      expect(referenceErrors(validator.validate([...others, claim(ok)])), ok).toEqual([]);
    }
  });

  it('should report an unknown type by name, not as an unresolved reference', () => {
    const found = referenceErrors(validator.validate([...others, claim('Organizaton/o1')]));
    expect(found.map((i) => i.message)).toEqual([expect.stringMatching(/^reference 'Organizaton\/o1': Organizaton is not an R4 resource type/)]);
  });

  it('should report `Patient/a/b` and `Patient/`', () => {
    for (const bad of ['Organization/o1/x', 'Organization/']) expect(referenceErrors(validator.validate([...others, claim(bad)])), bad).toHaveLength(1);
  });
});

describe('a resource of an unknown type', () => {
  it('should get only the unknown-type error, not its claimed profiles', () => {
    const observaton = {
      resourceType: 'Observaton',
      id: 'o1',
      meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab'] },
      status: 'final',
      code: { text: 'x' },
    } as unknown as Resource;
    const issues = validator.validate([observaton]);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([`Observaton: unknown resource type 'Observaton'`]);
  });

  it('should say that a resource has no resourceType (no JS undefined in the message)', () => {
    const issues = validator.validate([{ id: 'x' } as unknown as Resource]);
    expect(issues.map((i) => i.message)).toEqual(['resource has no resourceType']);
  });
});

describe('a Bundle entry without resourceType', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fhirseed-refs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should be a read problem at Bundle.entry[N].resource with its line and column, the other entries read', () => {
    const file = join(dir, 'b.json');
    const text = JSON.stringify(
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', id: 'p1' }, request: { method: 'PUT', url: 'Patient/p1' } },
          { fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000002', resource: { id: 'cov1', status: 'active' }, request: { method: 'PUT', url: 'Coverage/cov1' } },
          { resource: 'text' },
        ],
      },
      null,
      2,
    );
    writeFileSync(file, text);
    const before = text.split('\n');
    const line = before.findIndex((l) => l.includes('"id": "cov1"')); // 0-based: the line after `"resource": {`
    const column = before[line - 1]!.indexOf('{') + 1;
    const expected = [
      { file, line, column, message: 'Bundle.entry[1].resource has no resourceType' },
      { file, line: before.findIndex((l) => l.includes('"resource": "text"')) + 1, column: before.find((l) => l.includes('"resource": "text"'))!.indexOf('"text"') + 1, message: 'Bundle.entry[2].resource is not a JSON object' },
    ];
    const read = readResources([file]);
    expect(read.problems).toEqual(expected);
    expect(read.resources.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Patient/p1']);
    expect(scanFiles([file]).problems).toEqual(expected);
  });
});
