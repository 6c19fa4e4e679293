import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, type JWK } from 'jose';
import { UserError } from '../../util/errors.js';
import { makeDirectory } from '../../util/make-dir.js';

/** The client metadata of RFC 7591 §2 that this server reads; other fields are kept as sent. */
export interface ClientMetadata {
  redirect_uris?: string[];
  grant_types?: string[];
  response_types?: string[];
  token_endpoint_auth_method?: string;
  jwks?: { keys: JWK[] };
  jwks_uri?: string;
  client_name?: string;
  scope?: string;
  [field: string]: unknown;
}

/** A registered client as stored in STATE_DIR/clients.json: secrets only as SHA-256 hashes. */
export interface RegisteredClient {
  client_id: string;
  client_id_issued_at: number;
  client_secret_sha256?: string;
  registration_access_token_sha256: string;
  metadata: ClientMetadata;
}

/**
 * The registered clients could not be written to STATE_DIR/clients.json (a folder that cannot be made or written,
 * a file in its place): the change was undone in memory too, so what is served matches what is on disk. Answered
 * as HTTP 500 `server_error` (RFC 6749 §5.2, RFC 7591 §3.2.2).
 */
export class StateWriteError extends Error {
  constructor(stateDir: string, cause: Error) {
    super(`cannot write the state to ${stateDir}: ${cause.message}`);
    this.name = 'StateWriteError';
  }
}

/** An RFC 7591 §3.2.2 error: nothing was stored. */
export class RegistrationError extends Error {
  constructor(readonly error: 'invalid_redirect_uri' | 'invalid_client_metadata', readonly description: string) {
    super(description);
  }
}

const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'];
const SIGNING = { RS384: 'RSA', ES384: 'EC' } as const;
const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])$/;

/**
 * Dynamically registered OAuth clients (RFC 7591 registration, RFC 7592 read/update/delete), kept in
 * `STATE_DIR/clients.json` so they survive restarts; without a state directory, in memory only.
 * `grants` are the grant types the server's auth mode serves (client_credentials for smart-backend,
 * authorization_code and refresh_token for smart-patient).
 */
export class ClientRegistry {
  private readonly clients = new Map<string, RegisteredClient>();
  private readonly file?: string;
  private readonly stateDir?: string;

  constructor(
    private readonly grants: readonly string[],
    stateDir?: string,
  ) {
    if (!stateDir) return;
    this.file = join(stateDir, 'clients.json');
    this.stateDir = stateDir;
    try {
      // The directory is made on the first registration, so serving a read-only directory still works.
      if (existsSync(this.file)) for (const client of JSON.parse(readFileSync(this.file, 'utf8')) as RegisteredClient[]) this.clients.set(client.client_id, client);
    } catch (error) {
      throw new UserError(`--state-dir ${stateDir}: cannot read or create the registered clients (${(error as Error).message})`);
    }
  }

  get(clientId: string): RegisteredClient | undefined {
    return this.clients.get(clientId);
  }

  /** RFC 7591: checks the metadata (RegistrationError), stores the client and returns it with its one-time secrets. */
  async register(body: unknown): Promise<{ client: RegisteredClient; secret?: string; registrationToken: string }> {
    const metadata = await this.check(body);
    const clientId = randomBytes(12).toString('base64url');
    const secret = metadata.token_endpoint_auth_method!.startsWith('client_secret') ? randomBytes(24).toString('base64url') : undefined;
    const registrationToken = randomBytes(24).toString('base64url');
    const client: RegisteredClient = {
      client_id: clientId,
      client_id_issued_at: Math.floor(Date.now() / 1000),
      ...(secret ? { client_secret_sha256: sha256(secret) } : {}),
      registration_access_token_sha256: sha256(registrationToken),
      metadata,
    };
    this.change(clientId, client);
    return { client, secret, registrationToken };
  }

  /** RFC 7592 update: the metadata replaced as a whole; a new secret when the client now needs one it lacked. */
  async update(client: RegisteredClient, body: unknown): Promise<{ client: RegisteredClient; secret?: string }> {
    const { client_id: claimed, client_secret: _secret, ...rest } = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (claimed !== client.client_id) throw new RegistrationError('invalid_client_metadata', 'client_id in the body must be the client being updated');
    const metadata = await this.check(rest);
    const needsSecret = metadata.token_endpoint_auth_method!.startsWith('client_secret');
    const secret = needsSecret && !client.client_secret_sha256 ? randomBytes(24).toString('base64url') : undefined;
    const updated: RegisteredClient = { ...client, metadata };
    if (secret) updated.client_secret_sha256 = sha256(secret);
    if (!needsSecret) delete updated.client_secret_sha256;
    this.change(client.client_id, updated);
    return { client: updated, secret };
  }

  /** RFC 7592 delete; StateWriteError (and the client kept) when clients.json cannot be written. */
  delete(client: RegisteredClient): void {
    this.change(client.client_id, undefined);
  }

  /** The client whose registration access token this is (RFC 7592 §2), or undefined. */
  byRegistrationToken(clientId: string, token: string): RegisteredClient | undefined {
    const client = this.clients.get(clientId);
    return client && sameHash(client.registration_access_token_sha256, sha256(token)) ? client : undefined;
  }

  /** Whether `secret` is the client's secret (compared as hashes, in constant time). */
  secretMatches(client: RegisteredClient, secret: string): boolean {
    return Boolean(client.client_secret_sha256) && sameHash(client.client_secret_sha256!, sha256(secret));
  }

  private async check(body: unknown): Promise<ClientMetadata> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new RegistrationError('invalid_client_metadata', 'the body must be a JSON object of client metadata');
    const metadata = { ...(body as ClientMetadata) };
    for (const field of ['client_id', 'client_secret', 'registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at']) delete metadata[field];
    const bad = (description: string) => new RegistrationError('invalid_client_metadata', description);
    metadata.grant_types ??= [this.grants[0]!];
    if (!Array.isArray(metadata.grant_types) || !metadata.grant_types.length) throw bad('grant_types must be a non-empty array');
    const unserved = metadata.grant_types.filter((g) => !this.grants.includes(g));
    if (unserved.length) throw bad(`grant_types ${unserved.join(', ')} not served here (this server serves ${this.grants.join(', ')})`);
    metadata.token_endpoint_auth_method ??= metadata.grant_types.includes('client_credentials') && (metadata.jwks || metadata.jwks_uri) ? 'private_key_jwt' : 'client_secret_basic';
    if (!AUTH_METHODS.includes(metadata.token_endpoint_auth_method)) throw bad(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
    if (metadata.grant_types.includes('client_credentials') && metadata.token_endpoint_auth_method === 'none') throw bad('client_credentials needs a confidential client, not token_endpoint_auth_method none');
    if (metadata.grant_types.includes('authorization_code')) {
      if (!Array.isArray(metadata.redirect_uris) || !metadata.redirect_uris.length) throw new RegistrationError('invalid_redirect_uri', 'authorization_code clients must register redirect_uris');
      metadata.response_types ??= ['code'];
    }
    for (const uri of metadata.redirect_uris ?? []) {
      if (!absoluteUrl(uri) || uri.includes('#')) throw new RegistrationError('invalid_redirect_uri', `redirect_uri ${String(uri)} is not an absolute http(s) URL without a fragment`);
    }
    if (metadata.jwks !== undefined && metadata.jwks_uri !== undefined) throw bad('jwks and jwks_uri must not both be given');
    if (metadata.token_endpoint_auth_method === 'private_key_jwt' && metadata.jwks === undefined && metadata.jwks_uri === undefined) throw bad('private_key_jwt needs jwks or jwks_uri');
    if (metadata.jwks_uri !== undefined && !secureUrl(metadata.jwks_uri)) throw bad(`jwks_uri ${String(metadata.jwks_uri)} must be an https URL (http only on loopback)`);
    if (metadata.jwks !== undefined) await checkJwks(metadata.jwks);
    return metadata;
  }

  /** Sets (or with undefined deletes) a client and saves; when the save fails, undoes the change and throws StateWriteError. */
  private change(clientId: string, client: RegisteredClient | undefined): void {
    const before = this.clients.get(clientId);
    if (client) this.clients.set(clientId, client);
    else this.clients.delete(clientId);
    try {
      this.save();
    } catch (error) {
      if (before) this.clients.set(clientId, before);
      else this.clients.delete(clientId);
      throw new StateWriteError(this.stateDir!, error as Error);
    }
  }

  private save(): void {
    if (!this.file) return;
    makeDirectory(this.stateDir!);
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify([...this.clients.values()], null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, this.file);
    } catch (error) {
      if (existsSync(temp)) rmSync(temp, { force: true });
      throw error;
    }
  }
}

/** A JWKS of public RS384/ES384 signing keys that jose can import; RegistrationError otherwise. */
async function checkJwks(jwks: unknown): Promise<void> {
  const keys = (jwks as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || !keys.length) throw new RegistrationError('invalid_client_metadata', 'jwks must be {"keys": [...]} with at least one key');
  for (const [i, key] of (keys as JWK[]).entries()) {
    const alg = key?.alg ?? (key?.kty === 'RSA' ? 'RS384' : key?.kty === 'EC' ? 'ES384' : undefined);
    if (!alg || !(alg in SIGNING) || SIGNING[alg as keyof typeof SIGNING] !== key.kty) throw new RegistrationError('invalid_client_metadata', `jwks key ${i}: an RS384 (RSA) or ES384 (EC P-384) key is needed`);
    if ('d' in key) throw new RegistrationError('invalid_client_metadata', `jwks key ${i} holds a private key: register the public half only`);
    try {
      await importJWK(key, alg);
    } catch (error) {
      throw new RegistrationError('invalid_client_metadata', `jwks key ${i} is not a valid ${alg} key (${(error as Error).message})`);
    }
  }
}

function absoluteUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function secureUrl(value: unknown): boolean {
  const url = absoluteUrl(value);
  return Boolean(url && (url.protocol === 'https:' || LOOPBACK.test(url.hostname)));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
