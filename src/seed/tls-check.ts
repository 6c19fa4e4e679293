import { connect, type PeerCertificate } from 'node:tls';

/** What `fhirseed ping` says of a server's TLS certificate. */
export interface CertificateReport {
  /** fail: no TLS handshake, an expired or untrusted certificate; warn: plain http, or fewer than warnDays left. */
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  issuer?: string;
  subject?: string;
  /** Whole days from now to the certificate's notAfter (negative once expired). */
  daysLeft?: number;
}

const DAY_MS = 86_400_000;

/**
 * Connects to `url`'s host with TLS and reads the certificate the server presents: its issuer, days
 * to expiry, and whether this machine trusts it (Node's CAs plus NODE_EXTRA_CA_CERTS, or `ca`). An http
 * URL is a warning (production endpoints use TLS). Never throws: a failed handshake is a `fail` report.
 */
export async function certificateCheck(url: string, warnDays: number, options: { ca?: string | Buffer; now?: number; timeoutMs?: number } = {}): Promise<CertificateReport> {
  const target = new URL(url);
  if (target.protocol !== 'https:') return { status: 'warn', detail: 'plain http: no TLS (production endpoints serve HTTPS)' };
  const now = options.now ?? Date.now();
  return new Promise((resolve) => {
    const socket = connect({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: Number(target.port || 443),
      servername: /^[\d.]+$|:/.test(target.hostname) ? undefined : target.hostname,
      // Read the certificate even when it is not trusted, to say why.
      rejectUnauthorized: false,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    const finish = (report: CertificateReport) => {
      socket.destroy();
      resolve(report);
    };
    socket.setTimeout(options.timeoutMs ?? 10_000, () => finish({ status: 'fail', detail: 'no TLS handshake within the timeout' }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ status: 'fail', detail: `TLS handshake failed (${error.code ?? error.message})` }));
    socket.once('secureConnect', () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      if (!cert || !cert.valid_to) return finish({ status: 'fail', detail: 'the server presented no certificate' });
      const issuer = describeName(cert.issuer);
      const subject = describeName(cert.subject);
      const daysLeft = Math.floor((Date.parse(cert.valid_to) - now) / DAY_MS);
      const base = { issuer, subject, daysLeft };
      const expiry = `expires ${new Date(cert.valid_to).toISOString().slice(0, 10)} (${daysLeft} days left)`;
      if (daysLeft < 0) return finish({ ...base, status: 'fail', detail: `certificate expired ${-daysLeft} days ago; issuer ${issuer}` });
      const trust = socket.authorized ? 'trusted' : `not trusted here: ${String(socket.authorizationError)}`;
      const detail = `issuer ${issuer}, ${expiry}, ${trust}`;
      if (!socket.authorized) return finish({ ...base, status: 'fail', detail });
      if (daysLeft < warnDays) return finish({ ...base, status: 'warn', detail: `${detail}; fewer than ${warnDays} days left` });
      finish({ ...base, status: 'pass', detail });
    });
  });
}

function describeName(name: PeerCertificate['issuer'] | undefined): string {
  if (!name) return '(none)';
  const parts = (['CN', 'O', 'C'] as const).map((k) => (name[k] ? `${k}=${String(name[k])}` : '')).filter(Boolean);
  return parts.length ? parts.join(', ') : '(no name)';
}

/**
 * Whether the server at `url`'s host and port (an http URL's, port 80 by default) completes a TLS handshake — to tell a
 * user who wrote http:// for an HTTPS port why the connection closed before any answer. Trusts any certificate (only
 * the protocol matters here). Never throws: false on any error, or when no handshake completes within `timeoutMs`.
 */
export function speaksTls(url: string, timeoutMs = 5_000): Promise<boolean> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = connect({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
      servername: /^[\d.]+$|:/.test(target.hostname) ? undefined : target.hostname,
      rejectUnauthorized: false,
    });
    const finish = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('secureConnect', () => finish(true));
  });
}
