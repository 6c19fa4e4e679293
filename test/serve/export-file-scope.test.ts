import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { describeEmbedded } from './helpers.js';

// U1 of session 14: a client that started an export with system/*.read and later holds only system/Patient.read
// must not download the job's Coverage file. Each file is checked against the token presented for it.

const PREFER = { prefer: 'respond-async', accept: 'application/fhir+json' };

/** Two members at one clinic (so serve derives Group/attributed-org1), each with a Coverage. */
function population(): Resource[] {
  const resources: Resource[] = [{ resourceType: 'Organization', id: 'org1', name: 'Clinic One' }];
  for (const i of [1, 2]) {
    const patient = { reference: `Patient/p${i}` };
    resources.push(
      { resourceType: 'Patient', id: `p${i}`, name: [{ family: `Family${i}` }], birthDate: '1980-01-01' },
      { resourceType: 'Coverage', id: `c${i}`, status: 'active', beneficiary: patient, payor: [{ reference: 'Organization/org1' }] },
      { resourceType: 'CareTeam', id: `t${i}`, status: 'active', subject: patient, managingOrganization: [{ reference: 'Organization/org1' }] },
    );
  }
  return resources;
}

describeEmbedded('serve: an export file needs a token whose scopes cover its type', () => {
  const temp = tempDir('fhirseed-export-file-scope-');
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    mkdirSync(join(temp.dir, 'ndjson'));
    writeFileSync(join(temp.dir, 'ndjson', 'data.ndjson'), population().map((r) => JSON.stringify(r)).join('\n'));
    server = await startServer({ port: 0, dir: temp.dir, packagesDir: SHARED_PACKAGES, auth: { mode: 'smart-backend', clients: [{ clientId: 'exp1', secret: 's3cret' }] } });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  const token = async (scope: string) => {
    const res = await fetch(`${new URL(server.url).origin}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('exp1:s3cret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  /** Kick-off with `bearer`, poll to the end: the file URLs by type. */
  async function exported(path: string, bearer: string): Promise<Map<string, string>> {
    const authorization = `Bearer ${bearer}`;
    const kickOff = await fetch(`${server.url}/${path}`, { headers: { ...PREFER, authorization } });
    expect(kickOff.status, await kickOff.clone().text()).toBe(202);
    let poll = await fetch(kickOff.headers.get('content-location')!, { headers: { authorization } });
    for (let i = 0; poll.status === 202 && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      poll = await fetch(kickOff.headers.get('content-location')!, { headers: { authorization } });
    }
    expect(poll.status).toBe(200);
    const manifest = (await poll.json()) as { output: { type: string; url: string }[] };
    return new Map(manifest.output.map((o) => [o.type, o.url]));
  }

  const download = (url: string, bearer: string) => fetch(url, { headers: { authorization: `Bearer ${bearer}`, accept: 'application/fhir+ndjson' } });

  it.each([
    ['system', '$export?_type=Patient,Coverage', 'system/*.read', 'system/Patient.read'],
    ['group (SMART v2 scopes)', 'Group/attributed-org1/$export?_type=Patient,Coverage', 'system/*.rs', 'system/Patient.rs'],
  ])('%s export: a narrowed token gets 403 on Coverage.ndjson and 200 on Patient.ndjson', async (_level, path, wide, narrow) => {
    const files = await exported(path, await token(wide));
    expect([...files.keys()].sort()).toEqual(['Coverage', 'Patient']);
    const narrowed = await token(narrow);

    const coverage = await download(files.get('Coverage')!, narrowed);
    expect(coverage.status).toBe(403);
    const refusal = (await coverage.json()) as OperationOutcome;
    expect(refusal.issue[0]).toMatchObject({ severity: 'error', code: 'forbidden', details: { text: "the token's scopes do not cover Coverage" } });

    const patients = await download(files.get('Patient')!, narrowed);
    expect(patients.status).toBe(200);
    expect((await patients.text()).split('\n').filter(Boolean).map((line) => (JSON.parse(line) as Resource).id)).toEqual(['p1', 'p2']);

    // The wide token, and a token that names Coverage, still read it.
    expect((await download(files.get('Coverage')!, await token(wide))).status).toBe(200);
    expect((await download(files.get('Coverage')!, await token(`${narrow} system/Coverage.read`))).status).toBe(200);
  }, 120_000);
});
