import { randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

/** Where the sandbox publishes the public half of its id_token key (smart-configuration `jwks_uri`). */
export const JWKS_PATH = '/auth/jwks';

/** What an id_token says about a signed-in member (OpenID Connect Core §2, SMART App Launch 2.0 §2.0.10). */
export interface IdTokenClaims {
  /** The issuer: the FHIR base URL (smart-configuration `issuer`). */
  iss: string;
  /** The client_id the token is for. */
  aud: string;
  /** The member: their Patient id. */
  sub: string;
  /** With the `fhirUser` scope: the member's Patient as an absolute URL (`https://host/fhir/Patient/ID`). */
  fhirUser?: string;
  /** The authorize request's `nonce`, when it had one. */
  nonce?: string;
}

/**
 * Signs OpenID Connect id_tokens with an RS256 key made for this serve (generated on first use, never written to
 * disk: tokens of an earlier serve do not verify against a later one's JWKS) and publishes its public key as a JWKS.
 */
export class IdTokenSigner {
  private key?: Promise<{ privateKey: CryptoKey; jwk: JWK }>;
  private readonly kid = randomBytes(8).toString('hex');

  /** The JWKS (RFC 7517) holding the public key: `{keys: [{kty: 'RSA', kid, alg: 'RS256', use: 'sig', n, e}]}`. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.keys()).jwk] };
  }

  /** A compact JWS of `claims` with `iat` now and `exp` `lifetimeSeconds` later (the access token's lifetime). */
  async sign(claims: IdTokenClaims, lifetimeSeconds: number, nowMs = Date.now()): Promise<string> {
    const { privateKey } = await this.keys();
    const iat = Math.floor(nowMs / 1000);
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetimeSeconds)
      .sign(privateKey);
  }

  private keys(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
    this.key ??= generateKeyPair('RS256', { extractable: true }).then(async ({ privateKey, publicKey }) => ({
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' },
    }));
    return this.key;
  }
}
