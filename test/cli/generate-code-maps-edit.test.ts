// A code-maps/tables.json edited to lack a code that claims carry, on the built CLI: generate checks every code the
// story can put on a claim from tables.json (src/story/claims/table-codes.ts) before anything is written, so the run
// stops at once — one line naming the file, table and code, exit 2, nothing written — whether the code is one most
// members need (prescription origin 3) or one only a member who dies in hospital needs (discharge status 20, which no
// member of a small run needs: before the check at load, that run went through and a large one stopped hours in).
// A real install: a copy of dist/ with its own package.json and its own code-maps/ (README: "to change a row, edit
// that folder's file"). An emptied table that only a rare member reads (compound-vehicles: the compounded fill) is
// found when the code maps load, before anything is written (src/codemaps/tables.ts); it was exit 70 mid-run.
// Over 10 s on 2 busy cores: copying dist/ and four CLI children, each loading the code maps and the profile; the
// other edits of code-maps/ are checked in process (test/codemaps/edits.test.ts, tables.test.ts).
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
}, 60_000);

/** The install's tables.json as shipped, with `table`'s codes as `keep` leaves them. */
function withCodes(table: string, keep: (code: string) => boolean): void {
  const tables = JSON.parse(readFileSync(join(ROOT, 'code-maps/tables.json'), 'utf8')) as { tables: Record<string, { codes: { code: string }[] }> };
  tables.tables[table]!.codes = tables.tables[table]!.codes.filter((c) => keep(c.code));
  writeFileSync(join(install, 'code-maps/tables.json'), JSON.stringify(tables, null, 2));
}

function run(args: string[]): Promise<CliRun> {
  return runBin(join(install, 'dist/src/cli/bin.js'), args, temp.dir);
}

describe('generate with an edited code-maps table that lacks a code a member may need', () => {
  // Prescription origin '3' (electronic), which most fills carry; discharge status '20' (expired), which only a member
  // who dies during a hospital stay carries: none of 3 members does.
  for (const [table, code, jobs] of [['rx-origin', '3', '1'], ['discharge-status', '20', '1'], ['discharge-status', '20', '2']]) {
    it(`should stop --jobs ${jobs} without '${code}' in '${table}' with one line naming the table and the code, exit 2, and leave nothing`, async () => {
      withCodes(table!, (c) => c !== code);
      const out = join(temp.dir, `out-${jobs}`);
      const result = await run(['generate', '--members', '3', '--out', out, '--jobs', jobs!]);
      expect(result.stderr).toBe(`fhirseed: code-maps/tables.json: table '${table}' has no code '${code}'\n`);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(temp.dir).sort()).toEqual(['install']);
    }, 60_000);
  }
});

describe('generate with an edited code-maps table emptied', () => {
  // Only a compounded fill reads compound-vehicles (the coverage-plan member's first fill): 3 members have one.
  it("should stop with 'compound-vehicles' emptied with one line naming the file and the table, exit 2, and leave nothing", async () => {
    withCodes('compound-vehicles', () => false);
    const out = join(temp.dir, 'out-emptied');
    const result = await run(['generate', '--members', '3', '--out', out, '--jobs', '1']);
    // At the emptied list (test/codemaps/edit-places.test.ts checks the places).
    expect(result.stderr).toMatch(/^fhirseed: code-maps\/tables\.json:\d+:\d+: table 'compound-vehicles' has no codes \(expected a non-empty "codes" array\)\n$/);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(temp.dir).sort()).toEqual(['install']);
  }, 60_000);
});
