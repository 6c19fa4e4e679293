import { UserError } from '../../util/errors.js';
import type { Redactor } from '../redact.js';
import { readSecret } from './secrets.js';
import { SECRET_ENV, type AuthOptions, type AuthProvider } from './types.js';

export function noAuth(): AuthProvider {
  return { mode: 'none', authorization: async () => undefined, invalidate: () => false, tokensIssued: 0 };
}

/** A static bearer token from a file or $FHIRSEED_TOKEN. */
export function bearerAuth(options: AuthOptions, env: NodeJS.ProcessEnv, redactor: Redactor): AuthProvider {
  const token = readSecret({ file: options.tokenFile, env: SECRET_ENV.token, what: 'bearer token', flag: '--token-file' }, env, redactor).trim();
  const header = `Bearer ${token}`;
  redactor.add(header);
  return { mode: 'bearer', authorization: async () => header, invalidate: () => false, tokensIssued: 0 };
}

/** HTTP Basic from a `user:password` file, or $FHIRSEED_BASIC_USER and $FHIRSEED_BASIC_PASSWORD. */
export function basicAuth(options: AuthOptions, env: NodeJS.ProcessEnv, redactor: Redactor): AuthProvider {
  let user: string;
  let password: string;
  if (options.basicFile) {
    const pair = readSecret({ file: options.basicFile, what: 'basic credentials' }, env, redactor).trim();
    const colon = pair.indexOf(':');
    if (colon < 1) throw new UserError(`the basic credentials file ${options.basicFile} must hold user:password on one line`);
    user = pair.slice(0, colon);
    password = pair.slice(colon + 1);
  } else {
    user = env[SECRET_ENV.basicUser] ?? '';
    if (!user) throw new UserError(`no basic user: set ${SECRET_ENV.basicUser} (and ${SECRET_ENV.basicPassword}) or --basic-file`);
    password = readSecret({ env: SECRET_ENV.basicPassword, what: 'basic password', flag: '--basic-file (user:password)' }, env, redactor);
  }
  redactor.add(password);
  const encoded = Buffer.from(`${user}:${password}`).toString('base64');
  redactor.add(encoded);
  const header = `Basic ${encoded}`;
  return { mode: 'basic', authorization: async () => header, invalidate: () => false, tokensIssued: 0 };
}
