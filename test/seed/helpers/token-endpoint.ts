import { randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in OAuth token endpoint for SMART Backend Services (private_key_jwt) and client secrets:
 * checks the assertion's signature and claims, issues short-lived random tokens, and tells which
 * tokens are currently valid, so a proxy in front of the FHIR server can refuse expired ones.
 */
export interface TokenEndpoint {
  url: string;
  issued: Map<string, number>;
  isValid: (token: string) => boolean;
  rejections: string[];
  close: () => Promise<void>;
}

export async function startTokenEndpoint(options: { clientId: string; publicKey?: KeyObject; secret?: string; lifetimeSeconds: number }): Promise<TokenEndpoint> {
  const issued = new Map<string, number>();
  const jtis = new Set<string>();
  const rejections: string[] = [];
  let url = '';
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    const refuse = (why: string) => {
      rejections.push(why);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: why }));
    };
    if (form.get('grant_type') !== 'client_credentials') return refuse('grant_type');
    if (options.publicKey) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return refuse('assertion type');
      const [h, c, s] = (form.get('client_assertion') ?? '').split('.');
      if (!h || !c || !s) return refuse('malformed assertion');
      const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string };
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
      const key = header.alg === 'ES384' ? { key: options.publicKey, dsaEncoding: 'ieee-p1363' as const } : options.publicKey;
      if (!verify('sha384', Buffer.from(`${h}.${c}`), key, Buffer.from(s, 'base64url'))) return refuse('bad signature');
      if (claims.iss !== options.clientId || claims.sub !== options.clientId || claims.aud !== url) return refuse('claims');
      if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now() || claims.exp * 1000 > Date.now() + 301_000) return refuse('exp');
      if (typeof claims.jti !== 'string' || jtis.has(claims.jti)) return refuse('jti reused');
      jtis.add(claims.jti);
    } else {
      const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      if (basic !== `${options.clientId}:${options.secret}`) return refuse('client secret');
    }
    const token = randomBytes(24).toString('base64url');
    issued.set(token, Date.now() + options.lifetimeSeconds * 1000);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: options.lifetimeSeconds, scope: form.get('scope') }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return {
    url,
    issued,
    rejections,
    isValid: (token) => (issued.get(token) ?? 0) > Date.now(),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
