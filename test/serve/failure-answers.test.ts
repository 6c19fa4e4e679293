import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SandboxAuth } from '../../src/serve/auth.js';
import { createHandler, type HttpContext } from '../../src/serve/http.js';

// U2 (session 13): a failure of the server's own was answered as an OperationOutcome with code `invalid` (the
// client's fault), and under /auth/ as FHIR instead of OAuth JSON. A page source that throws stands for any such failure.
let server: Server;
let origin: string;

beforeAll(async () => {
  const context = {
    auth: new SandboxAuth({ mode: 'smart-backend', clients: [] }),
    maxBody: 1024,
    site: async (path: string) => {
      throw new Error(`the disk went away while reading ${path}`);
    },
  } as unknown as HttpContext;
  server = createServer(createHandler(context));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

it('should answer a failure of its own as a 500 OperationOutcome with code exception, not invalid', async () => {
  const res = await fetch(`${origin}/report.html`);
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text: 'the disk went away while reading /report.html' } }] });
});

it('should answer a failure under /auth/ as OAuth JSON (RFC 6749 §5.2), 413 invalid_request past the body limit', async () => {
  const res = await fetch(`${origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x'.repeat(4096) });
  expect(res.status).toBe(413);
  expect(res.headers.get('content-type')).toBe('application/json');
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
});
