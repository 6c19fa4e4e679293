import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded } from './helpers.js';

const t = tempDir('fhirseed-store-dir-');
afterAll(() => t.cleanup());

describeEmbedded('serve --store DIR (a directory where the store file should be)', () => {
  it('should refuse it in one line, exit 2, with or without --rebuild-store, and leave the directory as it was', async () => {
    const data = join(t.dir, 'data');
    mkdirSync(join(data, 'ndjson'), { recursive: true });
    writeFileSync(join(data, 'ndjson', 'Patient.ndjson'), JSON.stringify({ resourceType: 'Patient', id: 'a' }) + '\n');
    const folder = join(t.dir, 'mine');
    mkdirSync(folder);
    writeFileSync(join(folder, 'keep.txt'), 'precious');
    for (const extra of [[], ['--rebuild-store']]) {
      let stderr = '';
      const code = await runCli(['serve', data, '--port', '0', '--store', folder, ...extra], { stdout: () => undefined, stderr: (s) => (stderr += s), isTty: false });
      expect(code, extra.join(' ')).toBe(2);
      expect(stderr).toBe(`fhirseed: store ${folder}: is a directory; give --store a file path (e.g. ${join(folder, 'store.sqlite')})\n`);
      expect(readdirSync(folder)).toEqual(['keep.txt']);
      expect(readFileSync(join(folder, 'keep.txt'), 'utf8')).toBe('precious');
    }
    expect(existsSync(join(data, 'sandbox-store'))).toBe(false);
  });
});
