import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthClient, TokenReply } from './auth.js';
import type { TokenStore } from './oauth/tokens.js';
import { signInPage, type PageReply } from './sign-in-page.js';
import type { TestMember } from './test-members.js';
import { IdTokenSigner } from './oauth/id-token.js';

/** What a patient token grants: one member's compartment, for all types or the ones its scopes name. */
export interface PatientGrant {
  patient: string;
  scope: string;
  types: '*' | Set<string>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  grant: PatientGrant;
  expires: number;
  /** The authorize request's OpenID Connect `nonce`, echoed in the id_token. */
  nonce?: string;
}

const CODE_LIFETIME_MS = 60_000;
const RESOURCE_SCOPE = /^patient\/(\*|[A-Z][A-Za-z]+)\.(read|rs|r)$/;
const OTHER_SCOPES = new Set(['openid', 'fhirUser', 'launch/patient', 'offline_access']);

/** Whether the authorize endpoint grants `scope` (a patient read scope, or openid, fhirUser, launch/patient, offline_access). */
export function patientScopeUnderstood(scope: string): boolean {
  return RESOURCE_SCOPE.test(scope) || OTHER_SCOPES.has(scope);
}

/**
 * smart-patient's `scopes_supported`: the all-types patient read scopes the authorize endpoint grants (v1
 * `patient/*.read`, v2 `patient/*.rs` and `patient/*.r`) and the others it takes; filtered through
 * patientScopeUnderstood, so it cannot list a scope that is not granted.
 */
export const PATIENT_SCOPES_SUPPORTED: readonly string[] = ['patient/*.read', 'patient/*.rs', 'patient/*.r', ...OTHER_SCOPES].filter(patientScopeUnderstood);

/**
 * SMART App Launch, standalone patient launch, for test members: the authorize endpoint's sign-in
 * form checks a username and password from test-accounts.json and hands the app a one-time code
 * (PKCE S256, 60 s), which the token endpoint exchanges for a token bound to that member's Patient.
 * Any client_id is a public test client (no registration, any redirect_uri); a configured client with
 * a secret must also present that secret at the token endpoint.
 */
export class PatientLogin {
  private readonly codes = new Map<string, PendingCode>();
  /** Codes already exchanged: the sign-in their tokens belong to, and until when (epoch ms) they are kept. */
  private readonly exchanged = new Map<string, { family: string; until: number }>();

  constructor(
    private readonly members: TestMember[],
    private readonly clientById: (clientId: string) => AuthClient | undefined,
    private readonly tokens: TokenStore,
    private readonly idTokens = new IdTokenSigner(),
  ) {}

  /** The JWKS that verifies this server's id_tokens (published at JWKS_PATH). */
  jwks(): Promise<{ keys: unknown[] }> {
    return this.idTokens.jwks();
  }

  /** GET shows the sign-in form; POST checks the credentials and redirects with a code. */
  authorize(method: string, params: URLSearchParams, fhirBase: string): PageReply {
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!/^https?:\/\/[^/]/i.test(redirectUri) || !params.get('client_id')) {
      return signInPage(400, params, 'This sign-in link is broken: it needs a client_id and an absolute http(s) redirect_uri.', false);
    }
    const registered = this.clientById(params.get('client_id') ?? '')?.redirectUris;
    if (registered && !registered.includes(redirectUri)) {
      return signInPage(400, params, 'This sign-in link is broken: its redirect_uri is not one the app registered.', false);
    }
    const fail = (error: string, description: string) => redirect(redirectUri, { error, error_description: description, state: params.get('state') });
    if (params.get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    if (!sameBase(params.get('aud') ?? '', fhirBase)) return fail('invalid_request', `aud must be the FHIR base URL ${fhirBase}`);
    if (!params.get('code_challenge') || params.get('code_challenge_method') !== 'S256') {
      return fail('invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256');
    }
    const scope = grantedScope(params.get('scope') ?? '');
    if (!scope) return fail('invalid_scope', 'scope must include a patient scope, e.g. patient/*.read or patient/*.rs');
    if (method !== 'POST') return signInPage(200, params);
    const member = this.check(params.get('username') ?? '', params.get('password') ?? '');
    if (!member) return signInPage(401, params, 'The username or password is not right.');
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      clientId: params.get('client_id') ?? '',
      redirectUri,
      challenge: params.get('code_challenge') ?? '',
      grant: { patient: member.patientId, ...scope },
      expires: Date.now() + CODE_LIFETIME_MS,
      ...(params.get('nonce') ? { nonce: params.get('nonce')! } : {}),
    });
    return redirect(redirectUri, { code, state: params.get('state') });
  }

  /**
   * The token endpoint for grant_type authorization_code and refresh_token. Refresh tokens rotate (RFC 9700 §4.14.2):
   * each refresh answers a new one and ends the one used; the used one presented again is a replay, answered 400
   * invalid_grant, and ends the sign-in (every access and refresh token of it). So does a code exchanged again (RFC 6749
   * §4.1.2), as long as a token issued for it can live. With `openid` granted and `fhirBase` given (the issuer), the
   * answer has an OpenID Connect `id_token` (RS256; `fhirUser` the member's Patient URL when `fhirUser` is granted).
   */
  async token(form: URLSearchParams, authorization: string | undefined, fhirBase?: string): Promise<TokenReply> {
    const basic = basicCredentials(authorization);
    const clientId = basic?.id ?? form.get('client_id') ?? '';
    const secretProblem = this.clientSecretProblem(clientId, basic?.secret ?? form.get('client_secret') ?? undefined);
    if (secretProblem) return oauthError(401, 'invalid_client', secretProblem);
    const grantType = form.get('grant_type');
    if (grantType === 'refresh_token') {
      if (!form.get('refresh_token')) return oauthError(400, 'invalid_request', 'refresh_token is required for grant_type refresh_token');
      const refresh = this.tokens.lookup(form.get('refresh_token') ?? '', 'refresh');
      if (!refresh.ok && refresh.reason === 'expired') {
        return oauthError(400, 'invalid_grant', `refresh_token has expired (refresh tokens live ${this.tokens.lifetimes.refresh} s); sign in again`);
      }
      if (!refresh.ok && refresh.reason === 'used' && refresh.token.clientId === clientId) {
        // RFC 9700 §4.14.2: a rotated token seen again means two parties hold the chain; end the whole sign-in.
        if (refresh.token.family) this.tokens.revokeFamily(refresh.token.family);
        return oauthError(400, 'invalid_grant', 'refresh_token was already exchanged for a new one (rotation); a replay ends the sign-in, every token of it is revoked: sign in again');
      }
      if (!refresh.ok || refresh.token.clientId !== clientId || !refresh.token.grant) return oauthError(400, 'invalid_grant', 'unknown or revoked refresh_token for this client');
      this.tokens.markUsed(form.get('refresh_token') ?? '');
      return this.tokenReply(clientId, refresh.token.grant, refresh.token.family ?? randomBytes(12).toString('base64url'), fhirBase);
    }
    if (!grantType) return oauthError(400, 'invalid_request', 'grant_type is required (authorization_code or refresh_token)');
    if (grantType !== 'authorization_code') return oauthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
    // RFC 6749 §5.2: a missing parameter is invalid_request; a wrong one, invalid_grant.
    const missing = ['code', 'redirect_uri', 'code_verifier'].filter((name) => !form.get(name));
    if (missing.length) return oauthError(400, 'invalid_request', `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required for grant_type authorization_code`);
    const codeText = form.get('code') ?? '';
    const code = this.codes.get(codeText);
    this.codes.delete(codeText);
    const exchanged = this.exchanged.get(codeText);
    if (exchanged) {
      // RFC 6749 §4.1.2: a code used twice is refused, and the tokens issued for it SHOULD be revoked (someone else
      // may hold the code): the whole sign-in ends, as for a replayed refresh token.
      this.exchanged.delete(codeText);
      this.tokens.revokeFamily(exchanged.family);
      return oauthError(400, 'invalid_grant', 'the code was already exchanged for tokens; a replay ends the sign-in, every token issued for it is revoked: sign in again');
    }
    if (!code || code.expires <= Date.now()) return oauthError(400, 'invalid_grant', 'unknown, used or expired code');
    if (code.clientId !== clientId) return oauthError(400, 'invalid_grant', 'the code was issued to another client_id');
    if (code.redirectUri !== form.get('redirect_uri')) return oauthError(400, 'invalid_grant', 'redirect_uri differs from the one at /auth/authorize');
    const verifier = form.get('code_verifier') ?? '';
    if (!sameText(createHash('sha256').update(verifier).digest('base64url'), code.challenge)) {
      return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge (S256)');
    }
    const family = randomBytes(12).toString('base64url');
    this.rememberExchange(codeText, family);
    return this.tokenReply(clientId, code.grant, family, fhirBase, code.nonce);
  }

  /**
   * Remembers that `code` was exchanged for the tokens of sign-in `family`, for as long as any of them can live (the
   * longer of the access and refresh lifetimes), so that a replay of the code revokes them; older ones are forgotten.
   */
  private rememberExchange(code: string, family: string): void {
    const now = Date.now();
    for (const [old, record] of this.exchanged) if (record.until <= now) this.exchanged.delete(old);
    this.exchanged.set(code, { family, until: now + Math.max(this.tokens.lifetimes.access, this.tokens.lifetimes.refresh) * 1000 });
  }

  /** Access token (and with offline_access a refresh token) of the sign-in `family`: a code's exchange starts one, refreshes continue it. */
  private async tokenReply(clientId: string, grant: PatientGrant, family: string, fhirBase?: string, nonce?: string): Promise<TokenReply> {
    const { token, expiresIn } = this.tokens.issueAccess(clientId, grant.scope, grant, family);
    const body: Record<string, unknown> = { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: grant.scope, patient: grant.patient, need_patient_banner: true };
    const scopes = grant.scope.split(' ');
    if (scopes.includes('offline_access')) {
      body.refresh_token = this.tokens.issueRefresh(clientId, grant.scope, grant, family);
    }
    if (scopes.includes('openid') && fhirBase) {
      const fhirUser = scopes.includes('fhirUser') ? { fhirUser: `${fhirBase}/Patient/${grant.patient}` } : {};
      body.id_token = await this.idTokens.sign({ iss: fhirBase, aud: clientId, sub: grant.patient, ...fhirUser, ...(nonce ? { nonce } : {}) }, expiresIn);
    }
    return { status: 200, body };
  }

  private check(username: string, password: string): TestMember | undefined {
    const member = this.members.find((m) => m.username.toLowerCase() === username.trim().toLowerCase());
    // Compare a password even for an unknown username, so that timing does not tell which part was wrong.
    const ok = sameText(member?.password ?? randomBytes(12).toString('hex'), password);
    return ok ? member : undefined;
  }

  /** Who a request to the introspection or revocation endpoint is: a public client by client_id, a confidential one by its secret. */
  client(form: URLSearchParams, authorization: string | undefined): { clientId: string } | string {
    const basic = basicCredentials(authorization);
    const clientId = basic?.id ?? form.get('client_id') ?? '';
    const problem = this.clientSecretProblem(clientId, basic?.secret ?? form.get('client_secret') ?? undefined);
    return problem ?? { clientId };
  }

  private clientSecretProblem(clientId: string, secret: string | undefined): string | undefined {
    if (!clientId) return 'client_id is required';
    const client = this.clientById(clientId);
    if (client?.secretMatches) return secret !== undefined && client.secretMatches(secret) ? undefined : `client ${clientId} is confidential: wrong or missing client secret`;
    if (!client?.secret) return undefined;
    return secret !== undefined && sameText(client.secret, secret) ? undefined : `client ${clientId} is confidential: wrong or missing client secret`;
  }
}

/** The scopes granted of those asked for, and the resource types they open; undefined without a patient scope. */
function grantedScope(requested: string): Omit<PatientGrant, 'patient'> | undefined {
  const scopes = requested.split(/\s+/).filter(patientScopeUnderstood);
  const types = scopes.map((s) => RESOURCE_SCOPE.exec(s)?.[1]).filter((t): t is string => Boolean(t));
  if (!types.length) return undefined;
  return { scope: [...new Set(scopes)].join(' '), types: types.includes('*') ? '*' : new Set(types) };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `aud` names this FHIR base; on loopback, localhost, 127.0.0.1 and [::1] are the same host. */
function sameBase(aud: string, fhirBase: string): boolean {
  const trimmed = aud.replace(/\/+$/, '');
  if (trimmed === fhirBase) return true;
  try {
    const a = new URL(trimmed);
    const b = new URL(fhirBase);
    return LOOPBACK.has(a.hostname) && LOOPBACK.has(b.hostname) && a.port === b.port && a.protocol === b.protocol && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

function redirect(uri: string, params: Record<string, string | null>): PageReply {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return { status: 302, headers: { location: url.toString() }, body: '' };
}

function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!basic) return undefined;
  const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
  return { id: decodeURIComponent(id), secret: decodeURIComponent(secret) };
}

function sameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

function oauthError(status: number, error: string, description: string): TokenReply {
  return { status, body: { error, error_description: description } };
}
