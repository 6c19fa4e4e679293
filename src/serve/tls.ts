import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { UserError } from '../util/errors.js';
import { shownValue } from '../util/whole-number.js';

/** `serve --tls-cert --tls-key`: PEM files, read once at start. */
export interface TlsFiles {
  cert: string;
  key: string;
}

/**
 * `tls` as a caller gave it, both files named: serve's `--tls-cert`/`--tls-key`, startServer's `options.tls.cert`/`.key`
 * (`names`). UserError `--tls-cert needs --tls-key too (…)` when one is missing, `options.tls.cert 5: expected a file
 * path` for one that is not a string; undefined when neither is given.
 */
export function tlsPair(files: { cert?: unknown; key?: unknown }, names: { cert: string; key: string }): TlsFiles | undefined {
  const { cert, key } = files;
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new UserError(`${cert ? names.cert : names.key} needs ${cert ? names.key : names.cert} too (HTTPS needs the certificate and its private key)`);
  for (const [name, path] of [[names.cert, cert], [names.key, key]] as const) {
    if (typeof path !== 'string') throw new UserError(`${name} ${shownValue(path)}: expected a PEM file path`);
  }
  return { cert: cert as string, key: key as string };
}

/**
 * The PEM certificate (chain) and private key for node:https, checked that TLS can use them together.
 * UserError (one line, exit 2) for a missing or unreadable file, a file that is not PEM, or a key that
 * does not belong to the certificate — of the same algorithm (OpenSSL's "key values mismatch") or of another one
 * (an RSA key for an EC certificate or the reverse, which OpenSSL accepts here and then fails every handshake with).
 * The two files are named as `names` says: serve's `--tls-cert`/`--tls-key` (default), startServer's `options.tls.cert`/`.key`.
 */
export function readTls(files: TlsFiles, names: { cert: string; key: string } = { cert: '--tls-cert', key: '--tls-key' }): { cert: Buffer; key: Buffer } {
  const read = (option: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new UserError(`${option} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  const cert = read(names.cert, files.cert);
  const key = read(names.key, files.key);
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new UserError(`${names.cert} ${files.cert}: not a PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) throw new UserError(`${names.key} ${files.key}: not a PEM private key`);
  const pair = `${names.cert} ${files.cert} / ${names.key} ${files.key}`;
  let certificate: X509Certificate;
  let privateKey: KeyObject;
  try {
    createSecureContext({ cert, key });
    certificate = new X509Certificate(cert);
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new UserError(`${pair}: TLS cannot use them together (${(error as Error).message})`);
  }
  // createSecureContext compares the key with the certificate only when both are of one algorithm: check it across them too.
  if (!certificate.checkPrivateKey(privateKey)) {
    const algorithm = (k: KeyObject) => k.asymmetricKeyType?.toUpperCase() ?? 'unknown';
    throw new UserError(`${pair}: the key does not belong to the certificate (an ${algorithm(privateKey)} key for an ${algorithm(certificate.publicKey)} certificate)`);
  }
  return { cert, key };
}
