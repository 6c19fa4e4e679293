import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { UserError } from '../../util/errors.js';

export type SigningAlg = 'RS384' | 'ES384';

export interface SigningKey {
  key: KeyObject;
  alg: SigningAlg;
  kid: string;
  /** Where the kid came from, for error messages: "--key-id", "the private JWK", "--jwks-file", or "the key's RFC 7638 thumbprint". */
  kidSource: string;
}

/** A JSON Web Key Set as registered with a server: `{"keys": [...]}`. */
export interface Jwks {
  keys: Record<string, unknown>[];
}

/**
 * Reads a private key given as PEM (PKCS#8, PKCS#1 or SEC1) or as a JWK (JSON), and settles the
 * algorithm and key id SMART Backend Services needs: RS384 for RSA, ES384 for EC P-384.
 * The kid is, in this order: `kid`; the kid of the `jwks` entry holding this key's public half (the
 * set registered with the server; UserError when none matches); the private JWK's kid; else the
 * RFC 7638 thumbprint of the key. `jwksName` names the set in messages (default --jwks-file).
 */
export function loadSigningKey(text: string, options: { alg?: SigningAlg; kid?: string; jwks?: Jwks; jwksName?: string } = {}): SigningKey {
  let key: KeyObject;
  let jwkKid: string | undefined;
  try {
    if (text.trim().startsWith('{')) {
      const jwk = JSON.parse(text) as { kid?: string; keys?: unknown[] } & Record<string, unknown>;
      const single = (Array.isArray(jwk.keys) ? jwk.keys[0] : jwk) as Record<string, unknown> & { kid?: string };
      jwkKid = single.kid;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      key = createPrivateKey({ key: single as any, format: 'jwk' });
    } else {
      key = createPrivateKey(text);
    }
  } catch {
    // The parser's message could quote the key: say only what went wrong.
    throw new UserError('the private key is not a PEM or JWK private key');
  }
  const type = key.asymmetricKeyType;
  let alg: SigningAlg;
  if (type === 'rsa') alg = 'RS384';
  else if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') alg = 'ES384';
  else throw new UserError(`the private key is ${type === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : type}; SMART Backend Services needs RSA (RS384) or EC P-384 (ES384)`);
  if (options.alg && options.alg !== alg) throw new UserError(`--alg ${options.alg} does not fit the ${type?.toUpperCase()} private key (use ${alg})`);
  if (options.kid) return { key, alg, kid: options.kid, kidSource: '--key-id' };
  if (options.jwks) {
    const kid = kidInJwks(key, options.jwks, options.jwksName ?? '--jwks-file');
    if (kid) return { key, alg, kid, kidSource: options.jwksName ?? '--jwks-file' };
  }
  if (jwkKid) return { key, alg, kid: jwkKid, kidSource: 'the private JWK' };
  return { key, alg, kid: jwkThumbprint(key), kidSource: "the key's RFC 7638 thumbprint" };
}

/**
 * The kid of the JWKS entry that holds `privateKey`'s public half; undefined when that entry has no
 * kid. UserError when no entry is that key (a set for another key would only fail at the server).
 */
export function kidInJwks(privateKey: KeyObject, jwks: Jwks, name: string): string | undefined {
  const mine = publicMembers(privateKey);
  const entry = (jwks.keys ?? []).find((k) => {
    try {
      // A JWKS may hold private JWKs too: take the public half of each.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const pub = createPublicKey({ key: k as any, format: 'jwk' });
      return JSON.stringify(publicMembers(pub)) === JSON.stringify(mine);
    } catch {
      return false;
    }
  });
  if (!entry) throw new UserError(`${name}: no key in the set is the public half of the private key; give the JWKS registered for this key, or --key-id`);
  return typeof entry.kid === 'string' && entry.kid ? entry.kid : undefined;
}

/** The required members of a public JWK (RFC 7638 §3.2), in their canonical order. */
function publicMembers(key: KeyObject): Record<string, string | undefined> {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' }) as Record<string, string>;
  return jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
}

/** RFC 7638 thumbprint of the public half: a stable key id when none is given. */
export function jwkThumbprint(privateKey: KeyObject): string {
  return createHash('sha256').update(JSON.stringify(publicMembers(privateKey))).digest('base64url');
}

/** A signed JWT (JWS compact serialization). ES384 signatures are raw r‖s, as JWS requires, not DER. */
export function signJwt(claims: Record<string, unknown>, signingKey: SigningKey): string {
  const header = { alg: signingKey.alg, kid: signingKey.kid, typ: 'JWT' };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature =
    signingKey.alg === 'ES384'
      ? sign('sha384', Buffer.from(input), { key: signingKey.key, dsaEncoding: 'ieee-p1363' })
      : sign('sha384', Buffer.from(input), signingKey.key);
  return `${input}.${signature.toString('base64url')}`;
}

/** The client assertion of SMART Backend Services: iss = sub = client id, aud = token endpoint, ≤ 5 minutes. */
export function clientAssertion(clientId: string, tokenUrl: string, signingKey: SigningKey, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return signJwt({ iss: clientId, sub: clientId, aud: tokenUrl, exp: nowSeconds + 300, jti: randomUUID() }, signingKey);
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
