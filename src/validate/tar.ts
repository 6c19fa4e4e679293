import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Why bytes are not a package tarball, in words a user can act on: `not a gzip'd tar (incorrect header check)`,
 * `cut short (unexpected end of file)`, `not a tar (…)`. Thrown by unpackTgz; readTgz names the file.
 */
export class DamagedTarball extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'DamagedTarball';
  }
}

/** zlib's message (RFC 1952 gzip) as a reason: not gzip at all, cut short, or damaged inside. */
function gunzipProblem(error: Error & { code?: string }, size: number): string {
  if (size === 0) return 'empty (0 bytes)';
  const why = error.message;
  if (/incorrect header check/.test(why)) return `not a gzip'd tar (${why})`;
  if (error.code === 'Z_BUF_ERROR' || /unexpected end of file/.test(why)) return `cut short (${why})`;
  return `damaged (${why})`;
}

/** True when the ustar header's checksum field (POSIX.1-1988 ustar, bytes 148–155) matches its bytes. */
function checksumMatches(header: Buffer): boolean {
  const stored = parseInt(header.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim() || 'x', 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return stored === sum;
}

/**
 * Files of a gzip'd tar held in `bytes`, path (without the leading `package/`) → bytes, read with a minimal ustar
 * reader. Throws DamagedTarball when the bytes are not gzip, are cut short (in the gzip stream or inside a file of the
 * tar) or hold no tar.
 */
export function unpackTgz(bytes: Buffer): Map<string, Buffer> {
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes);
  } catch (error) {
    throw new DamagedTarball(gunzipProblem(error as Error, bytes.length));
  }
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    if (!checksumMatches(header)) throw new DamagedTarball(`not a tar (the header at byte ${offset} of the unzipped data has a wrong checksum)`);
    const field = (start: number, len: number) => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const path = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (offset + 512 + size > tar.length) throw new DamagedTarball(`cut short (the tar ends inside ${path})`);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '') files.set(path.replace(/^package\//, ''), body);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  if (offset === 0) throw new DamagedTarball('not a tar (no file in it)');
  return files;
}

/** Files of the package .tgz `file` (see unpackTgz). Throws DamagedTarball (the reason, not naming the file) or fs errors. */
export function readTgz(file: string): Map<string, Buffer> {
  return unpackTgz(readFileSync(file));
}
