import { writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { certificateCheck } from '../../src/seed/tls-check.js';
import { startServer } from '../../src/serve/index.js';
import { tempDir } from '../helpers/output.js';
import { expectOneLineExit2, runBin, runInProcess } from '../seed/helpers/bin.js';
import { uniqueRunId } from '../seed/helpers/data.js';
import { writeFixtureOutput } from '../seed/helpers/fixture.js';
import { describeEmbedded } from './helpers.js';

/*
 * About 13 s under load: one case runs the built CLI (dist/, `npm run build` first) in a child process,
 * because NODE_EXTRA_CA_CERTS, which makes it trust the test certificate, is read only at process start.
 */

/** A self-signed certificate for 127.0.0.1, made now, valid for `days`. */
async function certificate(days: number, keyType: 'ec' | 'rsa' = 'ec'): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: 'fhirseed test sandbox' }], {
    notAfterDate: new Date(Date.now() + days * 86_400_000),
    keyType,
    ...(keyType === 'ec' ? { curve: 'P-256' } : { keySize: 2048 }),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  } as Parameters<typeof generate>[1]);
  return { cert: pems.cert, key: pems.private };
}

describeEmbedded('serve --tls-cert --tls-key, and the certificate check of ping', () => {
  const temp = tempDir('fhirseed-tls-');
  const certFile = join(temp.dir, 'cert.pem');
  const keyFile = join(temp.dir, 'key.pem');
  let pems: { cert: string; key: string };
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    pems = await certificate(10);
    writeFileSync(certFile, pems.cert);
    writeFileSync(keyFile, pems.key);
    server = await startServer({ port: 0, tls: { cert: certFile, key: keyFile }, auth: { mode: 'smart-backend', clients: [{ clientId: 'c', secret: 's' }] } });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  it('should serve FHIR and SMART discovery over HTTPS, with https endpoints', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/fhir$/);
    const dispatcher = new Agent({ connect: { ca: pems.cert } });
    try {
      const metadata = await undiciFetch(`${server.url}/metadata`, { dispatcher });
      expect(metadata.status).toBe(200);
      expect(((await metadata.json()) as { resourceType: string }).resourceType).toBe('CapabilityStatement');
      const config = (await (await undiciFetch(`${new URL(server.url).origin}/.well-known/smart-configuration`, { dispatcher })).json()) as { token_endpoint: string };
      expect(config.token_endpoint).toBe(`${new URL(server.url).origin}/auth/token`);
    } finally {
      await dispatcher.close();
    }
  });

  it('should report the issuer and days left, warn below the threshold and fail an untrusted certificate', async () => {
    const near = await certificateCheck(server.url, 30, { ca: pems.cert });
    expect(near).toMatchObject({ status: 'warn', issuer: 'CN=fhirseed test sandbox' });
    expect(near.daysLeft).toBeGreaterThanOrEqual(9);
    expect(near.daysLeft).toBeLessThanOrEqual(10);
    expect(near.detail).toMatch(/issuer CN=fhirseed test sandbox, expires \d{4}-\d\d-\d\d \((9|10) days left\), trusted; fewer than 30 days left/);
    expect((await certificateCheck(server.url, 5, { ca: pems.cert })).status).toBe('pass');
    const untrusted = await certificateCheck(server.url, 5);
    expect(untrusted.status).toBe('fail');
    expect(untrusted.detail).toContain('not trusted here');
    expect((await certificateCheck(server.url.replace('https:', 'http:'), 30)).status).toBe('warn');
  });

  it('should print the certificate line in fhirseed ping (trusting it through NODE_EXTRA_CA_CERTS), WARN within --cert-warn-days', async () => {
    const table = await runBin(['ping', '--server', server.url, '--cert-warn-days', '30'], { NODE_EXTRA_CA_CERTS: certFile });
    expect(table.stdout).toMatch(/TLS certificate +WARN +issuer CN=fhirseed test sandbox, expires .* \((9|10) days left\), trusted/);
    expect(table.stdout).toMatch(/CapabilityStatement +PASS/);
    expect(table.stdout).not.toMatch(/TLS certificate +FAIL/);
  }, 60_000);

  it('should fail at first contact, without retrying, when http:// is given for the HTTPS port: seed and purge one line exit 2, ping a FAIL, each naming https://', async () => {
    const http = server.url.replace('https:', 'http:');
    const closed = `GET ${http}/metadata: the connection was closed by 127\\.0\\.0\\.1:\\d+ before an answer \\(UND_ERR_SOCKET\\); that port speaks TLS: use https:// \\(--server ${server.url.replace(/\./g, '\\.')}\\)`;
    const out = join(temp.dir, 'out');
    writeFixtureOutput(out, { members: 1, runId: uniqueRunId('tls-http') });
    for (const args of [['seed', out], ['purge', '--run', 'r-1']]) {
      const run = await runInProcess([...args, '--server', http]);
      expectOneLineExit2(run, new RegExp(`^fhirseed: ${closed}\n$`));
    }
    // With credentials the first contact can be the SMART discovery request: the same hint.
    writeFileSync(join(temp.dir, 'secret.txt'), 's');
    const discovery = await runInProcess(['purge', '--run', 'r-1', '--server', http, '--auth', 'client-credentials', '--client-id', 'c', '--client-secret-file', join(temp.dir, 'secret.txt')]);
    expectOneLineExit2(discovery, new RegExp(`^fhirseed: GET ${http}/\\.well-known/smart-configuration: .*\\(UND_ERR_SOCKET\\); that port speaks TLS: use https://`));
    const pinged = await runInProcess(['ping', '--server', http]);
    expect(pinged.code).toBe(1);
    expect(pinged.stdout).toMatch(new RegExp(`CapabilityStatement +FAIL +${closed}\n`));
  }, 30_000);

  it('should give the checks as JSON with --json, PASS/WARN/FAIL each', async () => {
    const plain = await startServer({ port: 0 });
    try {
      let stdout = '';
      await runCli(['ping', '--server', plain.url, '--json'], { stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false });
      const report = JSON.parse(stdout) as { ok: boolean; checks: { check: string; result: string; detail: string }[] };
      expect(report.checks[0]).toEqual({ check: 'TLS certificate', result: 'WARN', detail: expect.stringContaining('plain http') });
      expect(report.checks.find((c) => c.check === 'CapabilityStatement')?.result).toBe('PASS');
      expect(report.checks.every((c) => ['PASS', 'WARN', 'FAIL'].includes(c.result))).toBe(true);
    } finally {
      await plain.close();
    }
  }, 30_000);
});

describe('ping on a server that is not there', () => {
  it('should print the checklist and exit 1 (a finding), the checks after the CapabilityStatement SKIP, counted apart from the failed one', async () => {
    const gone = await startServer({ port: 0 });
    const url = gone.url;
    await gone.close();
    let stdout = '';
    const code = await runCli(['ping', '--server', url], { stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false });
    expect(code).toBe(1);
    expect(stdout).toMatch(/CapabilityStatement +FAIL +GET .*connection refused/);
    expect(stdout).toMatch(/rate-limit headers +SKIP +no CapabilityStatement\n/);
    expect(stdout).toMatch(/\n1 of 7 checks failed; 5 skipped, 1 passed with a warning\n$/);
  }, 30_000);
});

describe('serve: TLS files that cannot be used', () => {
  const run = async (args: string[]) => {
    let stderr = '';
    const code = await runCli(['serve', ...(args.includes('--port') ? [] : ['--port', '0']), ...args], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
    return { code, stderr };
  };

  it('should stop with one line and exit 2 for a missing file, a non-PEM file or only one of the two', async () => {
    const temp = tempDir('fhirseed-tls-bad-');
    try {
      const junk = join(temp.dir, 'junk.pem');
      writeFileSync(junk, 'not a certificate');
      const missing = await run(['--tls-cert', join(temp.dir, 'nope.pem'), '--tls-key', junk]);
      expect([missing.code, missing.stderr.trim().split('\n').length]).toEqual([2, 1]);
      expect(missing.stderr).toMatch(/--tls-cert .*nope\.pem: cannot read it \(ENOENT\)/);
      const notPem = await run(['--tls-cert', junk, '--tls-key', junk]);
      expect([notPem.code, notPem.stderr]).toEqual([2, expect.stringMatching(/--tls-cert .*junk\.pem: not a PEM certificate\n$/)]);
      const half = await run(['--tls-cert', junk]);
      expect([half.code, half.stderr]).toEqual([2, expect.stringMatching(/--tls-cert needs --tls-key too/)]);
    } finally {
      temp.cleanup();
    }
  });

  it('should refuse a key of another algorithm than the certificate (EC certificate + RSA key, RSA + EC) with one line naming both files, before listening', async () => {
    const temp = tempDir('fhirseed-tls-cross-');
    try {
      const [ec, rsa] = await Promise.all([certificate(10, 'ec'), certificate(10, 'rsa')]);
      const file = (name: string, text: string) => (writeFileSync(join(temp.dir, name), text), join(temp.dir, name));
      const [ecCert, ecKey, rsaCert, rsaKey] = [file('ec-cert.pem', ec.cert), file('ec-key.pem', ec.key), file('rsa-cert.pem', rsa.cert), file('rsa-key.pem', rsa.key)];
      const pairs: [string, string, string][] = [
        [ecCert, rsaKey, 'an RSA key for an EC certificate'],
        [rsaCert, ecKey, 'an EC key for an RSA certificate'],
      ];
      for (const [cert, key, words] of pairs) {
        const port = await freePort();
        const refused = await run(['--port', String(port), '--tls-cert', cert, '--tls-key', key]);
        expect([refused.code, refused.stderr.trim().split('\n').length]).toEqual([2, 1]);
        expect(refused.stderr).toBe(`fhirseed: --tls-cert ${cert} / --tls-key ${key}: the key does not belong to the certificate (${words})\n`);
        expect(await connects(port)).toBe(false);
      }
    } finally {
      temp.cleanup();
    }
  }, 30_000);
});

/** A TCP port nobody listens on now (taken from the system and given back). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** Whether something accepts a TCP connection on 127.0.0.1:`port`. */
function connects(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), answer(true)));
    socket.once('error', () => answer(false));
  });
}
