import type { Redactor } from '../redact.js';
import { clientCredentialsAuth, smartBackendAuth } from './oauth.js';
import { basicAuth, bearerAuth, noAuth } from './static.js';
import type { AuthOptions, AuthProvider, AuthTransport } from './types.js';

/** The auth provider for a mode; reads its secrets now, so a missing secret fails before any request. */
export function createAuth(serverUrl: string, options: AuthOptions, env: NodeJS.ProcessEnv, transport: AuthTransport, redactor: Redactor): AuthProvider {
  switch (options.mode) {
    case 'none':
      return noAuth();
    case 'bearer':
      return bearerAuth(options, env, redactor);
    case 'basic':
      return basicAuth(options, env, redactor);
    case 'client-credentials':
      return clientCredentialsAuth(serverUrl, options, env, transport, redactor);
    case 'smart-backend':
      return smartBackendAuth(serverUrl, options, env, transport, redactor);
  }
}
