export type AuthMode = 'none' | 'bearer' | 'basic' | 'client-credentials' | 'smart-backend';
export const AUTH_MODES: readonly AuthMode[] = ['none', 'bearer', 'basic', 'client-credentials', 'smart-backend'];

/** Where each secret comes from: files named here, or the environment variables below. Never the command line. */
export const SECRET_ENV = {
  token: 'FHIRSEED_TOKEN',
  basicUser: 'FHIRSEED_BASIC_USER',
  basicPassword: 'FHIRSEED_BASIC_PASSWORD',
  clientSecret: 'FHIRSEED_CLIENT_SECRET',
  privateKey: 'FHIRSEED_PRIVATE_KEY',
} as const;

export interface AuthOptions {
  mode: AuthMode;
  /** bearer: file holding the token (else $FHIRSEED_TOKEN). */
  tokenFile?: string;
  /** basic: file holding `user:password` (else $FHIRSEED_BASIC_USER and $FHIRSEED_BASIC_PASSWORD). */
  basicFile?: string;
  /** client-credentials and smart-backend: the registered client id (not a secret). */
  clientId?: string;
  /** client-credentials: file holding the client secret (else $FHIRSEED_CLIENT_SECRET). */
  clientSecretFile?: string;
  /** client-credentials: send the secret as HTTP Basic (default, RFC 6749's preference) or in the form. */
  clientSecretMethod?: 'basic' | 'post';
  /** smart-backend: PEM or JWK file of the private key (else $FHIRSEED_PRIVATE_KEY). */
  privateKeyFile?: string;
  /** smart-backend: key id for the JWT header (default: the kid in jwksFile, the JWK's kid, else its RFC 7638 thumbprint). */
  keyId?: string;
  /** smart-backend: the public JWKS registered with the server; the kid of the entry holding the private key's public half is used. */
  jwksFile?: string;
  /** smart-backend: signing algorithm (default from the key: RSA → RS384, EC P-384 → ES384). */
  alg?: 'RS384' | 'ES384';
  /** Token endpoint; default from the server's .well-known/smart-configuration. */
  tokenUrl?: string;
  /** Scopes requested; default `system/*.read system/*.write`. */
  scope?: string;
}

/** Gives each request its Authorization header, refreshing tokens before they expire. */
export interface AuthProvider {
  readonly mode: AuthMode;
  /** The Authorization header value, or undefined for none. */
  authorization(): Promise<string | undefined>;
  /** Forgets a token the server refused (401), so that the next call fetches a new one; false if nothing can be refreshed. */
  invalidate(): boolean;
  /** Tokens fetched so far (a refresh counts). */
  readonly tokensIssued: number;
}

/** The little HTTP the token flows need, given by the seeder's client (same timeouts, same agent). */
export interface AuthTransport {
  getJson(url: string): Promise<{ status: number; body: unknown }>;
  postForm(url: string, form: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
}
