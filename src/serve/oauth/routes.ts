import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxAuth, TokenReply } from '../auth.js';

export const INTROSPECT_PATH = '/auth/introspect';
export const REVOKE_PATH = '/auth/revoke';

/** The endpoints this module serves, for /.well-known/smart-configuration (SMART modes only). */
export function oauthDiscovery(origin: string): Record<string, string> {
  return { introspection_endpoint: `${origin}${INTROSPECT_PATH}`, revocation_endpoint: `${origin}${REVOKE_PATH}` };
}

/**
 * The OAuth endpoints beyond authorize and token: introspection (RFC 7662) and revocation (RFC 7009),
 * form-encoded POSTs answered with OAuth JSON. Returns false when the request is not for one of them.
 */
export async function handleOauthRoute(
  auth: SandboxAuth,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  origin: string,
  tokenEndpoint: string,
  readBody: (req: IncomingMessage) => Promise<Buffer>,
): Promise<boolean> {
  if (path !== INTROSPECT_PATH && path !== REVOKE_PATH) return false;
  if (!auth.mode.startsWith('smart-')) return reply(res, { status: 404, body: { error: 'invalid_request', error_description: 'this server issues no tokens (use --auth smart-backend or smart-patient)' } });
  if (req.method !== 'POST') return reply(res, { status: 405, body: { error: 'invalid_request', error_description: `${path} takes POST` } }, { allow: 'POST' });
  const form = new URLSearchParams((await readBody(req)).toString('utf8'));
  const endpoints = [tokenEndpoint, `${origin}${path}`];
  const answer = path === INTROSPECT_PATH ? auth.introspect(form, req.headers.authorization, endpoints) : auth.revoke(form, req.headers.authorization, endpoints);
  return reply(res, answer);
}

function reply(res: ServerResponse, { status, body }: TokenReply, headers: Record<string, string> = {}): true {
  const text = JSON.stringify(body);
  const challenge = status === 401 ? { 'www-authenticate': 'Basic realm="fhirseed"' } : {};
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...challenge, ...headers });
  res.end(text);
  return true;
}
