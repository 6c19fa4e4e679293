// One child process, justified: it is the only way to import 'fhirseed' through Node's own ESM resolution from an app
// that installed it (`npm install /path/to/fhirseed` links the folder: node_modules/fhirseed → the repository), which
// is what package.json's `exports` is for (F7 of session 17's trial: ERR_MODULE_NOT_FOUND without it). Needs dist/.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-library-');
afterAll(() => temp.cleanup());

const APP = `
const lib = await import('fhirseed');
const deep = await import('fhirseed/dist/src/codemaps/load.js');
const pkg = (await import('fhirseed/package.json', { with: { type: 'json' } })).default;
const codeMaps = lib.loadCodeMaps();
const profile = lib.loadProfile('node_modules/fhirseed/profiles/default.yaml', lib.profileLoadOptions(codeMaps));
profile.members = 2;
const manifest = lib.generate({ profile, out: 'out', formats: ['ndjson'], codeMaps });
// A copy is another object: no file known (GenerateOptions.profileFile).
const copied = lib.generate({ profile: { ...profile }, out: 'out-copy', formats: ['ndjson'], codeMaps });
let refused;
try { lib.generate({ profile: { ...profile, members: 'many' }, out: 'out2', codeMaps }); } catch (error) { refused = [error instanceof lib.UserError, error.message]; }
console.log(JSON.stringify({ exported: Object.keys(lib).sort(), written: manifest.members.written, profileFile: manifest.profileFile, copiedProfileFile: copied.profileFile ?? null, deep: deep.loadCodeMaps === lib.loadCodeMaps, name: pkg.name, refused }));
`;

describe("import('fhirseed') from an app that installed it", () => {
  it('should resolve the exports map, generate 2 members in-process (the manifest naming the profile file loadProfile read), and keep the deep dist/ paths', async () => {
    const app = temp.dir;
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(process.cwd(), join(app, 'node_modules', 'fhirseed'), 'dir');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    writeFileSync(join(app, 'app.mjs'), APP);
    const { stdout } = await promisify(execFile)(process.execPath, ['app.mjs'], { cwd: app });
    const result = JSON.parse(stdout);
    expect(result.exported).toEqual(expect.arrayContaining(['createValidator', 'generate', 'generateAsync', 'loadCodeMaps', 'loadProfile', 'parseProfile', 'profileLoadOptions', 'report', 'seed', 'startServer', 'UserError']));
    expect(result.written).toBe(2);
    // The manifest names the profile file as the CLI's does (`generate --profile FILE`), from loadProfile.
    expect(result.profileFile).toBe('node_modules/fhirseed/profiles/default.yaml');
    expect(JSON.parse(readFileSync(join(app, 'out', 'manifest.json'), 'utf8')).profileFile).toBe('node_modules/fhirseed/profiles/default.yaml');
    expect(result.copiedProfileFile).toBeNull();
    expect(result.deep).toBe(true);
    expect(result.name).toBe('fhirseed');
    expect(result.refused).toEqual([true, 'generate: options.profile.members "many": expected a whole number ≥ 1']);
    expect(readFileSync(join(app, 'out', 'ndjson', 'Patient.ndjson'), 'utf8').trim().split('\n')).toHaveLength(2);
    // The types the exports map names are where tsc writes them.
    const types = JSON.parse(readFileSync('package.json', 'utf8')).exports['.'].types;
    expect(existsSync(types)).toBe(true);
  }, 60_000);
});
