import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SandboxAuth } from '../../src/serve/auth.js';
import { readableTypes } from '../../src/serve/export-access.js';
import { SYSTEM_SCOPES_SUPPORTED, systemScope } from '../../src/serve/oauth/system-scopes.js';
import { patientScopeUnderstood } from '../../src/serve/patient-auth.js';

/** Permission strings near the grammar: v1 words, v2 letters in any order and number, and misspellings. */
const permission = fc.oneof(
  fc.constantFrom('read', 'write', '*', 'rs', 'sr', 'cruds', 'rr', '', 'reads', 'Read', 'r*'),
  fc.string({ unit: fc.constantFrom('c', 'r', 'u', 'd', 's', '*', 'x', 'R'), maxLength: 6 }),
);

describe('system scopes: scopes_supported and what $export accepts', () => {
  const listed = new SandboxAuth({ mode: 'smart-backend' }).smartConfiguration('http://x/auth/token', 'http://x/auth/authorize').scopes_supported as string[];

  it('should list system/*.read, system/*.rs and every all-types scope the server understands, and nothing it does not', () => {
    expect(listed).toEqual([...SYSTEM_SCOPES_SUPPORTED]);
    expect(listed).toEqual(expect.arrayContaining(['system/*.read', 'system/*.write', 'system/*.*', 'system/*.rs', 'system/*.r', 'system/*.cruds']));
    expect(listed).not.toContain('system/*.sr');
    expect(new Set(listed).size).toBe(listed.length);
    fc.assert(
      fc.property(permission, (p) => {
        const scope = `system/*.${p}`;
        // Listed exactly when understood; a listed scope opens $export to every type exactly when it grants reading.
        expect(listed.includes(scope)).toBe(systemScope(scope) !== undefined);
        expect(readableTypes(scope) === '*').toBe(listed.includes(scope) && systemScope(scope)!.read);
      }),
      { numRuns: 500 },
    );
  });

  it('should read with r, read or *, write with c, u, d, write or *, per type too', () => {
    expect(systemScope('system/*.rs')).toEqual({ type: '*', read: true, write: false });
    expect(systemScope('system/*.s')).toEqual({ type: '*', read: false, write: false });
    expect(systemScope('system/*.cud')).toEqual({ type: '*', read: false, write: true });
    expect(systemScope('system/*.*')).toEqual({ type: '*', read: true, write: true });
    expect(systemScope('system/Patient.read')).toEqual({ type: 'Patient', read: true, write: false });
    expect(systemScope('patient/*.read')).toBeUndefined();
    expect(readableTypes('system/Patient.rs system/Coverage.read system/Claim.write')).toEqual(new Set(['Patient', 'Coverage']));
  });

  it('should list in smart-patient every all-types patient scope the authorize endpoint grants, patient/*.r too', () => {
    const patient = new SandboxAuth({ mode: 'smart-patient', members: [] }).smartConfiguration('http://x/auth/token', 'http://x/auth/authorize').scopes_supported as string[];
    expect(patient).toEqual(expect.arrayContaining(['patient/*.read', 'patient/*.rs', 'patient/*.r', 'openid', 'fhirUser', 'launch/patient', 'offline_access']));
    expect(patient.every(patientScopeUnderstood)).toBe(true);
    fc.assert(
      fc.property(permission, (p) => {
        expect(patient.includes(`patient/*.${p}`)).toBe(patientScopeUnderstood(`patient/*.${p}`));
      }),
      { numRuns: 300 },
    );
  });
});
