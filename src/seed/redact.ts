/**
 * Keeps secrets out of everything fhirseed prints or writes. Every secret the seeder reads or
 * receives (tokens, passwords, client secrets, private keys, signed assertions) is registered here,
 * and every message, log line and dead-letter record passes through `redact` on its way out.
 */
export const REDACTED = '[redacted]';

/** Shorter strings are not registered: replacing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret, and the forms it travels in (base64 for basic auth, each line of a PEM key). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    this.secrets.add(secret);
    const trimmed = secret.trim();
    if (trimmed.length >= MIN_SECRET_LENGTH) this.secrets.add(trimmed);
    for (const line of secret.split(/\r?\n/)) {
      // The lines of a PEM body are secret; its BEGIN/END armour is not.
      if (line.length >= 16 && !line.startsWith('-----')) this.secrets.add(line.trim());
    }
    this.secrets.add(encodeURIComponent(secret));
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so that a secret containing another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return redactCredentialPatterns(out);
  }

  /** A deep copy of a JSON value with every string redacted (for dead-letter records). */
  redactJson<T>(value: T): T {
    return JSON.parse(this.redact(JSON.stringify(value))) as T;
  }

  /** The message of any thrown value, redacted. */
  errorMessage(error: unknown): string {
    return this.redact(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Credentials that were never registered (a server echoing a header back, say) still have tell-tale
 * shapes: an Authorization header value, a JWT, a client_secret or client_assertion form field.
 */
export function redactCredentialPatterns(text: string): string {
  return text
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`)
    .replace(/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED)
    .replace(/\b(client_secret|client_assertion|access_token|refresh_token|password)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi, `$1$2${REDACTED}`);
}
