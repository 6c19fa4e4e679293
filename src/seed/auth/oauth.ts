import { UserError } from '../../util/errors.js';
import type { Redactor } from '../redact.js';
import { readFileSync } from 'node:fs';
import { clientAssertion, loadSigningKey, type Jwks, type SigningKey } from './jwt.js';
import { readSecret } from './secrets.js';
import { SECRET_ENV, type AuthOptions, type AuthProvider, type AuthTransport } from './types.js';

export const DEFAULT_SCOPE = 'system/*.read system/*.write';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How a token request authenticates the client: with a secret, or with a signed assertion. */
type ClientAuthentication = (tokenUrl: string) => { form: Record<string, string>; headers: Record<string, string> };

/** What to add to a refused token request's message, given the OAuth error code (e.g. invalid_client). */
type RefusalHint = (error: string | undefined, description?: string) => string | undefined;

/**
 * OAuth 2.0 client credentials (a secret, or SMART Backend Services' private_key_jwt). Tokens are
 * fetched on first use and refreshed before they expire; concurrent callers share one fetch.
 */
export class OAuthTokenProvider implements AuthProvider {
  private token: { header: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private resolvedTokenUrl: string | undefined;
  tokensIssued = 0;
  /** expires_in of the last token response (seconds), undefined when the server gave none. */
  lastExpiresIn?: number;

  constructor(
    readonly mode: 'client-credentials' | 'smart-backend',
    private readonly serverUrl: string,
    private readonly options: AuthOptions,
    private readonly authenticate: ClientAuthentication,
    private readonly transport: AuthTransport,
    private readonly redactor: Redactor,
    private readonly hint: RefusalHint = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async authorization(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return this.token.header;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(): boolean {
    this.token = undefined;
    return true;
  }

  /** The token endpoint: given, or discovered from the server's SMART configuration. */
  async tokenUrl(): Promise<string> {
    if (this.options.tokenUrl) return this.options.tokenUrl;
    if (this.resolvedTokenUrl) return this.resolvedTokenUrl;
    const url = `${this.serverUrl.replace(/\/+$/, '')}/.well-known/smart-configuration`;
    const { status, body } = await this.transport.getJson(url);
    const endpoint = (body as { token_endpoint?: unknown } | undefined)?.token_endpoint;
    if (status !== 200 || typeof endpoint !== 'string') {
      throw new UserError(`no token endpoint: ${url} answered ${status}${status === 200 ? ' without token_endpoint' : ''}; give --token-url`);
    }
    this.resolvedTokenUrl = endpoint;
    return endpoint;
  }

  private async fetchToken(): Promise<string> {
    const tokenUrl = await this.tokenUrl();
    const { form, headers } = this.authenticate(tokenUrl);
    const { status, body } = await this.transport.postForm(
      tokenUrl,
      { grant_type: 'client_credentials', scope: this.options.scope ?? DEFAULT_SCOPE, ...form },
      headers,
    );
    const answer = (body ?? {}) as { access_token?: unknown; expires_in?: unknown; token_type?: unknown; error?: unknown; error_description?: unknown };
    if (status !== 200 || typeof answer.access_token !== 'string') {
      const reason = [answer.error, answer.error_description].filter((x) => typeof x === 'string').join(': ');
      const hint = status >= 400 && status < 500 ? this.hint(typeof answer.error === 'string' ? answer.error : undefined, typeof answer.error_description === 'string' ? answer.error_description : undefined) : undefined;
      throw new UserError(this.redactor.redact(`token request to ${tokenUrl} failed: HTTP ${status}${reason ? ` (${reason})` : ''}${hint ? `; ${hint}` : ''}`), 2);
    }
    this.redactor.add(answer.access_token);
    const header = `Bearer ${answer.access_token}`;
    this.redactor.add(header);
    this.lastExpiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : undefined;
    const lifetimeMs = (typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 300) * 1000;
    // Refresh early: a fifth of the lifetime or a minute before expiry, whichever is sooner to expiry.
    this.token = { header, refreshAt: this.now() + lifetimeMs - Math.min(60_000, lifetimeMs / 5) };
    this.tokensIssued++;
    return header;
  }
}

export function clientCredentialsAuth(serverUrl: string, options: AuthOptions, env: NodeJS.ProcessEnv, transport: AuthTransport, redactor: Redactor): OAuthTokenProvider {
  const clientId = requireClientId(options);
  const secret = readSecret({ file: options.clientSecretFile, env: SECRET_ENV.clientSecret, what: 'client secret', flag: '--client-secret-file' }, env, redactor).trim();
  const method = options.clientSecretMethod ?? 'basic';
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  redactor.add(basic);
  const authenticate: ClientAuthentication = () => {
    const form: Record<string, string> = {};
    const headers: Record<string, string> = {};
    if (method === 'basic') headers.authorization = `Basic ${basic}`;
    else Object.assign(form, { client_id: clientId, client_secret: secret });
    return { form, headers };
  };
  const hint: RefusalHint = (error) => (error === 'invalid_client' ? `check --client-id and the client secret, and --client-secret-method (now ${method})` : undefined);
  return new OAuthTokenProvider('client-credentials', serverUrl, options, authenticate, transport, redactor, hint);
}

export function smartBackendAuth(serverUrl: string, options: AuthOptions, env: NodeJS.ProcessEnv, transport: AuthTransport, redactor: Redactor): OAuthTokenProvider {
  const clientId = requireClientId(options);
  const pem = readSecret({ file: options.privateKeyFile, env: SECRET_ENV.privateKey, what: 'private key', flag: '--private-key-file' }, env, redactor);
  const jwks = options.jwksFile ? readJwks(options.jwksFile) : undefined;
  const signingKey: SigningKey = loadSigningKey(pem, { alg: options.alg, kid: options.keyId, jwks, jwksName: `--jwks-file ${options.jwksFile}` });
  const authenticate: ClientAuthentication = (tokenUrl) => {
    const assertion = clientAssertion(clientId, tokenUrl, signingKey);
    redactor.add(assertion);
    return { form: { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion }, headers: {} };
  };
  // invalid_client on a signed assertion is most often a key id the server does not know for this client, unless
  // the server says it could not read the client's registered jwks_uri (then its description is the cause).
  const hint: RefusalHint = (error, description) =>
    error === 'invalid_client' && !/jwks_uri|JSON Web Key Set/i.test(description ?? '')
      ? `the server did not accept key id ${signingKey.kid} (from ${signingKey.kidSource}) for client ${clientId}; pass --key-id with the kid registered for this key, or --jwks-file with the registered JWKS`
      : undefined;
  return new OAuthTokenProvider('smart-backend', serverUrl, options, authenticate, transport, redactor, hint);
}

/** The public JWKS registered for the client (not a secret): `{"keys": [...]}`. */
function readJwks(path: string): Jwks {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`--jwks-file ${path}: ${code ? `cannot read it (${code})` : 'not JSON'}`);
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new UserError(`--jwks-file ${path}: expected a JWKS, {"keys": [...]}`);
  return { keys: keys as Jwks['keys'] };
}

function requireClientId(options: AuthOptions): string {
  if (!options.clientId) throw new UserError(`--auth ${options.mode} needs --client-id`);
  return options.clientId;
}
