import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded } from './helpers.js';

const t = tempDir('fhirseed-store-dir-');
afterAll(() => t.cleanup());

/** A served directory of one Patient. */
function dataDir(name: string): string {
  const data = join(t.dir, name);
  mkdirSync(join(data, 'ndjson'), { recursive: true });
  writeFileSync(join(data, 'ndjson', 'Patient.ndjson'), JSON.stringify({ resourceType: 'Patient', id: 'a' }) + '\n');
  return data;
}

describeEmbedded('serve --store FILE: a directory in its place, a missing folder', () => {
  it('should refuse it in one line, exit 2, with or without --rebuild-store, and leave the directory as it was', async () => {
    const data = dataDir('data');
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

  it('should refuse a store file whose folder does not exist in one line, exit 2, making no folders', async () => {
    const data = dataDir('data2');
    const file = join(t.dir, 'typo', 'deeper', 'store.sqlite');
    let stderr = '';
    const code = await runCli(['serve', data, '--port', '0', '--store', file], { stdout: () => undefined, stderr: (s) => (stderr += s), isTty: false });
    expect(code).toBe(2);
    expect(stderr).toBe(`fhirseed: store ${file}: its folder ${join(t.dir, 'typo', 'deeper')} does not exist\n`);
    expect(existsSync(join(t.dir, 'typo'))).toBe(false);
  });

  it('should be told by start before it generates, like every option only the server reads', async () => {
    const file = join(t.dir, 'typo2', 'store.sqlite');
    const cases: [string[], string][] = [
      [['--store', file], `store ${file}: its folder ${join(t.dir, 'typo2')} does not exist`],
      [['--rate-limit', '5/hour'], ''],
      [['--access-token-ttl', '2x'], ''],
      [['--tls-cert', join(t.dir, 'none.pem'), '--tls-key', join(t.dir, 'none.key')], ''],
    ];
    for (const [extra, message] of cases) {
      const out = join(t.dir, `start-${extra[0]!.slice(2)}`);
      let stderr = '';
      const code = await runCli(['start', '--out', out, '--members', '2', '--port', '0', ...extra], { stdout: () => undefined, stderr: (s) => (stderr += s), isTty: false });
      expect(code, extra.join(' ')).toBe(2);
      expect(stderr.trim().split('\n'), extra.join(' ')).toHaveLength(1);
      if (message) expect(stderr).toBe(`fhirseed: ${message}\n`);
      expect(existsSync(out), `${extra.join(' ')}: generated before refusing`).toBe(false);
    }
  });
});
