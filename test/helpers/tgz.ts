import { gzipSync } from 'node:zlib';

/** One entry of a hand-made tar archive. */
export interface TarEntry {
  /** Path stored in the header's name field (at most 100 bytes; longer ones are cut: use `prefix` or a type 'L' entry). */
  name: string;
  body?: string | Buffer;
  /** Type flag: '0' (default) a file, '' the old NUL flag of a file, '5' a directory, '2' a symlink, 'L' a GNU long name. */
  type?: string;
  /** The ustar prefix field (up to 155 bytes), joined to the name with '/'. */
  prefix?: string;
  /** The size field's text as written (default: the body's length in octal, NUL-ended). */
  sizeField?: string;
}

/**
 * A tar archive built byte by byte, for tests of the package reader (src/validate/tar.ts): 512-byte headers,
 * bodies padded to 512 bytes, and (unless `trailer` is false) the two zero blocks that end an archive.
 */
export function tarBytes(entries: TarEntry[], trailer = true): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = typeof entry.body === 'string' ? Buffer.from(entry.body) : (entry.body ?? Buffer.alloc(0));
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write(entry.sizeField ?? `${body.length.toString(8).padStart(11, '0')}\0`, 124, 12, 'utf8');
    header.write('00000000000\0', 136);
    const type = entry.type ?? '0';
    if (type) header.write(type, 156, 1);
    header.write('ustar\0' + '00', 257);
    if (entry.prefix) header.write(entry.prefix, 345, 155, 'utf8');
    header.write('        ', 148);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  if (trailer) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** tarBytes gzipped: a `.tgz` as the FHIR package registry serves one. */
export function tgzBytes(entries: TarEntry[], trailer = true): Buffer {
  return gzipSync(tarBytes(entries, trailer));
}

/** A FHIR package's entries under `package/`: its package.json (name, version, dependencies) and the files given. */
export function packageEntries(name: string, version: string, dependencies: Record<string, string> = {}, files: Record<string, unknown> = {}): TarEntry[] {
  return [
    { name: 'package/package.json', body: JSON.stringify({ name, version, dependencies }) },
    ...Object.entries(files).map(([path, content]) => ({ name: `package/${path}`, body: typeof content === 'string' ? content : JSON.stringify(content) })),
  ];
}
