/**
 * What a transport failure means, in words a user can act on. Node and undici report failures as
 * error codes (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, UND_ERR_CONNECT_TIMEOUT …); this maps the
 * common ones to one phrase each, and says which of them no retry can mend.
 */

/** TLS failures: a certificate nobody trusts, a name it does not cover, or TLS spoken to a plain HTTP port. */
const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|EPROTO$|ERR_OSSL_|HOSTNAME_MISMATCH)/;

/**
 * Failures that mean "there is no server to talk to" rather than "it did not answer this time": when
 * they happen before the server has answered anything, retrying only makes the user wait.
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL']);

export function errorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | undefined)?.code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof cause === 'string' ? cause : undefined;
}

/** True for refused connections, unknown host names, unroutable hosts and TLS failures. */
export function isUnreachable(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (UNREACHABLE_CODES.has(code) || TLS_CODES.test(code));
}

/**
 * One phrase for a transport failure on `url`: "connection refused (nothing listens on
 * 127.0.0.1:9; is the server running?)", "DNS name fhir.example.org not found", "TLS error:
 * CERT_HAS_EXPIRED …". Falls back to the error's own code and message.
 */
export function describeNetworkError(error: unknown, url: string): string {
  const code = errorCode(error);
  // One line whatever the error says (OpenSSL's messages span lines and name its source files).
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  let host = '(host)';
  let hostPort = host;
  try {
    const u = new URL(url);
    host = u.hostname;
    hostPort = `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    // Leave the placeholder: the URL was checked long before a request was made.
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused (nothing listens on ${hostPort}; is the server running, and is the port right?)`;
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return `DNS name ${host} not found (check the host name in --server)`;
    case 'EAI_AGAIN':
      return `DNS lookup of ${host} failed for now (EAI_AGAIN; is the network up?)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} is unreachable from this machine (${code})`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no connection to ${hostPort} (connect timeout; a firewall, or the wrong host or port?)`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `the connection was closed by ${hostPort} before an answer (${code})`;
  }
  if (code && TLS_CODES.test(code)) {
    if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_')) {
      return `TLS error: ${code} (is it https on a plain http port, or the other way round?)`;
    }
    // Certificate problems: Node's message says which ("certificate has expired").
    return `TLS error: ${code}${message && !message.includes(code) ? ` (${message.slice(0, 200)})` : ''}`;
  }
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
