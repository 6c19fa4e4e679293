import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestAccount } from '../../src/output/accounts.js';
import { isCompartmentType } from '../../src/serve/compartment.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { describeEmbedded, fhir, startTestServer, type TestServer } from '../serve/helpers.js';
import { exchangeCode, signIn } from '../serve/patient-login.js';

/**
 * Under a patient token, every way of searching — GET, POST _search, the compartment URL,
 * _include / _revinclude (with :iterate) and $everything — returns nothing of another member.
 * A path that skips the compartment filter would hand out other members' claims without naming them.
 */
describeEmbedded('patient token: no search path shows another member', () => {
  const temp = tempDir('fhirseed-k-paths-');
  let server: TestServer;
  let me: TestAccount;
  let others: string[];
  let token: string;
  let files: Resource[];

  beforeAll(async () => {
    generateTo(temp.dir, { ...shippedProfile('default'), members: 6 });
    files = bundleResources(temp.dir).flatMap((b) => b.resources);
    const accounts = JSON.parse(readFileSync(join(temp.dir, 'test-accounts.json'), 'utf8')) as TestAccount[];
    me = accounts.find((a) => Object.values(a.claims).some((n) => n > 0))!;
    others = files.filter((r) => r.resourceType === 'Patient' && r.id !== me.patientId).map((r) => r.id!);
    server = await startTestServer({ dir: temp.dir, auth: { mode: 'smart-patient', tokenLifetimeSeconds: 120 } });
    const origin = new URL(server.url).origin;
    token = (await exchangeCode(origin, await signIn(origin, server.url, me.username, me.password))).body.access_token;
  }, 90_000);

  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  /** Why the resource must not be shown to `me`, or undefined when it may be. */
  const leak = (r: Resource): string | undefined => {
    if (r.resourceType === 'Patient') return r.id === me.patientId ? undefined : `Patient/${r.id}`;
    const text = JSON.stringify(r);
    const other = others.find((id) => text.includes(`Patient/${id}"`));
    return other ? `${r.resourceType}/${r.id} points at Patient/${other}` : undefined;
  };

  // Mine: naming me and no other member (a provider-attribution Group names every member attributed to one organization).
  const ownCount = (type: string) =>
    files.filter((r) => r.resourceType === type && (type === 'Patient' ? r.id === me.patientId : JSON.stringify(r).includes(`Patient/${me.patientId}"`) && !leak(r))).length;

  async function expectOnlyMine(what: string, reply: { status: number; body: Bundle }): Promise<Resource[]> {
    expect(reply.status, `${what}: ${JSON.stringify(reply.body).slice(0, 300)}`).toBe(200);
    const resources = (reply.body.entry ?? []).map((e) => e.resource!);
    expect(resources.map(leak).filter(Boolean), what).toEqual([]);
    return resources;
  }

  const compartmentTypes = () => [...new Set(files.map((r) => r.resourceType))].filter(isCompartmentType);

  it('should filter GET, POST _search and Patient/{me}/Type alike, type by type', async () => {
    const types = compartmentTypes();
    expect(types).toEqual(expect.arrayContaining(['ExplanationOfBenefit', 'Coverage', 'Patient']));
    for (const type of types) {
      const get = await fhir<Bundle>(`${server.url}/${type}?_count=1000`, { token });
      const posted = await fetch(`${server.url}/${type}/_search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/fhir+json' },
        body: '_count=1000',
      });
      const post = { status: posted.status, body: (await posted.json()) as Bundle };
      const matches = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode !== 'include').length;
      await expectOnlyMine(`GET ${type}`, get);
      await expectOnlyMine(`POST ${type}/_search`, post);
      expect(matches(get.body), `GET ${type}`).toBe(ownCount(type));
      expect(matches(post.body), `POST ${type}/_search`).toBe(ownCount(type));
      if (type !== 'Patient') {
        const compartment = await fhir<Bundle>(`${server.url}/Patient/${me.patientId}/${type}?_count=1000`, { token });
        await expectOnlyMine(`Patient/{me}/${type}`, compartment);
        expect(matches(compartment.body), `Patient/{me}/${type}`).toBe(ownCount(type));
      }
    }
  });

  it('should keep other members out of _include, _include:iterate, _revinclude and _revinclude:iterate', async () => {
    const queries = [
      'ExplanationOfBenefit?_include=*&_include:iterate=*&_count=1000',
      'ExplanationOfBenefit?_include:iterate=ExplanationOfBenefit:patient&_include:iterate=ExplanationOfBenefit:coverage&_count=1000',
      'Coverage?_include:iterate=Coverage:beneficiary&_include:iterate=Coverage:subscriber&_count=1000',
      // The directory is visible to everyone; what points at it is not.
      'Organization?_revinclude=Coverage:payor&_revinclude:iterate=ExplanationOfBenefit:provider&_count=1000',
      'Practitioner?_revinclude:iterate=ExplanationOfBenefit:care-team&_count=1000',
      'Organization?_revinclude=ExplanationOfBenefit:provider&_count=1000',
      `Patient?_revinclude=ExplanationOfBenefit:patient&_revinclude:iterate=Coverage:beneficiary&_count=1000`,
    ];
    let included = 0;
    for (const query of queries) {
      const reply = await fhir<Bundle>(`${server.url}/${query}`, { token });
      await expectOnlyMine(query, reply);
      included += (reply.body.entry ?? []).filter((e) => e.search?.mode === 'include' && e.resource?.resourceType === 'ExplanationOfBenefit').length;
    }
    // The revincludes did bring the member's own claims: the filter is not simply empty.
    expect(included).toBeGreaterThan(0);
  });

  it("should answer $everything with the member's own data only", async () => {
    const reply = await fhir<Bundle>(`${server.url}/Patient/${me.patientId}/$everything`, { token });
    const resources = await expectOnlyMine('$everything', reply);
    expect(resources.filter((r) => r.resourceType === 'ExplanationOfBenefit')).toHaveLength(ownCount('ExplanationOfBenefit'));
  });
});
