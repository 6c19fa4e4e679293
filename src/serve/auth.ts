import { timingSafeEqual, type JsonWebKey } from 'node:crypto';
import { isResourceType } from '@medplum/core';
import { createLocalJWKSet, type createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { ClientRegistry } from './oauth/registry.js';
import { jwksFailure, remoteKeySet } from './oauth/remote-jwks.js';
import { SYSTEM_SCOPES_SUPPORTED, systemScope } from './oauth/system-scopes.js';
import type { RegistrationOptions } from './oauth/register-route.js';
import { TokenStore } from './oauth/tokens.js';
import { PATIENT_SCOPES_SUPPORTED, PatientLogin, type PatientGrant } from './patient-auth.js';
import type { PageReply } from './sign-in-page.js';
import type { TestMember } from './test-members.js';

export interface AuthClient {
  clientId: string;
  secret?: string;
  jwks?: { keys: JsonWebKey[] };
  /** Registered clients (their secret is stored hashed): whether a presented secret is theirs. */
  secretMatches?: (secret: string) => boolean;
  /** Registered private_key_jwt clients may give their keys by URL instead of jwks. */
  jwksUri?: string;
  /** Registered clients: the only redirect URIs the authorize endpoint accepts for them. */
  redirectUris?: string[];
}

/** The authorization modes the sandbox serves: `--auth`'s choices and startServer's `options.auth.mode`. */
export const SERVE_AUTH_MODES = ['none', 'bearer', 'smart-backend', 'smart-patient'] as const;

export interface AuthOptions {
  mode: (typeof SERVE_AUTH_MODES)[number];
  clients?: AuthClient[];
  /** smart-patient: who may sign in (default: DIR/test-accounts.json of the preloaded directory). */
  members?: TestMember[];
  /** Access token lifetime in seconds (default 300). */
  tokenLifetimeSeconds?: number;
  /** smart-patient refresh token lifetime in seconds (default 30 days). */
  refreshTokenLifetimeSeconds?: number;
  staticTokens?: string[];
  /** Epoch ms clock for token expiry (tests move it); default Date.now. */
  now?: () => number;
  /** Dynamic client registration (SMART modes); default off. */
  registration?: RegistrationOptions;
}

/** Default refresh token lifetime: 30 days. */
export const DEFAULT_REFRESH_SECONDS = 30 * 86_400;

export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
  /** Extra response headers (e.g. `Allow` on a 405). */
  headers?: Record<string, string>;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SIGNING_ALGS = ['RS384', 'ES384'];

/**
 * The sandbox's authorization: static bearer tokens, SMART Backend Services (client_credentials
 * with a client secret or a private_key_jwt assertion) or SMART standalone patient launch (test
 * members sign in, patient-auth.ts), issuing opaque tokens that expire.
 */
export class SandboxAuth {
  readonly tokens: TokenStore;
  /** Dynamically registered clients, when registration is on. */
  readonly registry?: ClientRegistry;
  readonly registration?: RegistrationOptions;
  private readonly login?: PatientLogin;
  private readonly remoteKeys = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(private readonly options: AuthOptions) {
    const lifetimes = { access: options.tokenLifetimeSeconds ?? 300, refresh: options.refreshTokenLifetimeSeconds ?? DEFAULT_REFRESH_SECONDS };
    this.tokens = new TokenStore(lifetimes, options.now);
    const smart = options.mode === 'smart-backend' || options.mode === 'smart-patient';
    if (smart && options.registration && options.registration.mode !== 'off') {
      this.registration = options.registration;
      this.registry = new ClientRegistry(options.mode === 'smart-backend' ? ['client_credentials'] : ['authorization_code', 'refresh_token'], options.registration.stateDir);
    }
    if (options.mode === 'smart-patient') this.login = new PatientLogin(options.members ?? [], (id) => this.client(id), this.tokens);
  }

  get mode(): AuthOptions['mode'] {
    return this.options.mode;
  }

  smartConfiguration(tokenEndpoint: string, authorizeEndpoint: string): Record<string, unknown> {
    if (this.login) {
      return {
        authorization_endpoint: authorizeEndpoint,
        token_endpoint: tokenEndpoint,
        grant_types_supported: ['authorization_code', 'refresh_token'],
        response_types_supported: ['code'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
        scopes_supported: [...PATIENT_SCOPES_SUPPORTED],
        code_challenge_methods_supported: ['S256'],
        capabilities: [
          'launch-standalone', 'client-public', 'client-confidential-symmetric', 'context-standalone-patient',
          'permission-patient', 'permission-offline', 'permission-v1', 'permission-v2', 'sso-openid-connect',
        ],
      };
    }
    return {
      token_endpoint: tokenEndpoint,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post'],
      token_endpoint_auth_signing_alg_values_supported: SIGNING_ALGS,
      scopes_supported: [...SYSTEM_SCOPES_SUPPORTED],
      capabilities: ['client-confidential-asymmetric', 'client-confidential-symmetric'],
    };
  }

  /**
   * smart-patient's OpenID Connect discovery fields (SMART App Launch 2.0 §2.0.5, required with sso-openid-connect):
   * `issuer` (the FHIR base, the id_tokens' `iss`) and `jwks_uri`; none in the other modes.
   */
  openIdDiscovery(fhirBase: string, jwksUri: string): Record<string, string> {
    return this.login ? { issuer: fhirBase, jwks_uri: jwksUri } : {};
  }

  /** The JWKS verifying smart-patient's id_tokens; undefined in the other modes. */
  jwks(): Promise<{ keys: unknown[] }> | undefined {
    return this.login?.jwks();
  }

  /** Why the request may not go on, or undefined when it may. */
  rejection(authorization: string | undefined): string | undefined {
    if (this.options.mode === 'none') return undefined;
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return 'missing bearer token';
    if (this.options.staticTokens?.includes(token)) return undefined;
    const found = this.tokens.lookup(token, 'access');
    if (found.ok) return undefined;
    return found.reason === 'expired' ? `expired bearer token (access tokens live ${this.tokens.lifetimes.access} s)` : 'unknown or revoked bearer token';
  }

  /** The client an unexpired issued access token belongs to (rate limits count per client). */
  tokenClient(token: string): string | undefined {
    const found = this.tokens.lookup(token, 'access');
    return found.ok ? found.token.clientId : undefined;
  }

  get staticTokens(): readonly string[] {
    return this.options.staticTokens ?? [];
  }

  /** The member and scopes a patient token carries; undefined for other tokens (check rejection first). */
  patientGrant(authorization: string | undefined): PatientGrant | undefined {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    const found = this.tokens.lookup(token, 'access');
    return found.ok ? found.token.grant : undefined;
  }

  /** smart-patient's authorize endpoint; undefined in the other modes. */
  authorize(method: string, params: URLSearchParams, fhirBase: string): PageReply | undefined {
    return this.login?.authorize(method, params, fhirBase);
  }

  /** The token endpoint: form body in, OAuth JSON out. */
  async token(form: URLSearchParams, authorization: string | undefined, tokenEndpoint: string, fhirBase?: string): Promise<TokenReply> {
    if (this.login) return this.login.token(form, authorization, fhirBase);
    if (this.options.mode !== 'smart-backend') return oauthError(404, 'invalid_request', 'this server does not issue tokens');
    if (!form.get('grant_type')) return oauthError(400, 'invalid_request', 'grant_type is required (client_credentials)');
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    const client = await this.authenticate(form, authorization, [tokenEndpoint]);
    if (typeof client === 'string') return oauthError(401, 'invalid_client', client);
    const scope = grantedSystemScope(form.get('scope'));
    if (typeof scope !== 'string') return oauthError(400, 'invalid_scope', scope.refused);
    const { token, expiresIn } = this.tokens.issueAccess(client.clientId, scope);
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope } };
  }

  /**
   * RFC 7662 introspection (POST token=…): the caller authenticates as a client (as at the token
   * endpoint; a public smart-patient client by client_id) or with a valid bearer token.
   */
  async introspect(form: URLSearchParams, authorization: string | undefined, endpoints: string[]): Promise<TokenReply> {
    const caller = /^Bearer\s/i.test(authorization ?? '') ? this.rejection(authorization) : await this.callingClient(form, authorization, endpoints);
    if (typeof caller === 'string') return oauthError(401, 'invalid_client', caller);
    const token = form.get('token');
    if (!token) return oauthError(400, 'invalid_request', 'token is required');
    return { status: 200, body: this.tokens.introspect(token) };
  }

  /** RFC 7009 revocation (POST token=…): the client that holds the token forgets it; unknown tokens answer 200 too. */
  async revoke(form: URLSearchParams, authorization: string | undefined, endpoints: string[]): Promise<TokenReply> {
    const caller = await this.callingClient(form, authorization, endpoints);
    if (typeof caller === 'string') return oauthError(401, 'invalid_client', caller);
    const token = form.get('token');
    if (!token) return oauthError(400, 'invalid_request', 'token is required');
    const hint = form.get('token_type_hint');
    if (hint && hint !== 'access_token' && hint !== 'refresh_token') return oauthError(400, 'unsupported_token_type', `token_type_hint ${hint}`);
    if (this.tokens.revoke(token, caller.clientId) === 'other-client') return oauthError(400, 'invalid_request', 'the token was issued to another client');
    return { status: 200, body: {} };
  }

  private async callingClient(form: URLSearchParams, authorization: string | undefined, endpoints: string[]): Promise<{ clientId: string } | string> {
    if (this.login) return this.login.client(form, authorization);
    if (this.options.mode !== 'smart-backend') return 'this server issues no tokens';
    return this.authenticate(form, authorization, endpoints);
  }

  private async authenticate(form: URLSearchParams, authorization: string | undefined, audiences: string[]): Promise<AuthClient | string> {
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (basic) {
      const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      return this.checkSecret(decodeURIComponent(id), decodeURIComponent(secret));
    }
    const assertion = form.get('client_assertion');
    if (assertion) {
      if (form.get('client_assertion_type') !== ASSERTION_TYPE) return `client_assertion_type must be ${ASSERTION_TYPE}`;
      return this.checkAssertion(assertion, audiences);
    }
    const id = form.get('client_id');
    const secret = form.get('client_secret');
    if (id && secret) return this.checkSecret(id, secret);
    return 'no client authentication (use client_secret_basic, client_secret_post or private_key_jwt)';
  }

  private checkSecret(clientId: string, secret: string): AuthClient | string {
    const client = this.client(clientId);
    if (client?.secretMatches) return client.secretMatches(secret) ? client : 'wrong client secret';
    if (!client?.secret) return `unknown client or client without a secret: ${clientId}`;
    const a = Buffer.from(client.secret);
    const b = Buffer.from(secret);
    return a.length === b.length && timingSafeEqual(a, b) ? client : 'wrong client secret';
  }

  /** A private_key_jwt client assertion (RFC 7523, SMART Backend Services), verified with jose against the client's JWKS or jwks_uri. */
  private async checkAssertion(jwt: string, audiences: string[]): Promise<AuthClient | string> {
    let header: ProtectedHeaderParameters;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(jwt);
      claims = decodeJwt(jwt);
    } catch {
      return 'client_assertion is not a JWT';
    }
    if (!header.alg || !SIGNING_ALGS.includes(header.alg)) return `client_assertion alg must be RS384 or ES384, not ${header.alg ?? '(none)'}`;
    const client = claims.iss ? this.client(claims.iss) : undefined;
    if (!client?.jwks && !client?.jwksUri) return `unknown client or client without a JWKS: ${claims.iss ?? '(no iss)'}`;
    if (claims.sub !== claims.iss) return 'client_assertion sub must equal iss (the client id)';
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((a) => aud.includes(a))) return `client_assertion aud must be the token endpoint ${audiences[0]}`;
    if (typeof claims.exp !== 'number') return 'client_assertion has expired (or has no exp)';
    const keys = client.jwks ? createLocalJWKSet(withoutKidGaps(client.jwks, header.kid)) : this.remoteKeySet(client.jwksUri!);
    try {
      await jwtVerify(jwt, keys, { algorithms: SIGNING_ALGS });
      return client;
    } catch (error) {
      if (error instanceof errors.JWTExpired) return 'client_assertion has expired (or has no exp)';
      const unread = client.jwksUri && !client.jwks ? jwksFailure(client.jwksUri, error) : undefined;
      if (unread) return unread;
      if (error instanceof errors.JWKSNoMatchingKey) {
        // RFC 7515 §4.1.4: the kid picks the key; none of this alg with that kid is a different mistake from a bad signature.
        const kids = client.jwks ? ` (its key ids: ${client.jwks.keys.map((k) => k.kid ?? '(none)').join(', ') || 'none'})` : '';
        return `client_assertion key id ${header.kid ?? '(none)'} with alg ${header.alg} matches no key of the client JWKS${kids}`;
      }
      if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSMultipleMatchingKeys) {
        return 'client_assertion signature does not verify against the client JWKS';
      }
      return `client_assertion refused: ${(error as Error).message}`;
    }
  }

  private remoteKeySet(uri: string): ReturnType<typeof createRemoteJWKSet> {
    let set = this.remoteKeys.get(uri);
    if (!set) this.remoteKeys.set(uri, (set = remoteKeySet(uri)));
    return set;
  }

  /** A configured (--client-id) or registered client. */
  private client(clientId: string): AuthClient | undefined {
    const configured = this.options.clients?.find((c) => c.clientId === clientId);
    if (configured) return configured;
    const registered = this.registry?.get(clientId);
    if (!registered) return undefined;
    const { metadata } = registered;
    return {
      clientId,
      ...(registered.client_secret_sha256 ? { secretMatches: (secret: string) => this.registry!.secretMatches(registered, secret) } : {}),
      ...(metadata.jwks ? { jwks: metadata.jwks as { keys: JsonWebKey[] } } : {}),
      ...(metadata.jwks_uri ? { jwksUri: metadata.jwks_uri } : {}),
      ...(metadata.redirect_uris ? { redirectUris: metadata.redirect_uris } : {}),
    };
  }
}

/**
 * The JWKS for jose, with keys that carry no kid given the assertion's kid: the assertion names a key,
 * the JWKS did not name its keys, and such a key has always been tried (kid is optional in a JWKS).
 */
function withoutKidGaps(jwks: { keys: JsonWebKey[] }, kid: string | undefined): JSONWebKeySet {
  return { keys: jwks.keys.map((k) => (kid && !k.kid ? { ...k, kid } : k)) } as JSONWebKeySet;
}

/**
 * The one scope rule of the client_credentials grant (RFC 6749 §3.3, §5.2; SMART Backend Services): every scope asked
 * for must be a system scope systemScope understands, of an R4 resource type or `*`, else `invalid_scope` naming it; the grant is what was asked
 * (each scope once, space-separated). No `scope` parameter: `system/*.read`; an empty one: `invalid_scope`.
 */
export function grantedSystemScope(asked: string | null): string | { refused: string } {
  if (asked === null) return 'system/*.read';
  const scopes = [...new Set(asked.split(/\s+/).filter(Boolean))];
  if (!scopes.length) return { refused: 'scope is empty: ask for system scopes such as system/*.read (see scopes_supported)' };
  const unknown = scopes.find((one) => !systemScope(one));
  if (unknown) return { refused: `scope ${unknown} is not understood here: system/<Type|*>.<read|write|*> (v1) or system/<Type|*>.<cruds> (SMART v2, letters in the order c r u d s), see scopes_supported` };
  // A misspelt type (system/Patients.read) would give a token refused everywhere; say so here instead.
  const noType = scopes.find((one) => systemScope(one)!.type !== '*' && !isResourceType(systemScope(one)!.type));
  if (noType) return { refused: `scope ${noType}: ${systemScope(noType)!.type} is not a FHIR R4 resource type` };
  return scopes.join(' ');
}

function oauthError(status: number, error: string, description: string): TokenReply {
  return { status, body: { error, error_description: description } };
}
