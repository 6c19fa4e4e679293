import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readTree, tempDir } from '../helpers/output.js';

// A disk that fills up while generate writes is the environment's mistake: one line, exit 2, --out as it was.
// The built CLI runs under `ulimit -f` (a file-size limit: writes past it fail with EFBIG, as a full disk
// fails them with ENOSPC), which needs neither root nor a small file system.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = 'dist/src/cli/bin.js';
const temp = tempDir('fhirseed-disk-full-');
/** Every file under dir as path → SHA-256 (deep equality on the bytes themselves is slow). */
const digests = (dir: string) => [...readTree(dir)].map(([path, bytes]) => `${path} ${createHash('sha256').update(bytes).digest('hex')}`).sort();
afterAll(() => temp.cleanup());

describe('generate onto a place that cannot take the output', () => {
  it('should say so in one line with exit 2 and leave the earlier output as it was', () => {
    if (!existsSync(join(ROOT, BIN))) throw new Error(`${BIN} is missing: run npm run build before these tests`);
    const out = join(temp.dir, 'out');
    const first = spawnSync(process.execPath, [BIN, 'generate', '--members', '2', '--jobs', '1', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(first.status).toBe(0);
    const before = digests(out);

    // 64 KiB a file at most: the directory bundle alone is larger.
    const child = spawnSync('bash', ['-c', 'ulimit -f 64 && exec "$@"', 'bash', process.execPath, BIN, 'generate', '--members', '3', '--jobs', '1', '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(child.status).toBe(2);
    expect(child.stdout).toBe('');
    expect(child.stderr).toMatch(/^fhirseed: cannot write the output for .*out: a file grew past the size limit .*\(EFBIG\); removed the partial output, .*out is as it was\n$/);
    expect(digests(out)).toEqual(before);
    expect(readdirSync(temp.dir)).toEqual(['out']);
  });
});
