import { createRemoteJWKSet, customFetch, errors } from 'jose';

/** Why a registered client's jwks_uri gave no keys: the URL and what it answered, for `invalid_client`. */
export class JwksUriError extends Error {}

/**
 * jose's remote key set for a registered client's `jwks_uri` (RFC 7591 §2), whose fetch failures name
 * the URL and the cause: a status other than 200 (`answered 404 Not Found`) or a transport error
 * (`could not be fetched (ECONNREFUSED)`). jose's own texts ("Expected 200 OK from the JSON Web Key Set
 * HTTP response") name neither. A failed fetch is not cached: the next assertion fetches again.
 */
export function remoteKeySet(uri: string): ReturnType<typeof createRemoteJWKSet> {
  const fetchKeys = async (url: string, init: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      // jose turns a TimeoutError into JWKSTimeout; jwksFailure words that one.
      if ((error as Error).name === 'TimeoutError') throw error;
      throw new JwksUriError(`the client's jwks_uri ${uri} could not be fetched (${transportCause(error)})`);
    }
    if (response.status !== 200) {
      const redirect = response.status >= 300 && response.status < 400 ? `, a redirect to ${response.headers.get('location') ?? '(no location)'}: register the final URL` : '';
      throw new JwksUriError(`the client's jwks_uri ${uri} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}, not 200 with its JWKS${redirect}`);
    }
    return response;
  };
  return createRemoteJWKSet(new URL(uri), { [customFetch]: fetchKeys });
}

/**
 * The `invalid_client` description of a jwks_uri that gave no usable keys, or undefined when `error`
 * is not about fetching or reading the key set (a signature or kid mismatch is worded by the caller).
 */
export function jwksFailure(uri: string, error: unknown): string | undefined {
  if (error instanceof JwksUriError) return error.message;
  if (error instanceof errors.JWKSTimeout) return `the client's jwks_uri ${uri} did not answer within 5 s`;
  if (error instanceof errors.JWKSInvalid) return `the client's jwks_uri ${uri} answered 200 but not with a JWKS ({"keys": [...]})`;
  // jose 6 words a body that is not JSON with a plain JOSEError.
  if (error instanceof errors.JOSEError && /parse the JSON Web Key Set/i.test(error.message)) return `the client's jwks_uri ${uri} answered 200 but not with JSON`;
  return undefined;
}

/** undici's `fetch failed` hides the cause: ECONNREFUSED, ENOTFOUND, a TLS code, or its message. */
function transportCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return (error as Error).message ?? String(error);
}
