import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientAssertion, loadSigningKey } from '../../src/seed/auth/jwt.js';
import { UserError } from '../../src/util/errors.js';

function decode(jwt: string) {
  const [h, c, s] = jwt.split('.') as [string, string, string];
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), claims: JSON.parse(Buffer.from(c, 'base64url').toString()), input: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
}

describe('SMART client assertion', () => {
  it('should sign RS384 with an RSA key and carry the SMART claims', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = loadSigningKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { kid: 'k1' });
    const jwt = decode(clientAssertion('client-a', 'https://auth.example.org/token', key, 1_000_000));
    expect(jwt.header).toEqual({ alg: 'RS384', kid: 'k1', typ: 'JWT' });
    expect(jwt.claims).toMatchObject({ iss: 'client-a', sub: 'client-a', aud: 'https://auth.example.org/token', exp: 1_000_300 });
    expect(typeof jwt.claims.jti).toBe('string');
    expect(verify('sha384', Buffer.from(jwt.input), publicKey, jwt.signature)).toBe(true);
  });

  it('should sign ES384 as a raw 96-byte r‖s signature from a P-384 JWK', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const jwk = JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'ec-key' });
    const key = loadSigningKey(jwk);
    expect(key.alg).toBe('ES384');
    const jwt = decode(clientAssertion('c', 'https://t', key));
    expect(jwt.header.kid).toBe('ec-key');
    expect(jwt.signature).toHaveLength(96);
    expect(verify('sha384', Buffer.from(jwt.input), { key: publicKey, dsaEncoding: 'ieee-p1363' }, jwt.signature)).toBe(true);
  });

  it('should default the kid to the key thumbprint, the same for the same key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(loadSigningKey(pem).kid).toBe(loadSigningKey(pem).kid);
    expect(loadSigningKey(pem).kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createPublicKey(privateKey).asymmetricKeyType).toBe('ec');
  });

  it('should refuse a P-256 key, a wrong --alg and text that is no key, without quoting it', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSigningKey(p256)).toThrow(/P-384/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSigningKey(rsa, { alg: 'ES384' })).toThrow(UserError);
    const junk = '-----BEGIN PRIVATE KEY-----\nnot-a-key-but-secret-looking\n-----END PRIVATE KEY-----';
    try {
      loadSigningKey(junk);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('not-a-key-but-secret-looking');
    }
  });
});
