import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { runInProcess } from './helpers/bin.js';
import { uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { tempDir } from './helpers/temp.js';

/**
 * ping is a test that the API is reachable AND usable with the credentials given: against a real sandbox whose data
 * needs a token (serve --auth smart-backend), ping without --auth must not pass, though /metadata answers without one.
 */
const temp = tempDir('fhirseed-ping-auth-');
const dir = join(temp.dir, 'out');
const secretFile = join(temp.dir, 'secret.txt');
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  writeFixtureOutput(dir, { members: 2, runId: uniqueRunId('ping-auth') });
  writeFileSync(secretFile, 's3cret\n');
  server = await startServer({ port: 0, auth: { mode: 'smart-backend', clients: [{ clientId: 'c', secret: 's3cret' }] } });
}, 30_000);
afterAll(async () => {
  await server?.close();
  temp.remove();
});

describe('ping against a server whose data needs credentials', () => {
  it('should FAIL data access without --auth, naming --auth and the SMART security the server declares, the member checks SKIP, exit 1', async () => {
    const run = await runInProcess(['ping', '--server', server.url, '--accounts', join(dir, 'test-accounts.json')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/CapabilityStatement +PASS/);
    expect(run.stdout).toMatch(
      new RegExp(`data access +FAIL +GET ${server.url.replace(/\./g, '\\.')}/Patient: HTTP 401 — the server wants credentials; its CapabilityStatement declares SMART-on-FHIR security, and its SMART configuration takes --auth smart-backend or client-credentials: give it and its key or secret\\n`),
    );
    const members = run.stdout.split('\n').filter((l) => /^member /.test(l));
    expect(members).toHaveLength(6);
    for (const line of members) expect(line).toMatch(/ SKIP +no access to the data \(see data access\)$/);
    expect(run.stdout).toMatch(/\n1 of 13 checks failed; 6 skipped, 4 passed, 2 passed with a warning\n$/);
  }, 30_000);

  it('should PASS data access with credentials the server takes (client-credentials), as JSON too', async () => {
    const run = await runInProcess(['ping', '--server', server.url, '--auth', 'client-credentials', '--client-id', 'c', '--client-secret-file', secretFile, '--json']);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: { check: string; result: string; detail: string }[] };
    expect(report.checks.find((c) => c.check === 'data access')).toEqual({
      check: 'data access',
      result: 'PASS',
      detail: 'GET Patient?_count=1 answered a search Bundle with --auth client-credentials',
    });
    expect(report.checks.filter((c) => c.result === 'FAIL' || c.result === 'SKIP')).toEqual([]);
    expect([run.code, report.ok]).toEqual([0, true]);
  }, 30_000);
});

describe('ping against a smart-patient server (tokens only for members who sign in)', () => {
  let patientServer: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    patientServer = await startServer({ port: 0, dir, auth: { mode: 'smart-patient', members: [{ username: 'member1', password: 'pw', patientId: 'p1' }] } });
  }, 30_000);
  afterAll(async () => {
    await patientServer?.close();
  });

  it('should suggest what its SMART configuration offers (a member token with --auth bearer), not --auth smart-backend, which it refuses', async () => {
    const run = await runInProcess(['ping', '--server', patientServer.url]);
    expect(run.code, run.stderr).toBe(1);
    const line = run.stdout.split('\n').find((l) => l.startsWith('data access'));
    expect(line).toMatch(/FAIL +GET \S+\/Patient: HTTP 401 — the server wants credentials; its CapabilityStatement declares SMART-on-FHIR security, and its SMART configuration grants tokens only to a user who signs in \(authorization_code, refresh_token\), not to a system client: give a member's access token with --auth bearer --token-file FILE, and that member in --accounts$/);
    expect(line).not.toMatch(/smart-backend|client-credentials/);
  }, 30_000);
});
