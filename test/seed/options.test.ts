import { describe, expect, it } from 'vitest';
import { assertServerAllowed, isLocalServer, normalizeServerUrl } from '../../src/seed/options.js';
import { UserError } from '../../src/util/errors.js';

describe('server URL and the production guard', () => {
  it('should treat loopback names and addresses as local and anything else as not', () => {
    for (const url of ['http://localhost:8080/fhir', 'http://127.0.0.1:1', 'http://127.8.9.10', 'http://[::1]:8080', 'http://api.localhost']) expect(isLocalServer(url)).toBe(true);
    for (const url of ['https://fhir.example.org/r4', 'http://10.0.0.5', 'http://localhost.example.com', 'http://0.0.0.0']) expect(isLocalServer(url)).toBe(false);
  });

  it('should refuse a remote server without --production and allow it with', () => {
    expect(() => assertServerAllowed('https://fhir.example.org/r4', false, 'seed')).toThrow(/--production/);
    expect(() => assertServerAllowed('https://fhir.example.org/r4', true, 'seed')).not.toThrow();
    expect(() => assertServerAllowed('http://localhost:8080', false, 'purge')).not.toThrow();
  });

  it('should refuse credentials in the URL without echoing them', () => {
    try {
      normalizeServerUrl('https://admin:pa55word@fhir.example.org/r4');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).not.toContain('pa55word');
    }
  });

  it('should drop trailing slashes and refuse queries and other schemes', () => {
    expect(normalizeServerUrl('http://localhost:8080/fhir//')).toBe('http://localhost:8080/fhir');
    expect(() => normalizeServerUrl('http://localhost/fhir?x=1')).toThrow(UserError);
    expect(() => normalizeServerUrl('ftp://localhost/fhir')).toThrow(UserError);
    expect(() => normalizeServerUrl('not a url')).toThrow(UserError);
  });

  // s16 trial S3 nit: a base URL typed without its scheme.
  it('should suggest http:// for a URL given without its scheme, and nothing where that would not help', () => {
    expect(() => normalizeServerUrl('127.0.0.1:8281/fhir')).toThrow('--server "127.0.0.1:8281/fhir": not a URL (did you mean http://127.0.0.1:8281/fhir?)');
    expect(() => normalizeServerUrl('localhost:8080/fhir')).toThrow('--server: expected an http or https URL, not localhost: (did you mean http://localhost:8080/fhir?)');
    expect(() => normalizeServerUrl('not a url')).toThrow(/: not a URL$/);
    expect(() => normalizeServerUrl('ftp://localhost/fhir')).toThrow(/not ftp:$/);
  });
});
