import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedCommand } from '../../src/cli/commands/seed.js';
import { SECRET_ENV } from '../../src/seed/auth/types.js';
import { statePaths } from '../../src/seed/seed.js';
import { runCommand } from './helpers/cli.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { suiteServer } from './helpers/server.js';
import { startTokenEndpoint } from './helpers/token-endpoint.js';

/**
 * The token flows end to end through the CLI: a token endpoint issuing 1-second tokens, and a proxy
 * in front of the FHIR server that refuses (401) any request whose token is missing or expired.
 * Every secret is then looked for in stdout, stderr, the log file and the dead-letter file.
 */
const suite = suiteServer();
const temp = suite.temp;

function withEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return body().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

describe('SMART Backend Services', () => {
  for (const [alg, keyType] of [['RS384', 'rsa'], ['ES384', 'ec']] as const) {
    it(`should seed with ${alg}-signed assertions, refresh tokens that expire mid-run, and leak no secret`, async () => {
      const { privateKey, publicKey } =
        keyType === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-384' });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const keyFile = join(temp.dir, `key-${alg}.pem`);
      writeFileSync(keyFile, pem);
      const tokens = await startTokenEndpoint({ clientId: 'seeder', publicKey, lifetimeSeconds: 1 });
      const refusedExpired: string[] = [];
      // The proxy stands for a server checking tokens; one 422 answer echoes the Authorization header
      // back in its diagnostics, as a careless server might, to show the dead-letter file redacts it.
      const proxy = await startFaultProxy(suite.server().url, (_n, req, body) => {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        if (req.url !== '/metadata' && !tokens.isValid(token)) {
          refusedExpired.push(token);
          return { kind: 'status', status: 401 };
        }
        const first = (body as { entry?: { resource?: { id?: string } }[] } | undefined)?.entry?.find((e) => e.resource?.id?.endsWith('-4-eob0'));
        if (first) return { kind: 'fail-entries', statuses: new Map([[first.resource!.id!, 422]]), echo: req.headers.authorization };
        return { kind: 'pass' };
      });
      const dir = join(temp.dir, alg);
      const runId = uniqueRunId(`smart-${alg}`);
      writeFixtureOutput(dir, { members: 10, runId, eobs: 1 });
      const logFile = join(temp.dir, `${alg}.log`);
      const run = await runCommand(seedCommand, [
        'seed', dir, '--server', proxy.url, '--auth', 'smart-backend', '--client-id', 'seeder', '--token-url', tokens.url,
        '--private-key-file', keyFile, '--bundle-size', '2', '--concurrency', '2', '--rps', '12', '--log', logFile, '--verbose',
      ]);
      await proxy.close();
      await tokens.close();

      expect(tokens.rejections).toEqual([]);
      // 1-second tokens over a run of ~2 s: more than one was needed, and each was fetched before expiry
      // or, when one expired in flight, on the server's 401.
      expect(tokens.issued.size).toBeGreaterThan(1);
      expect(run.stdout).toMatch(/dead-lettered 1\b/);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(/access tokens/);
      const deadLetters = readFileSync(statePaths({ dir }).deadLetter, 'utf8');
      expect(deadLetters).toMatch(/-4-eob0/);
      const everything = [run.stdout, run.stderr, readFileSync(logFile, 'utf8'), deadLetters].join('\n');
      for (const token of [...tokens.issued.keys(), ...proxy.authorizations]) expect(everything).not.toContain(token);
      for (const line of pem.split('\n').filter((l) => l.length > 20)) expect(everything).not.toContain(line);
      expect(refusedExpired.length).toBeLessThan(5);
    });
  }
});

describe('static credentials', () => {
  it('should send a bearer token from the environment and never print it, even when the server echoes it', async () => {
    const secret = `static-token-${Date.now()}-abcdef`;
    const dir = join(temp.dir, 'bearer');
    writeFixtureOutput(dir, { members: 3, runId: uniqueRunId('bearer') });
    const proxy = await startFaultProxy(suite.server().url, (_n, req, body) => {
      if (req.headers.authorization !== `Bearer ${secret}`) return { kind: 'status', status: 401 };
      const patient = (body as { entry?: { resource?: { resourceType?: string; id?: string } }[] } | undefined)?.entry?.find((e) => e.resource?.resourceType === 'Patient');
      return patient ? { kind: 'fail-entries', statuses: new Map([[patient.resource!.id!, 422]]), echo: req.headers.authorization } : { kind: 'pass' };
    });
    const logFile = join(temp.dir, 'bearer.log');
    const run = await withEnv({ [SECRET_ENV.token]: secret }, () =>
      runCommand(seedCommand, ['seed', dir, '--server', proxy.url, '--auth', 'bearer', '--log', logFile, '--verbose']));
    await proxy.close();
    expect(run.exitCode, run.stderr).toBe(1);
    expect([...proxy.authorizations]).toEqual([secret]);
    const deadLetters = readFileSync(statePaths({ dir }).deadLetter, 'utf8');
    expect(deadLetters).toMatch(/request had Authorization: (Bearer )?\[redacted\]/);
    expect([run.stdout, run.stderr, readFileSync(logFile, 'utf8'), deadLetters].join('\n')).not.toContain(secret);
  });

  it('should stop at once, naming no secret, when the server refuses the credentials', async () => {
    const secret = `wrong-password-${Date.now()}`;
    const dir = join(temp.dir, 'basic');
    writeFixtureOutput(dir, { members: 3, runId: uniqueRunId('basic') });
    const proxy = await startFaultProxy(suite.server().url, (_n, req) => (req.url === '/metadata' ? { kind: 'pass' } : { kind: 'status', status: 401 }));
    const run = await withEnv({ [SECRET_ENV.basicUser]: 'loader', [SECRET_ENV.basicPassword]: secret }, () =>
      runCommand(seedCommand, ['seed', dir, '--server', proxy.url, '--auth', 'basic']));
    await proxy.close();
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/refused the credentials \(basic\); check the secret/);
    expect(proxy.requests).toBeLessThan(6);
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(run.stdout + run.stderr).not.toContain(Buffer.from(`loader:${secret}`).toString('base64'));
  });

  it('should refuse a secret on the command line, say where it goes instead, and not echo it', async () => {
    const run = await runCommand(seedCommand, ['seed', temp.dir, '--server', suite.server().url, '--auth', 'bearer', '--token', 'abc-secret-value']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--token is not taken on the command line .*--token-file FILE or \$FHIRSEED_TOKEN/);
    expect(run.stdout + run.stderr).not.toContain('abc-secret-value');
  });
});
