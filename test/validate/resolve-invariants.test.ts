import type { CareTeam, Provenance, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceTargetType, typeTestsOfResolve } from '../../src/validate/invariants.js';
import type { Validator } from '../../src/validate/validator.js';
import { usCoreExamples } from '../helpers/validator.js';

/**
 * Invariants whose only use of `resolve()` is a type test (US Core 6.1.0 `provenance-1`, R4 `ctm-1`) are evaluated
 * from the reference's text; before, fhirpath.js threw on its asynchronous `resolve()` and the invariant was skipped
 * on every resource with a note. Broken copies of US Core 6.1.0 examples.
 */

let validator: Validator;
let example: Awaited<ReturnType<typeof usCoreExamples>>['example'];

beforeAll(async () => {
  ({ validator, example } = await usCoreExamples());
});

function invariantKeys(resource: Resource): string[] {
  return validator
    .validate([resource])
    .map((i) => /invariant ([\w-]+) failed/.exec(i.message)?.[1])
    .filter((k): k is string => k !== undefined);
}

function provenance(who: string, onBehalfOf?: string): Provenance {
  const p = example<Provenance>('Provenance', 'example-targeted-provenance');
  p.agent[0]!.who = { reference: who };
  if (onBehalfOf) p.agent[0]!.onBehalfOf = { reference: onBehalfOf };
  return p;
}

describe('invariants that ask resolve() for a type', () => {
  it('should flag provenance-1 when the agent is a Practitioner or Device without onBehalfOf, by relative or absolute reference', () => {
    expect(invariantKeys(provenance('Practitioner/p1'))).toContain('provenance-1');
    expect(invariantKeys(provenance('https://example.org/fhir/Device/d1/_history/2'))).toContain('provenance-1');
    expect(invariantKeys(provenance('Practitioner/p1', 'Organization/o1'))).not.toContain('provenance-1');
    expect(invariantKeys(provenance('Patient/example-targeted-provenance'))).not.toContain('provenance-1');
    expect(validator.skippedInvariants.has('provenance-1')).toBe(false);
  });

  it('should flag ctm-1 when a participant with onBehalfOf is not a Practitioner', () => {
    const team = example<CareTeam>('CareTeam', 'example');
    const practitioner = team.participant!.findIndex((p) => p.member?.reference?.startsWith('Practitioner/'));
    team.participant![practitioner]!.onBehalfOf = { reference: 'Organization/o1' };
    expect(invariantKeys(team)).not.toContain('ctm-1');
    team.participant![practitioner]!.member = { reference: 'Patient/example' };
    expect(invariantKeys(team)).toContain('ctm-1');
    expect(validator.skippedInvariants.has('ctm-1')).toBe(false);
  });

  it('should rewrite only the type tests, and leave any other use of resolve() as published', () => {
    expect(typeTestsOfResolve('who.exists((resolve() is Practitioner) or (resolve() is Device)) implies onBehalfOf.exists()')).toBe(
      "who.exists((fsTargetIs('Practitioner')) or (fsTargetIs('Device'))) implies onBehalfOf.exists()",
    );
    expect(typeTestsOfResolve('onBehalfOf.exists() implies (member.resolve().iif(empty(), true, ofType(Practitioner).exists()))')).toBe(
      "onBehalfOf.exists() implies (member.fsTargetIsOrNone('Practitioner'))",
    );
    const mixed = 'subject.resolve().name.exists() and (subject.resolve() is Patient)';
    expect(typeTestsOfResolve(mixed)).toBe(mixed);
  });

  it('should read the type only from a reference that states it', () => {
    expect(referenceTargetType({ reference: 'Practitioner/p-1.2' })).toBe('Practitioner');
    expect(referenceTargetType({ reference: 'http://x.org/fhir/Device/d/_history/3' })).toBe('Device');
    expect(referenceTargetType('Organization/o')).toBe('Organization');
    for (const none of [{ reference: '#c1' }, { reference: 'urn:uuid:6b1e0c3e-0000-4000-8000-000000000000' }, { identifier: { value: 'x' } }, null]) {
      expect(referenceTargetType(none)).toBeUndefined();
    }
  });

  it('should skip the invariant with a plain note when a reference names no type', () => {
    expect(() => invariantKeys(provenance('#contained-practitioner'))).not.toThrow();
    expect(validator.skippedInvariants.get('provenance-1')).toMatch(/names no resource type/);
  });
});
