import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTree, tempDir } from '../helpers/output.js';
import { expectOneLineExit2, runBin } from '../seed/helpers/bin.js';

// The built CLI (dist/, `npm run build` first): its workers are dist/src/output/member-worker.js. Five child
// processes of 5 members or fewer (a few seconds on an idle machine): the one way to run the workers as users do.
const temp = tempDir('fhirseed-cli-jobs-');
afterAll(() => temp.cleanup());

describe('fhirseed generate --jobs / --pretty (built CLI)', () => {
  it('should write the same bytes with --jobs 2 as with --jobs 1, and indent bundles only with --pretty', async () => {
    const runs = [['--jobs', '1'], ['--jobs', '2'], ['--jobs', '2', '--pretty']].map((extra, i) => ({ out: join(temp.dir, `out${i}`), extra }));
    for (const { out, extra } of runs) {
      const r = await runBin(['generate', '--members', '5', '--max-bundle-entries', '80', '--out', out, ...extra]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const [one, two, pretty] = runs.map((r) => readTree(r.out));
    expect([...two!.keys()].sort()).toEqual([...one!.keys()].sort());
    for (const [file, bytes] of one!) expect(two!.get(file)!.equals(bytes), file).toBe(true);
    const bundle = 'bundles/member-000002.json';
    expect(one!.get(bundle)!.toString().split('\n')).toHaveLength(2);
    expect(pretty!.get(bundle)!.toString()).toBe(`${JSON.stringify(JSON.parse(one!.get(bundle)!.toString()), null, 2)}\n`);
    expect(pretty!.get('ndjson/Patient.ndjson')!.equals(one!.get('ndjson/Patient.ndjson')!)).toBe(true);
    expect(readFileSync(join(runs[2]!.out, 'manifest.json'), 'utf8')).toBe(one!.get('manifest.json')!.toString());
  });

  it('should refuse --jobs 0 and --jobs two in one line, exit 2, before any work', async () => {
    for (const jobs of ['0', 'two']) {
      const out = join(temp.dir, `bad-${jobs}`);
      expectOneLineExit2(await runBin(['generate', '--members', '2', '--out', out, '--jobs', jobs]), new RegExp(`--jobs ${jobs}`));
      expect(() => readFileSync(join(out, 'manifest.json'))).toThrow();
    }
  });
});
