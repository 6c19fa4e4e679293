import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../util/errors.js';

const BLOCK = 512;

/**
 * Packs a generated output directory into one .tar.gz that developers can download: a plain ustar
 * archive (no dependency for ~40 lines) with entries sorted and every timestamp and owner zeroed,
 * so the same output gives the same bytes. Paths sit under `prefix/`.
 */
export function writeArchive(dir: string, file: string, prefix: string): { files: number; bytes: number } {
  // Not the seeder's state nor the sandbox's SQLite store (serve's own, rebuilt from the data).
  const paths = listFiles(dir).filter((p) => !p.startsWith(`seed-state${sep}`) && !p.startsWith(`sandbox-store${sep}`)).sort();
  const blocks: Buffer[] = [];
  for (const path of paths) {
    const name = `${prefix}/${path.split(sep).join('/')}`;
    const body = readFileSync(join(dir, path));
    blocks.push(header(name, body.length), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  const gz = gzipSync(Buffer.concat(blocks), { level: 9 });
  try {
    writeFileSync(file, gz);
  } catch (error) {
    throw new UserError(`--archive ${file}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return { files: paths.length, bytes: gz.length };
}

/**
 * Checks, before any work, that the archive `file` can be written: a .tar.gz/.tgz name, not a
 * directory, empty, missing or an archive writeArchive made (isFhirseedArchive), in an existing directory where a
 * file can be created (tried: a probe opened for append,
 * and removed again when it did not exist before, so /proc or a read-only mount fails here and not
 * after the generation). Throws UserError `--archive <file>: …`.
 */
export function checkArchiveTarget(file: string): void {
  const path = resolve(file);
  if (!/\.(tar\.gz|tgz)$/.test(file) || /^\.(tar\.gz|tgz)$/.test(basename(path))) {
    throw new UserError(`--archive ${file === '' ? "''" : file}: the archive is a gzipped tar; name it …tar.gz or …tgz`);
  }
  const parent = dirname(path);
  if (!existsSync(parent)) throw new UserError(`--archive ${file}: the directory ${parent} does not exist`);
  if (!statSync(parent).isDirectory()) throw new UserError(`--archive ${file}: ${parent} is not a directory`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`--archive ${file}: is a directory`);
  const existed = existsSync(path);
  // As --out replaces only what fhirseed wrote: another file of that name (a download, someone's backup) is kept.
  if (existed && statSync(path).size > 0 && !isFhirseedArchive(path)) {
    throw new UserError(`--archive ${file}: exists and is not a fhirseed archive; give another name or remove it`);
  }
  try {
    closeSync(openSync(path, 'a'));
    if (!existed) unlinkSync(path);
  } catch (error) {
    throw new UserError(`--archive ${file}: cannot write in ${parent} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Whether `file` is a gzipped ustar archive whose first entry sits under `fhirseed-` (as writeArchive names them):
 * only its first 64 KiB are read and inflated.
 */
export function isFhirseedArchive(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64 << 10);
    const read = readSync(fd, head, 0, head.length, 0);
    const tar = gunzipSync(head.subarray(0, read), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    if (tar.length < BLOCK || tar.toString('latin1', 257, 262) !== 'ustar') return false;
    const field = (at: number, length: number) => tar.toString('latin1', at, at + length).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    return (prefix || field(0, 100)).startsWith('fhirseed-');
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  // ustar keeps long names as prefix (155) + name (100), split at a slash.
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new UserError(`cannot archive ${name}: path too long for a tar file`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100, 'utf8');
  h.write('0000644\0', 100, 8, 'ascii'); // mode
  h.write('0000000\0', 108, 8, 'ascii'); // uid
  h.write('0000000\0', 116, 8, 'ascii'); // gid
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  h.write('00000000000\0', 136, 12, 'ascii'); // mtime: zero, for identical bytes
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder
  h.write('0', 156, 1, 'ascii'); // regular file
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  const sum = h.reduce((a, b) => a + b, 0);
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return listFiles(root, path);
    return e.isFile() ? [relative(root, path)] : [];
  });
}
