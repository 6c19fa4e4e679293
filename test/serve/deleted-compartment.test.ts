// A member's token and deleted resources: since a DELETE keeps the deletion as a version and a deleted resource's
// history is served (http-conformance.test.ts), another member's deleted resource must stay refused (403) — its
// history and versions too — while a member's own deleted resource answers 410 Gone and its history. Real server,
// smart-patient, a static token for the deletes, fetch.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Coverage } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount } from '../../src/output/accounts.js';
import { startServer } from '../../src/serve/index.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { fhir } from './helpers.js';
import { memberToken } from './patient-login.js';

const temp = tempDir('fhirseed-deleted-compartment-');
let server: Awaited<ReturnType<typeof startServer>>;
let me: TestAccount;
let other: TestAccount;
let token: string;
let coverageOf: (patientId: string) => Coverage;

beforeAll(async () => {
  generateTo(temp.dir, { ...shippedProfile('default'), members: 2 });
  [me, other] = JSON.parse(readFileSync(join(temp.dir, 'test-accounts.json'), 'utf8')) as [TestAccount, TestAccount];
  const resources = bundleResources(temp.dir).flatMap((b) => b.resources);
  coverageOf = (patientId) => resources.find((r) => r.resourceType === 'Coverage' && (r as Coverage).beneficiary.reference === `Patient/${patientId}`) as Coverage;
  server = await startServer({ port: 0, dir: temp.dir, store: 'memory', auth: { mode: 'smart-patient', staticTokens: ['admin'], tokenLifetimeSeconds: 300 } });
  token = await memberToken(server.url, me);
}, 120_000);
afterAll(async () => {
  await server?.close();
  temp.cleanup();
});

describe('serve --auth smart-patient: deleted resources and the member compartment', () => {
  it("should refuse another member's deleted resource, its history and its versions (403), and answer one's own 410 and its history", async () => {
    const theirs = coverageOf(other.patientId);
    const mine = coverageOf(me.patientId);
    const before = await fhir(`${server.url}/Coverage/${theirs.id}`, { token: 'admin' });
    expect(before.status).toBe(200);
    for (const cov of [theirs, mine]) expect((await fhir(`${server.url}/Coverage/${cov.id}`, { method: 'DELETE', token: 'admin' })).status).toBe(200);

    for (const path of [`Coverage/${theirs.id}`, `Coverage/${theirs.id}/_history`, `Coverage/${theirs.id}/_history/${before.body.meta.versionId}`]) {
      const reply = await fhir(`${server.url}/${path}`, { token });
      expect(reply.status, path).toBe(403);
      expect(reply.body.issue[0].details.text, path).toBe(`Coverage/${theirs.id} is outside the compartment of Patient/${me.patientId}`);
    }
    expect((await fhir(`${server.url}/Coverage/${mine.id}`, { token })).status).toBe(410);
    const history = await fhir(`${server.url}/Coverage/${mine.id}/_history`, { token });
    expect(history.status).toBe(200);
    expect(history.body.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual(['DELETE', 'POST']);
  }, 60_000);
});
