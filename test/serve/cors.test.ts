import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { BodyTooLargeError, parseByteSize, readLimitedBody } from '../../src/serve/body.js';
import { parseCorsOrigins } from '../../src/serve/cors.js';
import { startServer } from '../../src/serve/index.js';
import { parseRateLimit } from '../../src/serve/rate-limit.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded } from './helpers.js';

/* Issue 18: browser apps can call the sandbox (CORS), and request bodies are limited (413). */

const APP = 'http://app.test:5173';

describeEmbedded('serve: CORS for browser apps (any origin, the default)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let root: string;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      auth: { mode: 'smart-backend', clients: [{ clientId: 'c', secret: 's' }], staticTokens: [] },
      rateLimit: { policies: parseRateLimit('1000/min'), warnShare: 0.8 },
    });
    root = server.url.replace(/\/fhir$/, '');
  }, 30_000);
  afterAll(() => server.close());

  it('should answer preflights of FHIR, SMART configuration and OAuth endpoints with 204 before authentication', async () => {
    for (const path of ['/fhir/Patient', '/fhir/ExplanationOfBenefit/x', '/.well-known/smart-configuration', '/auth/token', '/auth/register', '/auth/introspect', '/auth/revoke']) {
      const res = await fetch(`${root}${path}`, {
        method: 'OPTIONS',
        headers: { origin: APP, 'access-control-request-method': path.startsWith('/fhir') ? 'PUT' : 'POST', 'access-control-request-headers': 'authorization,content-type,prefer,if-match' },
      });
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      const methods = res.headers.get('access-control-allow-methods')!.split(',');
      expect(methods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
      const headers = res.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
      expect(headers).toEqual(expect.arrayContaining(['authorization', 'content-type', 'prefer', 'if-match', 'if-none-match']));
      expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
      expect(res.headers.get('www-authenticate')).toBeNull();
    }
  });

  it('should put Access-Control-Allow-Origin and the exposed headers on successes and errors alike', async () => {
    const answers = {
      metadata: await fetch(`${root}/fhir/metadata`, { headers: { origin: APP } }),
      unauthenticated: await fetch(`${root}/fhir/Patient`, { headers: { origin: APP } }),
      discovery: await fetch(`${root}/.well-known/smart-configuration`, { headers: { origin: APP } }),
      badToken: await fetch(`${root}/auth/token`, { method: 'POST', headers: { origin: APP, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=nonsense' }),
      unknown: await fetch(`${root}/nowhere`, { headers: { origin: APP } }),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]))).toEqual({ metadata: 200, unauthenticated: 401, discovery: 200, badToken: 400, unknown: 404 });
    for (const [name, res] of Object.entries(answers)) {
      expect(res.headers.get('access-control-allow-origin'), name).toBe('*');
      const exposed = res.headers.get('access-control-expose-headers')!.toLowerCase().split(',');
      expect(exposed, name).toEqual(expect.arrayContaining(['location', 'content-location', 'etag', 'last-modified', 'ratelimit', 'ratelimit-policy', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']));
      // The rate-limit headers the app may now read are really there.
      expect(res.headers.get('x-ratelimit-limit'), name).toBe('1000');
    }
  });
});

describeEmbedded('serve --cors-origins LIST and --max-body', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const LIMIT = 4096;

  beforeAll(async () => {
    server = await startServer({ port: 0, corsOrigins: parseCorsOrigins(`https://portal.example, ${APP}`), maxBody: LIMIT });
  }, 30_000);
  afterAll(() => server.close());

  it('should echo a listed origin with Vary: Origin and give an unlisted one no Allow-Origin', async () => {
    const listed = await fetch(`${server.url}/Patient`, { headers: { origin: APP } });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(listed.headers.get('vary')?.toLowerCase()).toContain('origin');
    const preflight = await fetch(`${server.url}/Patient`, { method: 'OPTIONS', headers: { origin: 'https://portal.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://portal.example');
    const other = await fetch(`${server.url}/Patient`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('should take a body up to the limit and answer 413 with an OperationOutcome past it (Content-Length first)', async () => {
    const patient = (size: number) => JSON.stringify({ resourceType: 'Patient', id: 'big', name: [{ text: 'x'.repeat(size) }] });
    const small = await fetch(`${server.url}/Patient/big`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json', origin: APP }, body: patient(LIMIT - 100) });
    expect(small.status).toBe(201);
    const big = await fetch(`${server.url}/Patient/big`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json', origin: APP }, body: patient(LIMIT) });
    expect(big.status).toBe(413);
    expect(big.headers.get('access-control-allow-origin')).toBe(APP);
    const outcome = await big.json();
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0].code).toBe('too-costly');
    expect(outcome.issue[0].details.text).toContain(`limit of ${LIMIT} bytes`);
  });

  it('should answer 413 to a chunked body that passes the limit while it is still being sent', async () => {
    const url = new URL(`${server.url}/Patient/big`);
    // Chunked, no Content-Length; the request is never ended: the answer can only come from the cut-off.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'PUT', headers: { 'content-type': 'application/fhir+json' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on('error', reject);
      req.write('{"resourceType":"Patient","name":[{"text":"');
      for (let i = 0; i < 3; i++) req.write('x'.repeat(LIMIT / 2));
    });
    expect(status).toBe(413);
  });
});

describe('serve/start: a bad --cors-origins or --max-body', () => {
  async function cli(args: string[]) {
    let stderr = '';
    const code = await runCli(args, { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
    return { code, stderr };
  }

  it('should be one line, exit 2, and for start before any generating', async () => {
    const temp = tempDir('fhirseed-cors-cli-');
    try {
      const serve = await cli(['serve', '--port', '0', '--cors-origins', 'app.example']);
      expect(serve).toEqual({ code: 2, stderr: "fhirseed: --cors-origins: 'app.example' is not an origin (scheme://host[:port], e.g. https://app.example)\n" });
      const out = join(temp.dir, 'pop');
      const start = await cli(['start', '--out', out, '--members', '5', '--port', '0', '--max-body', 'lots']);
      expect(start).toEqual({ code: 2, stderr: "fhirseed: --max-body: 'lots' is not a size (bytes, or with kB, MB or GB: 32MB)\n" });
      expect(existsSync(out)).toBe(false);
    } finally {
      temp.cleanup();
    }
  });
});

describe('readLimitedBody, parseByteSize, parseCorsOrigins', () => {
  it('should stop reading an endless stream once it passes the limit', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1000;
        this.push(Buffer.alloc(1000, 120));
      },
    });
    await expect(readLimitedBody(endless, 10_000)).rejects.toBeInstanceOf(BodyTooLargeError);
    // Read at most the limit plus what the stream had buffered ahead (its highWaterMark, 16 kB).
    expect(produced).toBeLessThan(10_000 + 16_384 + 2000);
  });

  it('should return a body within the limit whole', async () => {
    expect((await readLimitedBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 4)).toString()).toBe('abcd');
  });

  it('should parse sizes and refuse nonsense as a user mistake', () => {
    expect(parseByteSize('--max-body', '32MB')).toBe(32 * 1024 * 1024);
    expect(parseByteSize('--max-body', '512kb')).toBe(512 * 1024);
    expect(parseByteSize('--max-body', '1000')).toBe(1000);
    expect(() => parseByteSize('--max-body', 'lots')).toThrow(UserError);
    expect(() => parseByteSize('--max-body', '0')).toThrow(UserError);
    expect(parseCorsOrigins(' * ')).toBe('*');
    expect(parseCorsOrigins('https://a.example/,http://localhost:3000')).toEqual(['https://a.example', 'http://localhost:3000']);
    expect(() => parseCorsOrigins('https://a.example/app')).toThrow(UserError);
    expect(() => parseCorsOrigins('a.example')).toThrow(UserError);
  });
});
