import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startServer } from '../../src/serve/index.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded } from './helpers.js';

/*
 * U's trial s16 B5: a backend client registered with a jwks_uri that answers 404. The server's invalid_client
 * names the URL and the status, the seeder passes that on without its "pass --key-id" hint (the kid was right),
 * and ping fails only the access token: /metadata and the SMART configuration need no token.
 */
describeEmbedded('a registered jwks_uri that answers 404: server, seeder hint and ping', () => {
  const temp = tempDir('fhirseed-jwks-uri-');
  let server: Awaited<ReturnType<typeof startServer>>;
  let keyServer: Server;
  let jwksUri: string;
  let clientId: string;

  beforeAll(async () => {
    keyServer = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/nothing.json`;
    server = await startServer({ port: 0, auth: { mode: 'smart-backend', clients: [], registration: { mode: 'open', stateDir: join(temp.dir, 'state') } } });
    const reply = await fetch(`${new URL(server.url).origin}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri }),
    });
    expect(reply.status).toBe(201);
    clientId = ((await reply.json()) as { client_id: string }).client_id;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(temp.dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(temp.dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(publicKey.export({ format: 'jwk' }) as JsonWebKey), kid: 'k1', alg: 'RS384' }] }));
  }, 120_000 /* the first server of a process loads the search parameters: ~15 s on a busy machine */);
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => keyServer?.close(resolve));
    temp.cleanup();
  });

  it('should fail only the access token check, with the URL and status and no key-id hint', async () => {
    let stdout = '';
    const code = await runCli(
      ['ping', '--server', server.url, '--auth', 'smart-backend', '--client-id', clientId, '--private-key-file', join(temp.dir, 'key.pem'), '--jwks-file', join(temp.dir, 'jwks.json'), '--json'],
      { stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false },
    );
    expect(code).toBe(1);
    const checks = (JSON.parse(stdout) as { checks: { check: string; result: string; detail: string }[] }).checks;
    expect(checks.filter((c) => c.result === 'FAIL').map((c) => c.check)).toEqual(['access token']);
    const token = checks.find((c) => c.check === 'access token')!;
    expect(token.detail).toContain(`invalid_client: the client's jwks_uri ${jwksUri} answered 404 Not Found`);
    expect(token.detail).not.toContain('--key-id');
    expect(checks.find((c) => c.check === 'CapabilityStatement')!.result).toBe('PASS');
    expect(checks.find((c) => c.check === 'token lifetime')).toEqual({ check: 'token lifetime', result: 'SKIP', detail: 'no access token' });
    expect(checks.find((c) => c.check === 'data access')).toEqual({ check: 'data access', result: 'SKIP', detail: 'no access token' });
  }, 30_000);
});
