import { createPublicKey, timingSafeEqual, verify, type JsonWebKey } from 'node:crypto';
import { TokenStore } from './oauth/tokens.js';
import { PatientLogin, type PatientGrant } from './patient-auth.js';
import type { PageReply } from './sign-in-page.js';
import type { TestMember } from './test-members.js';

export interface AuthClient {
  clientId: string;
  secret?: string;
  jwks?: { keys: JsonWebKey[] };
}

export interface AuthOptions {
  mode: 'none' | 'bearer' | 'smart-backend' | 'smart-patient';
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
}

/** Default refresh token lifetime: 30 days. */
export const DEFAULT_REFRESH_SECONDS = 30 * 86_400;

export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
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
  private readonly login?: PatientLogin;

  constructor(private readonly options: AuthOptions) {
    const lifetimes = { access: options.tokenLifetimeSeconds ?? 300, refresh: options.refreshTokenLifetimeSeconds ?? DEFAULT_REFRESH_SECONDS };
    this.tokens = new TokenStore(lifetimes, options.now);
    if (options.mode === 'smart-patient') this.login = new PatientLogin(options.members ?? [], options.clients ?? [], this.tokens);
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
        scopes_supported: ['patient/*.read', 'patient/*.rs', 'openid', 'fhirUser', 'launch/patient', 'offline_access'],
        code_challenge_methods_supported: ['S256'],
        capabilities: [
          'launch-standalone', 'client-public', 'client-confidential-symmetric', 'context-standalone-patient',
          'permission-patient', 'permission-offline', 'permission-v1', 'permission-v2',
        ],
      };
    }
    return {
      token_endpoint: tokenEndpoint,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post'],
      token_endpoint_auth_signing_alg_values_supported: SIGNING_ALGS,
      scopes_supported: ['system/*.read', 'system/*.write', 'system/*.*'],
      capabilities: ['client-confidential-asymmetric', 'client-confidential-symmetric'],
    };
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
  token(form: URLSearchParams, authorization: string | undefined, tokenEndpoint: string): TokenReply {
    if (this.login) return this.login.token(form, authorization);
    if (this.options.mode !== 'smart-backend') return oauthError(404, 'invalid_request', 'this server does not issue tokens');
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    const client = this.authenticate(form, authorization, tokenEndpoint);
    if (typeof client === 'string') return oauthError(401, 'invalid_client', client);
    const scope = form.get('scope') ?? 'system/*.read';
    const { token, expiresIn } = this.tokens.issueAccess(client.clientId, scope);
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope } };
  }

  /**
   * RFC 7662 introspection (POST token=…): the caller authenticates as a client (as at the token
   * endpoint; a public smart-patient client by client_id) or with a valid bearer token.
   */
  introspect(form: URLSearchParams, authorization: string | undefined, endpoints: string[]): TokenReply {
    const caller = /^Bearer\s/i.test(authorization ?? '') ? this.rejection(authorization) : this.callingClient(form, authorization, endpoints);
    if (typeof caller === 'string') return oauthError(401, 'invalid_client', caller);
    const token = form.get('token');
    if (!token) return oauthError(400, 'invalid_request', 'token is required');
    return { status: 200, body: this.tokens.introspect(token) };
  }

  /** RFC 7009 revocation (POST token=…): the client that holds the token forgets it; unknown tokens answer 200 too. */
  revoke(form: URLSearchParams, authorization: string | undefined, endpoints: string[]): TokenReply {
    const caller = this.callingClient(form, authorization, endpoints);
    if (typeof caller === 'string') return oauthError(401, 'invalid_client', caller);
    const token = form.get('token');
    if (!token) return oauthError(400, 'invalid_request', 'token is required');
    const hint = form.get('token_type_hint');
    if (hint && hint !== 'access_token' && hint !== 'refresh_token') return oauthError(400, 'unsupported_token_type', `token_type_hint ${hint}`);
    if (this.tokens.revoke(token, caller.clientId) === 'other-client') return oauthError(400, 'invalid_request', 'the token was issued to another client');
    return { status: 200, body: {} };
  }

  private callingClient(form: URLSearchParams, authorization: string | undefined, endpoints: string[]): { clientId: string } | string {
    if (this.login) return this.login.client(form, authorization);
    if (this.options.mode !== 'smart-backend') return 'this server issues no tokens';
    let last: AuthClient | string = 'no client authentication';
    for (const endpoint of endpoints) {
      last = this.authenticate(form, authorization, endpoint);
      if (typeof last !== 'string') return last;
    }
    return last;
  }

  private authenticate(form: URLSearchParams, authorization: string | undefined, tokenEndpoint: string): AuthClient | string {
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (basic) {
      const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      return this.checkSecret(decodeURIComponent(id), decodeURIComponent(secret));
    }
    const assertion = form.get('client_assertion');
    if (assertion) {
      if (form.get('client_assertion_type') !== ASSERTION_TYPE) return `client_assertion_type must be ${ASSERTION_TYPE}`;
      return this.checkAssertion(assertion, tokenEndpoint);
    }
    const id = form.get('client_id');
    const secret = form.get('client_secret');
    if (id && secret) return this.checkSecret(id, secret);
    return 'no client authentication (use client_secret_basic, client_secret_post or private_key_jwt)';
  }

  private checkSecret(clientId: string, secret: string): AuthClient | string {
    const client = this.client(clientId);
    if (!client?.secret) return `unknown client or client without a secret: ${clientId}`;
    const a = Buffer.from(client.secret);
    const b = Buffer.from(secret);
    return a.length === b.length && timingSafeEqual(a, b) ? client : 'wrong client secret';
  }

  private checkAssertion(jwt: string, tokenEndpoint: string): AuthClient | string {
    const [headerPart = '', payloadPart = '', signaturePart = ''] = jwt.split('.');
    let header: { alg?: string; kid?: string };
    let claims: { iss?: string; sub?: string; aud?: string | string[]; exp?: number };
    try {
      header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return 'client_assertion is not a JWT';
    }
    if (!header.alg || !SIGNING_ALGS.includes(header.alg)) return `client_assertion alg must be RS384 or ES384, not ${header.alg ?? '(none)'}`;
    const client = claims.iss ? this.client(claims.iss) : undefined;
    if (!client?.jwks) return `unknown client or client without a JWKS: ${claims.iss ?? '(no iss)'}`;
    if (claims.sub !== claims.iss) return 'client_assertion sub must equal iss (the client id)';
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(tokenEndpoint)) return `client_assertion aud must be the token endpoint ${tokenEndpoint}`;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return 'client_assertion has expired (or has no exp)';
    const kty = header.alg === 'RS384' ? 'RSA' : 'EC';
    const keys = client.jwks.keys.filter((k) => k.kty === kty && (!header.kid || !k.kid || k.kid === header.kid));
    const data = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    const ok = keys.some((jwk) => {
      try {
        const key = createPublicKey({ key: jwk, format: 'jwk' });
        return header.alg === 'ES384' ? verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature) : verify('sha384', data, key, signature);
      } catch {
        return false;
      }
    });
    return ok ? client : 'client_assertion signature does not verify against the client JWKS';
  }

  private client(clientId: string): AuthClient | undefined {
    return this.options.clients?.find((c) => c.clientId === clientId);
  }
}

function oauthError(status: number, error: string, description: string): TokenReply {
  return { status, body: { error, error_description: description } };
}
