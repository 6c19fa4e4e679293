// A code-maps/tables.json edited to lack a code that claims carry, on the built CLI: the tables load (no check
// there knows which codes a member will need), so the first member that needs the code stops the run — one line
// naming the file, table and code, exit 2, nothing written, with the member built on this thread or in a worker.
// A real install: a copy of dist/ with its own package.json and its own code-maps/ (README: "to change a row, edit
// that folder's file").
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/output.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const temp = tempDir('fhirseed-code-maps-edit-');
afterAll(() => temp.cleanup());
const install = join(temp.dir, 'install');

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/bin.js'))) throw new Error('dist/src/cli/bin.js is missing: run npm run build before these tests');
  mkdirSync(join(install, 'dist'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(install, 'package.json'));
  for (const dir of ['node_modules', 'profiles']) symlinkSync(join(ROOT, dir), join(install, dir));
  cpSync(join(ROOT, 'dist/src'), join(install, 'dist/src'), { recursive: true });
  cpSync(join(ROOT, 'code-maps'), join(install, 'code-maps'), { recursive: true });
  // Prescription origin '3' (electronic), which most fills carry, taken out of its table.
  const file = join(install, 'code-maps/tables.json');
  const tables = JSON.parse(readFileSync(file, 'utf8')) as { tables: Record<string, { codes: { code: string }[] }> };
  tables.tables['rx-origin']!.codes = tables.tables['rx-origin']!.codes.filter((c) => c.code !== '3');
  writeFileSync(file, JSON.stringify(tables, null, 2));
}, 60_000);

function run(args: string[]): Promise<CliRun> {
  return runBin(join(install, 'dist/src/cli/bin.js'), args, temp.dir);
}

describe('generate with an edited code-maps table that lacks a code a member needs', () => {
  for (const jobs of ['1', '2']) {
    it(`should stop --jobs ${jobs} with one line naming the table and the code, exit 2, and leave nothing`, async () => {
      const out = join(temp.dir, `out-${jobs}`);
      const result = await run(['generate', '--members', '6', '--out', out, '--jobs', jobs]);
      expect(result.stderr).toBe("fhirseed: code-maps/tables.json: table 'rx-origin' has no code '3'\n");
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(temp.dir).sort()).toEqual(['install']);
    }, 60_000);
  }
});
