import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedCommand } from '../../src/cli/commands/seed.js';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { describeEmbedded } from '../helpers/fhir-server.js';
import { runCommand } from './helpers/cli.js';
import { uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { tempDir } from './helpers/temp.js';

/**
 * SMART Backend Services against the sandbox, whose client JWKS names its key `kid: k1`. Without
 * --key-id the seeder takes the kid from the registered JWKS (--jwks-file) that holds its key; when
 * the server refuses the kid it sent, the error says which kid and what to pass.
 */
describeEmbedded('smart-backend: the key id', () => {
  const temp = tempDir('fhirseed-key-id-');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pemFile = join(temp.dir, 'key.pem');
  const jwksFile = join(temp.dir, 'registered.jwks.json');
  const otherJwksFile = join(temp.dir, 'other.jwks.json');
  const dir = join(temp.dir, 'out');
  let server: RunningServer;

  beforeAll(async () => {
    writeFileSync(pemFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const registered = { keys: [{ ...(publicKey.export({ format: 'jwk' }) as JsonWebKey), kid: 'k1', use: 'sig', alg: 'RS384' }] };
    writeFileSync(jwksFile, JSON.stringify(registered));
    writeFileSync(otherJwksFile, JSON.stringify({ keys: [{ ...(other.publicKey.export({ format: 'jwk' }) as JsonWebKey), kid: 'k9' }] }));
    writeFixtureOutput(dir, { members: 2, runId: uniqueRunId('key-id') });
    server = await startServer({ port: 0, auth: { mode: 'smart-backend', clients: [{ clientId: 'loader', jwks: registered }] } });
  });
  afterAll(async () => {
    await server.close();
    temp.remove();
  });

  const seedWith = (...extra: string[]) =>
    runCommand(seedCommand, ['seed', dir, '--server', server.url, '--auth', 'smart-backend', '--client-id', 'loader', '--private-key-file', pemFile, ...extra]);

  it('should take the kid from --jwks-file (the entry holding the private key) and seed', async () => {
    const run = await seedWith('--jwks-file', jwksFile);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/verify: counts under the run tag match/);
  });

  it('should say the server did not accept the key id it sent, and to pass --key-id, exit 2', async () => {
    const run = await seedWith();
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/invalid_client.*the server did not accept key id [A-Za-z0-9_-]{43} \(from the key's RFC 7638 thumbprint\) for client loader; pass --key-id/);
  });

  it('should refuse a --jwks-file that does not hold the private key, before any request', async () => {
    const run = await seedWith('--jwks-file', otherJwksFile);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--jwks-file \S+other\.jwks\.json: no key in the set is the public half of the private key/);
  });

  it('should still take --key-id as given', async () => {
    const run = await seedWith('--key-id', 'k1');
    expect(run.exitCode, run.stderr).toBe(0);
  });
});
