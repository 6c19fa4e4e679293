import { createAuth } from './auth/index.js';
import { FhirHttpClient } from './http.js';
import { normalizeServerUrl, type ConnectionOptions } from './options.js';
import { Redactor } from './redact.js';

export interface Connection {
  client: FhirHttpClient;
  redactor: Redactor;
  server: string;
}

/** The HTTP client with its auth in place; secrets are read (and registered for redaction) now. */
export function connect(options: ConnectionOptions, redactor = new Redactor()): Connection {
  const server = normalizeServerUrl(options.server);
  const client = new FhirHttpClient({
    baseUrl: server,
    concurrency: options.concurrency,
    requestsPerSecond: options.requestsPerSecond,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    redactor,
    random: options.random,
    signal: options.signal,
    onRetry: (reason, delay) => options.log?.(redactor.redact(`retrying in ${delay} ms: ${reason}`)),
  });
  client.auth = createAuth(server, options.auth, options.env, client.transport(), redactor);
  return { client, redactor, server };
}
