import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeErrorString } from '@medplum/core';
import type { SandboxAuth, TokenReply } from '../auth.js';
import { REGISTER_PATH, registrationRoute } from './register-route.js';

export const INTROSPECT_PATH = '/auth/introspect';
export const REVOKE_PATH = '/auth/revoke';

/** The endpoints this module serves, for /.well-known/smart-configuration (SMART modes only). */
export function oauthDiscovery(origin: string, auth?: SandboxAuth): Record<string, string> {
  const registration: Record<string, string> = auth?.registry ? { registration_endpoint: `${origin}${REGISTER_PATH}` } : {};
  return { introspection_endpoint: `${origin}${INTROSPECT_PATH}`, revocation_endpoint: `${origin}${REVOKE_PATH}`, ...registration };
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
  if (path === REGISTER_PATH || path.startsWith(`${REGISTER_PATH}/`)) {
    if (!auth.registry || !auth.registration) return reply(res, { status: 404, body: { error: 'invalid_request', error_description: 'client registration is off (--registration, with --auth smart-backend or smart-patient)' } });
    const body = async () => {
      const text = (await readBody(req)).toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    };
    return reply(res, await registrationRoute(auth.registry, auth.registration, req, path, origin, body));
  }
  if (path !== INTROSPECT_PATH && path !== REVOKE_PATH) return false;
  if (!auth.mode.startsWith('smart-')) return reply(res, { status: 404, body: { error: 'invalid_request', error_description: 'this server issues no tokens (use --auth smart-backend or smart-patient)' } });
  if (req.method !== 'POST') return reply(res, { status: 405, body: { error: 'invalid_request', error_description: `${path} takes POST` } }, { allow: 'POST' });
  const form = new URLSearchParams((await readBody(req)).toString('utf8'));
  const endpoints = [tokenEndpoint, `${origin}${path}`];
  const answer = path === INTROSPECT_PATH ? await auth.introspect(form, req.headers.authorization, endpoints) : await auth.revoke(form, req.headers.authorization, endpoints);
  return reply(res, answer);
}

/** Whether a request URL is under /auth/, the OAuth endpoints (token, authorize, register, introspect, revoke). */
export function isOauthPath(url: string | undefined): boolean {
  return /^\/auth(\/|$|\?)/.test(url ?? '');
}

/**
 * A failure thrown while answering under /auth/, as OAuth JSON (RFC 6749 §5.2, RFC 7591 §3.2.2), never a FHIR
 * OperationOutcome: `server_error` for a 5xx, `invalid_request` otherwise (a body over --max-body: 413), with the
 * error's text as error_description.
 */
export function sendOauthFailure(res: ServerResponse, status: number, error: unknown): void {
  reply(res, { status, body: { error: status >= 500 ? 'server_error' : 'invalid_request', error_description: normalizeErrorString(error) } });
}

function reply(res: ServerResponse, { status, body, headers: own }: TokenReply, extra: Record<string, string> = {}): true {
  const headers = { ...own, ...extra };
  if (status === 204) {
    res.writeHead(204, { 'cache-control': 'no-store' });
    res.end();
    return true;
  }
  const text = JSON.stringify(body);
  const challenge = status === 401 ? { 'www-authenticate': body.error === 'invalid_token' ? `Bearer error="invalid_token"` : 'Basic realm="fhirseed"' } : {};
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...challenge, ...headers });
  res.end(text);
  return true;
}
