import { describe, expect, it } from 'vitest';
import { InvariantChecker, referenceTargetType, typeTestsOfResolve } from '../../src/validate/invariants.js';
import type { CompiledProfile } from '../../src/validate/profile.js';
import type { Terminology } from '../../src/validate/terminology.js';

/**
 * `resolve()` type tests answered from a reference's text (8a1eaae; issue 19, the survivors of its lines in
 * src/validate/invariants.ts): the two published forms with any spacing, the reference forms that state a type,
 * and the rewritten functions over several references, on a hand-made profile (no IG package loaded).
 */

describe('typeTestsOfResolve: spacing', () => {
  it('should rewrite both forms whatever whitespace stands between their tokens, none included', () => {
    expect(typeTestsOfResolve('member.resolve().iif(empty(),true,ofType(Practitioner).exists())')).toBe("member.fsTargetIsOrNone('Practitioner')");
    expect(typeTestsOfResolve('member.resolve().iif( empty() ,  true ,  ofType(Device).exists() )')).toBe("member.fsTargetIsOrNone('Device')");
    expect(typeTestsOfResolve('who.exists() implies (who.resolve()  is  Practitioner)')).toBe("who.exists() implies (who.fsTargetIs('Practitioner'))");
  });
});

describe('referenceTargetType: what states a type', () => {
  it('should take only a string reference that ends at the id or at a version of any length', () => {
    expect(referenceTargetType({ reference: 'http://x.org/fhir/Device/d/_history/12' })).toBe('Device');
    expect(referenceTargetType({ reference: 'Practitioner/p1/extra' })).toBeUndefined();
    expect(referenceTargetType({ reference: ['Practitioner/p1'] })).toBeUndefined();
  });
});

describe('fsTargetIs, fsTargetIsOrNone: every reference of the input', () => {
  type Constraint = { key: string; severity: 'error'; expression: string; human: string };
  const profile = (expression: string) =>
    ({ elements: [{ id: 'CareTeam', path: 'CareTeam', constraint: [{ key: 'r-1', severity: 'error', expression, human: 'r-1 human' } satisfies Constraint] }] }) as unknown as CompiledProfile;
  const check = (expression: string, members: string[]) => {
    const checker = new InvariantChecker({ expand: () => undefined } as unknown as Terminology);
    const out: string[] = [];
    const node = { resourceType: 'CareTeam', participant: members.map((reference) => ({ member: { reference } })) };
    checker.check(profile(expression), node, () => [node] as never, (path, message) => out.push(`${path}: ${message}`));
    return { out, skipped: [...checker.skipped] };
  };

  it('should fail when one reference of several names another type', () => {
    const mixed = ['Practitioner/p1', 'Organization/o1'];
    expect(check('participant.member.resolve() is Practitioner', mixed).out).toEqual(['CareTeam: invariant r-1 failed: r-1 human']);
    expect(check('participant.member.resolve().iif(empty(), true, ofType(Practitioner).exists())', mixed).out).toEqual(['CareTeam: invariant r-1 failed: r-1 human']);
    expect(check('participant.member.resolve() is Practitioner', ['Practitioner/p1', 'Practitioner/p2'])).toEqual({ out: [], skipped: [] });
  });

  it('should skip the invariant naming the reference, cut at 80 characters, when one names no type', () => {
    expect(check('participant.member.resolve() is Practitioner', ['#c1']).skipped).toEqual([
      ['r-1', 'throws: resolve(): the reference "#c1" names no resource type (a contained, urn: or identifier-only reference is not looked up)'],
    ]);
    const long = `#${'x'.repeat(100)}`;
    // (the skip note itself is cut further on)
    const [[key, note]] = check('participant.member.resolve() is Practitioner', [long]).skipped as [[string, string]];
    expect(key).toBe('r-1');
    expect(note.startsWith(`throws: resolve(): the reference ${JSON.stringify(long).slice(0, 80)} names no resource type`), note).toBe(true);
  });
});
