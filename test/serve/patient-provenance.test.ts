import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Condition, Provenance, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestAccount } from '../../src/output/accounts.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { describeEmbedded, fhir, startTestServer, type TestServer } from './helpers.js';
import { memberToken } from './patient-login.js';

/**
 * A patient-launched US Core app (and Inferno's single-patient `_revinclude=Provenance:target` tests) must get
 * the Provenance of the member's clinical record. R4's Patient compartment admits a Provenance only through
 * `patient` = `target.where(resolve() is Patient)`, so the clinical Provenance has to target the member's Patient.
 */
describeEmbedded('serve: a member token reaches the Provenance of its own clinical record', () => {
  const temp = tempDir('fhirseed-serve-prov-');
  let server: TestServer;
  let files: Resource[];
  let token: string;
  /** Two members with Conditions: the one signed in (`me`), and another (`other`). */
  let me: TestAccount;
  let other: TestAccount;

  beforeAll(async () => {
    generateTo(temp.dir, { ...shippedProfile('default'), members: 6 });
    files = bundleResources(temp.dir).flatMap((b) => b.resources);
    const accounts = JSON.parse(readFileSync(join(temp.dir, 'test-accounts.json'), 'utf8')) as TestAccount[];
    [me, other] = accounts.filter((a) => conditionsOf(a.patientId).length > 0) as [TestAccount, TestAccount];
    server = await startTestServer({ dir: temp.dir, auth: { mode: 'smart-patient', tokenLifetimeSeconds: 120 } });
    token = await memberToken(server.url, me);
  }, 90_000);

  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  const conditionsOf = (patientId: string) =>
    files.filter((r): r is Condition => r.resourceType === 'Condition' && (r as Condition).subject.reference === `Patient/${patientId}`);
  /** The Provenance (in the generated files) that targets one of the member's Conditions. */
  const clinicalProvenanceOf = (patientId: string): Provenance => {
    const conditions = new Set(conditionsOf(patientId).map((c) => `Condition/${c.id}`));
    const found = files.filter((r): r is Provenance => r.resourceType === 'Provenance' && (r as Provenance).target.some((t) => conditions.has(t.reference!)));
    expect(found, `Provenance of Patient/${patientId}'s Conditions`).toHaveLength(1);
    return found[0]!;
  };

  it("should read the member's clinical Provenance (200) and refuse another member's (403)", async () => {
    expect(me && other, 'two members with Conditions').toBeTruthy();
    const mine = clinicalProvenanceOf(me.patientId);
    const read = await fhir<Provenance>(`${server.url}/Provenance/${mine.id}`, { token });
    expect(read.status, JSON.stringify(read.body).slice(0, 300)).toBe(200);
    expect(read.body.target.map((t) => t.reference)).toEqual(mine.target.map((t) => t.reference));
    expect((await fhir(`${server.url}/Provenance/${clinicalProvenanceOf(other.patientId).id}`, { token })).status).toBe(403);
  });

  it("should include it in Condition?patient={me}&_revinclude=Provenance:target, and nothing of another member's", async () => {
    const mine = clinicalProvenanceOf(me.patientId);
    const reply = await fhir<Bundle>(`${server.url}/Condition?patient=${me.patientId}&_revinclude=Provenance:target&_count=1000`, { token });
    expect(reply.status, JSON.stringify(reply.body).slice(0, 300)).toBe(200);
    const entries = reply.body.entry ?? [];
    const matched = entries.filter((e) => e.search?.mode !== 'include').map((e) => e.resource!.id).sort();
    expect(matched).toEqual(conditionsOf(me.patientId).map((c) => c.id).sort());
    const included = entries.filter((e) => e.search?.mode === 'include' && e.resource?.resourceType === 'Provenance').map((e) => e.resource!.id);
    expect(included).toContain(mine.id);
    expect(included).not.toContain(clinicalProvenanceOf(other.patientId).id);
    // The other member's Conditions cannot be searched for with my token at all.
    const theirs = await fhir<Bundle>(`${server.url}/Condition?patient=${other.patientId}&_revinclude=Provenance:target`, { token });
    expect(theirs.status).toBe(403);
  });
});
