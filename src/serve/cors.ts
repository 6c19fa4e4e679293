import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import { UserError } from '../util/errors.js';

/** Request headers a browser app may send (the preflight's Access-Control-Allow-Headers). */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'Prefer', 'If-Match', 'If-None-Match', 'If-Modified-Since', 'If-None-Exist'];
/** Response headers a browser app may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  'Location',
  'Content-Location',
  'ETag',
  'Last-Modified',
  'WWW-Authenticate',
  'Retry-After',
  'Warning',
  'RateLimit',
  'RateLimit-Policy',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  // Bulk Data $export status polls (src/serve/export.ts).
  'X-Progress',
  'Expires',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Seconds a browser may cache a preflight answer. */
const MAX_AGE = 86400;

/**
 * Parses `--cors-origins`: `*` (any origin, the sandbox default) or a comma list of origins
 * (`https://app.example,http://localhost:5173`), each scheme://host[:port] without a path.
 * @throws UserError naming the entry that is not an origin.
 */
export function parseCorsOrigins(text: string): '*' | string[] {
  const trimmed = text.trim();
  if (trimmed === '*') return '*';
  const origins = trimmed.split(',').map((part) => part.trim()).filter(Boolean);
  if (!origins.length) throw new UserError(`--cors-origins: give * or a comma list of origins such as https://app.example`);
  return origins.map((origin) => corsOrigin(origin, '--cors-origins'));
}

/**
 * One origin of `--cors-origins` or startServer's `options.corsOrigins` (`name`): `scheme://host[:port]`, http or
 * https, no path (a trailing `/` allowed); returns it as URL.origin has it. UserError naming `name` and the entry.
 */
export function corsOrigin(origin: string, name: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new UserError(`${name}: '${origin}' is not an origin (scheme://host[:port], e.g. https://app.example)`);
  }
  if (!/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
    throw new UserError(`${name}: '${origin}' is not an origin (scheme://host[:port] with no path, e.g. https://app.example)`);
  }
  return url.origin;
}

/**
 * CORS for every answer of the server (FHIR, SMART configuration, OAuth, pages), with the `cors`
 * middleware: sets Access-Control-Allow-Origin (`*`, or the request's Origin when it is in `origins`,
 * with Vary: Origin) and Access-Control-Expose-Headers before the request is handled, so errors carry
 * them too. Returns true when it answered the request itself: a preflight (any OPTIONS request),
 * 204 with the allowed methods and headers and Max-Age, before any
 * authentication or rate limit.
 */
export function createCors(origins: '*' | string[] = '*'): (req: IncomingMessage, res: ServerResponse) => boolean {
  const middleware = cors({
    origin: origins === '*' ? '*' : origins,
    methods: METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: MAX_AGE,
    optionsSuccessStatus: 204,
  });
  return (req, res) => {
    let passed = false;
    // cors is synchronous: it calls next(), or answers an OPTIONS request itself, before returning.
    middleware(req as cors.CorsRequest, res, () => (passed = true));
    if (!passed) req.resume();
    return !passed;
  };
}
