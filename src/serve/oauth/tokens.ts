import { randomBytes } from 'node:crypto';
import type { PatientGrant } from '../patient-auth.js';

/** How long issued tokens live, in seconds. */
export interface TokenLifetimes {
  access: number;
  refresh: number;
}

/** What the server remembers of a token it issued (opaque tokens: this record is the token's meaning). */
export interface IssuedToken {
  kind: 'access' | 'refresh';
  clientId: string;
  scope: string;
  /** Epoch milliseconds. */
  issuedAt: number;
  expires: number;
  /** Patient tokens: the member and the resource types the scopes open. */
  grant?: PatientGrant;
  /**
   * Patient tokens: the sign-in they descend from (one per code exchanged), shared by its access tokens and its chain
   * of rotated refresh tokens, so that a replayed refresh token ends them all (revokeFamily).
   */
  family?: string;
  /** Refresh tokens: when it was exchanged for a new one (rotation); it is no good after that. Epoch ms. */
  usedAt?: number;
}

/** How long an expired token is still told as expired rather than unknown, and how often they are swept. */
const EXPIRED_KEPT_MS = 3_600_000;
const SWEEP_EVERY_MS = 60_000;

/** A token looked up: the record, or why it is no good. */
export type TokenLookup = { ok: true; token: IssuedToken } | { ok: false; reason: 'unknown' | 'expired' } | { ok: false; reason: 'used'; token: IssuedToken };

/**
 * The opaque access and refresh tokens the sandbox issues, each with its lifetime (--access-token-ttl,
 * --refresh-token-ttl), for the token, introspection (RFC 7662) and revocation (RFC 7009) endpoints.
 * An expired token is told as expired for an hour after its end, then forgotten (swept when tokens are
 * issued). `now` (epoch ms) is injectable so tests can move time.
 */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  private nextSweep = 0;

  constructor(
    readonly lifetimes: TokenLifetimes,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new access token; `expiresIn` in seconds, for the token response's expires_in. */
  issueAccess(clientId: string, scope: string, grant?: PatientGrant, family?: string): { token: string; expiresIn: number } {
    return { token: this.issue('access', clientId, scope, grant, family), expiresIn: this.lifetimes.access };
  }

  /** A new refresh token for a patient grant (offline_access), of the sign-in `family`. */
  issueRefresh(clientId: string, scope: string, grant: PatientGrant, family?: string): string {
    return this.issue('refresh', clientId, scope, grant, family);
  }

  /**
   * Marks a refresh token as exchanged (RFC 9700 §4.14.2, rotation): from now on lookup says 'used' until it
   * expires, and introspection says inactive.
   */
  markUsed(token: string): void {
    const found = this.tokens.get(token);
    if (found?.kind === 'refresh') found.usedAt = this.now();
  }

  /** Forgets every token of a sign-in (its access tokens and refresh chain); returns how many. */
  revokeFamily(family: string): number {
    let count = 0;
    for (const [key, token] of this.tokens) if (token.family === family && this.tokens.delete(key)) count++;
    return count;
  }

  lookup(token: string, kind: IssuedToken['kind']): TokenLookup {
    const found = this.tokens.get(token);
    if (!found || found.kind !== kind) return { ok: false, reason: 'unknown' };
    // Kept, not deleted: every later look-up (the rate limiter's comes before the auth check) still says expired.
    if (found.expires <= this.now()) return { ok: false, reason: 'expired' };
    if (found.usedAt !== undefined) return { ok: false, reason: 'used', token: found };
    return { ok: true, token: found };
  }

  /** RFC 7662 introspection response: active with its claims, or just `{active: false}`. */
  introspect(token: string): Record<string, unknown> {
    const found = this.lookup(token, 'access');
    const record = found.ok ? found.token : (() => {
      const refresh = this.lookup(token, 'refresh');
      return refresh.ok ? refresh.token : undefined;
    })();
    if (!record) return { active: false };
    return {
      active: true,
      client_id: record.clientId,
      scope: record.scope,
      token_type: record.kind === 'access' ? 'Bearer' : 'refresh_token',
      iat: Math.floor(record.issuedAt / 1000),
      exp: Math.floor(record.expires / 1000),
      ...(record.grant ? { patient: record.grant.patient, sub: `Patient/${record.grant.patient}` } : { sub: record.clientId }),
    };
  }

  /**
   * RFC 7009: forgets `token` if `clientId` holds it (a refresh token: with its whole sign-in, revokeFamily). Unknown tokens are not an error (the RFC answers 200
   * either way); 'other-client' when the token was issued to someone else, and then it stays valid.
   */
  revoke(token: string, clientId: string): 'revoked' | 'unknown' | 'other-client' {
    const found = this.tokens.get(token);
    if (!found) return 'unknown';
    if (found.clientId !== clientId) return 'other-client';
    this.tokens.delete(token);
    // RFC 7009 §2.1: a refresh token revoked takes the access tokens of the same grant with it.
    if (found.kind === 'refresh' && found.family) this.revokeFamily(found.family);
    return 'revoked';
  }

  private issue(kind: IssuedToken['kind'], clientId: string, scope: string, grant?: PatientGrant, family?: string): string {
    const token = randomBytes(24).toString('base64url');
    const issuedAt = this.now();
    if (issuedAt >= this.nextSweep) {
      for (const [key, old] of this.tokens) if (old.expires + EXPIRED_KEPT_MS <= issuedAt) this.tokens.delete(key);
      this.nextSweep = issuedAt + SWEEP_EVERY_MS;
    }
    const seconds = kind === 'access' ? this.lifetimes.access : this.lifetimes.refresh;
    this.tokens.set(token, { kind, clientId, scope, issuedAt, expires: issuedAt + seconds * 1000, ...(grant ? { grant } : {}), ...(family ? { family } : {}) });
    return token;
  }
}
