// A shipped profile's text is read from the table `npm run build` writes (src/profile/prebuilt.ts) instead of parsed as
// YAML at every start (issue 13), with every check of parseProfile still made; a text that fails one is parsed after
// all, so that its error says where. The table is written to a temporary file here (vitest runs from src/, with none).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { parseProfile } from '../../src/profile/load.js';
import { prebuiltProfiles, profileTextKey } from '../../src/profile/prebuilt.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { thrown } from '../helpers/thrown.js';

const state = vi.hoisted(() => ({ table: undefined as string | undefined }));
vi.mock('yaml', async (original) => {
  const real = await original<typeof import('yaml')>();
  return { ...real, parseDocument: vi.fn(real.parseDocument) };
});
vi.mock('../../src/profile/prebuilt.js', async (original) => {
  const real = await original<typeof import('../../src/profile/prebuilt.js')>();
  return { ...real, prebuiltProfile: (text: string) => (state.table ? real.prebuiltProfile(text, state.table) : undefined) };
});

const options = profileLoadOptions(loadCodeMaps());
/** The module's own prebuiltProfile (the one imported above is the mock that parseProfile calls). */
const { prebuiltProfile } = await vi.importActual<typeof import('../../src/profile/prebuilt.js')>('../../src/profile/prebuilt.js');
const temp = mkdtempSync(join(tmpdir(), 'prebuilt-profiles-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
beforeEach(() => {
  state.table = undefined;
});

/** The table of the profiles in `dir`, written to a file of its own. */
function tableOf(dir: string, name: string): string {
  const file = join(temp, `${name}.json`);
  writeFileSync(file, JSON.stringify(prebuiltProfiles(dir)));
  return file;
}

/** parseProfile of `text` with its notes, or what it threw; and whether it parsed the YAML. */
function parsed(text: string): { profile?: unknown; notes: string[]; error?: string; parsedYaml: boolean } {
  vi.mocked(parseDocument).mockClear();
  const notes: string[] = [];
  try {
    return { profile: parseProfile(text, 'p.yaml', options, (n) => notes.push(n)), notes, parsedYaml: vi.mocked(parseDocument).mock.calls.length > 0 };
  } catch (error) {
    return { error: (error as Error).message, notes, parsedYaml: vi.mocked(parseDocument).mock.calls.length > 0 };
  }
}

describe('shipped profiles read from the build\'s table', () => {
  it('should give each shipped profile and its notes as parsing it does, without parsing the YAML', () => {
    const shipped = tableOf('profiles', 'shipped');
    const names = readdirSync('profiles').filter((f) => f.endsWith('.yaml'));
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      const text = readFileSync(join('profiles', name), 'utf8');
      const asParsed = parsed(text);
      expect(asParsed.parsedYaml, name).toBe(true);
      state.table = shipped;
      const fromTable = parsed(text);
      state.table = undefined;
      expect(fromTable.parsedYaml, name).toBe(false);
      expect(fromTable.error, name).toBeUndefined();
      expect(fromTable.profile, name).toEqual(asParsed.profile);
      expect(fromTable.notes, name).toEqual(asParsed.notes);
    }
  });

  it('should parse a text whose check fails after all, to say where, and one the table does not hold', () => {
    const dir = join(temp, 'edited');
    mkdirSync(dir);
    const text = readFileSync(join('profiles', 'default.yaml'), 'utf8');
    const edits = {
      share: text.replace(/denialRate: [\d.]+/, 'denialRate: 1.5'),
      seed: text.replace(/^seed: .*$/m, 'seed: 99999999999999999999'),
      semantics: text.replace(/^members: .*$/m, 'members: 0'),
      note: text.replace(/^(\s+)organizations: \d+/m, '$1organizations: 1'),
    };
    for (const [name, edited] of Object.entries(edits)) {
      expect(edited, name).not.toBe(text);
      writeFileSync(join(dir, `${name}.yaml`), edited);
    }
    const table = tableOf(dir, 'edited');
    for (const [name, edited] of Object.entries(edits)) {
      const asParsed = parsed(edited);
      expect(asParsed.error ?? asParsed.notes.join(''), name).toMatch(/^p\.yaml:\d+:\d+: /);
      state.table = table;
      const fromTable = parsed(edited);
      state.table = undefined;
      expect(fromTable, name).toEqual(asParsed);
    }
    state.table = table;
    expect(parsed(`${text}\n# one more line\n`).parsedYaml).toBe(true);
  });

  it('should hold only what comes back the same through JSON, by text, yaml version and options', () => {
    const dir = join(temp, 'odd');
    mkdirSync(dir);
    writeFileSync(join(dir, 'inf.yaml'), 'name: x\nshare: .inf\n');
    writeFileSync(join(dir, 'broken.yaml'), 'name: [\n');
    writeFileSync(join(dir, 'plain.yaml'), 'name: x\nseed: 7 \n');
    const table = prebuiltProfiles(dir);
    expect(Object.keys(table)).toEqual([profileTextKey('name: x\nseed: 7 \n')]);
    expect(Object.values(table)).toEqual([{ raw: { name: 'x', seed: 7 }, seedSource: '7' }]);
    expect(profileTextKey('name: x\n')).not.toBe(profileTextKey('name: y\n'));
    const file = join(temp, 'odd.json');
    writeFileSync(file, JSON.stringify(table));
    const first = prebuiltProfile('name: x\nseed: 7 \n', file);
    expect(first).toEqual({ raw: { name: 'x', seed: 7 }, seedSource: '7' });
    (first!.raw as { name: string }).name = 'changed';
    expect(prebuiltProfile('name: x\nseed: 7 \n', file)!.raw).toEqual({ name: 'x', seed: 7 });
    expect(prebuiltProfile('name: x\n', file)).toBeUndefined();
    expect(prebuiltProfile('name: x\nseed: 7 \n', join(temp, 'missing.json'))).toBeUndefined();
  });
});
