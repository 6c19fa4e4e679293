import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, redactCredentialPatterns } from '../../src/seed/redact.js';

describe('Redactor', () => {
  it('should replace every registered secret wherever it appears', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim().length >= 8 && !REDACTED.includes(s)), fc.string(), fc.string(), (secret, before, after) => {
        const r = new Redactor();
        r.add(secret);
        const out = r.redact(`${before}${secret}${after}${secret}`);
        expect(out).not.toContain(secret);
        expect(out).toContain(REDACTED);
      }),
    );
  });

  it('should redact the base64 of a basic credential and each line of a PEM key', () => {
    const r = new Redactor();
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    r.add(pem);
    const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    const out = r.redact(`key line: ${body[3]} and whole: ${pem}`);
    for (const line of body) expect(out).not.toContain(line);
    const basic = Buffer.from('user:s3cret-pass').toString('base64');
    r.add(basic);
    expect(r.redact(`authorization: Basic ${basic}`)).not.toContain(basic);
  });

  it('should redact credential shapes it was never told about', () => {
    const jwt = 'eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz';
    const text = redactCredentialPatterns(`Authorization: Bearer abcdefgh12345678 token=${jwt} client_secret=hunter2hunter2&scope=x`);
    expect(text).not.toContain('abcdefgh12345678');
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('hunter2hunter2');
    expect(text).toContain('scope=x');
  });

  it('should leave text without secrets as it was', () => {
    const r = new Redactor();
    r.add('a-long-secret-value');
    expect(r.redact('HTTP 422: Coverage.status is required')).toBe('HTTP 422: Coverage.status is required');
  });

  it('should redact strings inside JSON values', () => {
    const r = new Redactor();
    r.add('tok-123456789');
    expect(JSON.stringify(r.redactJson({ issue: [{ diagnostics: 'saw tok-123456789' }] }))).not.toContain('tok-123456789');
  });
});
