import type { IncomingMessage } from 'node:http';
import type { TokenReply } from '../auth.js';
import { RegistrationError, StateWriteError, type ClientRegistry, type RegisteredClient } from './registry.js';

export const REGISTER_PATH = '/auth/register';
/** The server's own state under a served directory (registered clients): DIR/serve-state/. */
export const SERVE_STATE_DIR = 'serve-state';

/** `--registration`: who may register — anyone, holders of the initial access token, or no one. */
export interface RegistrationOptions {
  mode: 'open' | 'token' | 'off';
  /** mode token: the initial access token (RFC 7591 §3) a registration request must carry as Bearer. */
  initialToken?: string;
  /** Where clients.json lives; without it, registrations last as long as the server. */
  stateDir?: string;
}

/**
 * The registration endpoint: POST /auth/register (RFC 7591) and, with the registration access token
 * it hands out, GET/PUT/DELETE /auth/register/{client_id} (RFC 7592). Errors are RFC 7591 JSON
 * (`invalid_client_metadata`, `invalid_redirect_uri`; nothing is stored), 401 `invalid_token`, or 500
 * `server_error` when clients.json cannot be written (StateWriteError; the change is undone).
 */
export async function registrationRoute(
  registry: ClientRegistry,
  options: RegistrationOptions,
  req: IncomingMessage,
  path: string,
  origin: string,
  body: () => Promise<unknown>,
): Promise<TokenReply> {
  const method = (req.method ?? 'GET').toUpperCase();
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const clientUri = (id: string) => `${origin}${REGISTER_PATH}/${encodeURIComponent(id)}`;
  const answer = async (what: string, run: () => Promise<TokenReply>): Promise<TokenReply> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof RegistrationError) return { status: 400, body: { error: error.error, error_description: error.description } };
      if (error instanceof StateWriteError) return { status: 500, body: { error: 'server_error', error_description: `the client was not ${what}: ${error.message}` } };
      throw error;
    }
  };
  if (path === REGISTER_PATH) {
    if (method !== 'POST') return { status: 405, body: { error: 'invalid_request', error_description: `${REGISTER_PATH} takes POST` }, headers: { allow: 'POST' } };
    if (options.mode === 'token' && bearer !== options.initialToken) {
      return { status: 401, body: { error: 'invalid_token', error_description: 'registration needs the initial access token as a Bearer token (--registration token)' } };
    }
    return answer('registered', async () => {
      const { client, secret, registrationToken } = await registry.register(await body());
      return { status: 201, body: { ...view(client, clientUri(client.client_id)), ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}), registration_access_token: registrationToken } };
    });
  }
  const id = decodeURIComponent(path.slice(REGISTER_PATH.length + 1));
  const client = bearer ? registry.byRegistrationToken(id, bearer) : undefined;
  // RFC 7592 §2: an unknown client and a wrong token look alike (401), so client ids cannot be probed.
  if (!client) return { status: 401, body: { error: 'invalid_token', error_description: 'unknown client or wrong registration access token' } };
  if (method === 'GET') return { status: 200, body: view(client, clientUri(id)) };
  if (method === 'DELETE') {
    return answer('deleted', async () => {
      registry.delete(client);
      return { status: 204, body: {} };
    });
  }
  if (method === 'PUT') {
    return answer('updated', async () => {
      const updated = await registry.update(client, await body());
      return { status: 200, body: { ...view(updated.client, clientUri(id)), ...(updated.secret ? { client_secret: updated.secret, client_secret_expires_at: 0 } : {}) } };
    });
  }
  return { status: 405, body: { error: 'invalid_request', error_description: 'a registered client is read (GET), updated (PUT) or deleted (DELETE)' }, headers: { allow: 'GET, PUT, DELETE' } };
}

/** The client information response (RFC 7591 §3.2.1) without secrets, which are stored only as hashes. */
function view(client: RegisteredClient, uri: string): Record<string, unknown> {
  return { client_id: client.client_id, client_id_issued_at: client.client_id_issued_at, ...client.metadata, registration_client_uri: uri };
}
