// What `npm pack` ships (package.json `files`), checked on a real tarball: packed here (`npm pack --ignore-scripts`,
// local: no network, no rebuild; needs dist/ built), unpacked to a temporary app's node_modules/fhirseed, then the
// packed CLI run and the packed library imported from it. Child processes, justified: the packed CLI is its own
// program, and `import('fhirseed')` must go through Node's resolution of the installed package, not vitest's.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { x as untar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const run = promisify(execFile);
const temp = tempDir('fhirseed-pack-');
afterAll(() => temp.cleanup());

const repo = process.cwd();
const app = join(temp.dir, 'app');
const installed = join(app, 'node_modules', 'fhirseed');
let packed: string[] = [];

/** Every file under `dir` (relative to the repository, `/`-separated), sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(repo, p).split('\\').join('/'));
    }
  };
  walk(join(repo, dir));
  return out;
}

beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', temp.dir], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
  const [result] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  packed = result.files.map((f) => f.path).sort();
  mkdirSync(installed, { recursive: true });
  await untar({ file: join(temp.dir, result.filename), cwd: installed, strip: 1 });
  // What `npm install` would put beside it: the dependencies (the repository's, already installed).
  symlinkSync(join(repo, 'node_modules'), join(installed, 'node_modules'), 'dir');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
}, 120_000);

describe('npm pack: the tarball (package.json files)', () => {
  it('should hold exactly what fhirseed reads at run time: dist/src (no source maps), the demo, profiles, code maps, ready-made', () => {
    const runTime = [
      ...filesUnder('dist/src').filter((f) => !f.endsWith('.map')),
      'dist/demo/app.js', // serve's /demo/app.js (src/serve/demo.ts)
      'demo/index.html', // serve's /demo (src/serve/demo.ts)
      ...filesUnder('profiles'), // generate --profile NAME, report's realism targets (src/util/paths.ts packageRoot())
      ...filesUnder('code-maps'), // loadCodeMaps(), the mapping guide's notices (code-maps/LICENSES.md)
      ...filesUnder('ready-made'), // serve's /ready-made pages (src/serve/index-page.ts)
      'package.json', // packageRoot(), fhirseedVersion()
      'README.md',
      'LICENSE', // Apache-2.0 (package.json license); npm packs it whatever `files` says
    ].sort();
    expect(packed).toEqual(runTime);
    for (const needed of ['dist/src/cli/bin.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/profile/profile-validator.cjs', 'dist/src/profile/shipped-profiles.json', 'profiles/default.yaml', 'profiles/targets/realism.yaml', 'code-maps/LICENSES.md', 'code-maps/catalog/drugs.json', 'ready-made/default/manifest.json']) {
      expect(packed).toContain(needed);
    }
  });

  it('should leave out the tests, sources, notes and tools: test/, src/, docs/, scripts/, bench/, deploy/, .ci/, configs', () => {
    const dev = packed.filter((f) => /^(test|src|docs|scripts|bench|deploy|\.ci|notes|node_modules|dist\/bench)\//.test(f) || /^(tsconfig|vitest|stryker)[^/]*$/.test(f) || f.endsWith('.map'));
    expect(dev).toEqual([]);
  });

  it('should run the packed CLI: generate --members 2, then validate it with 0 errors', async () => {
    const bin = join(installed, 'dist', 'src', 'cli', 'bin.js');
    const generated = await run(process.execPath, [bin, 'generate', '--members', '2', '--out', 'out-cli'], { cwd: app });
    expect(generated.stderr).not.toMatch(/Error|at /);
    const manifest = JSON.parse(readFileSync(join(app, 'out-cli', 'manifest.json'), 'utf8')) as { members: { written: number } };
    expect(manifest.members.written).toBe(2);
    const validated = await run(process.execPath, [bin, 'validate', 'out-cli', '--packages', SHARED_PACKAGES], { cwd: app });
    expect(validated.stdout).toMatch(/^validated \d+ resources: 0 errors/);
    const version = await run(process.execPath, [bin, '--version'], { cwd: app });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
  }, 120_000);

  it("should import the packed library and serve the demo, ready-made files and mapping guide from it", async () => {
    writeFileSync(
      join(app, 'lib.mjs'),
      `
const lib = await import('fhirseed');
const codeMaps = lib.loadCodeMaps();
const profile = lib.loadProfile('node_modules/fhirseed/profiles/default.yaml', lib.profileLoadOptions(codeMaps));
const manifest = lib.generate({ profile: { ...profile, members: 2 }, out: 'out-lib', formats: ['ndjson'], codeMaps });
const server = await lib.startServer({ port: 0, host: '127.0.0.1' });
const origin = new URL(server.url).origin;
const get = async (path) => { const r = await fetch(origin + path); return [r.status, await r.text()]; };
const pages = {};
for (const path of ['/demo', '/demo/app.js', '/ready-made', '/ready-made/default/manifest.json', '/mapping-guide.html']) pages[path] = await get(path);
await server.close();
console.log(JSON.stringify({ written: manifest.members.written, pages }));
`,
    );
    const { stdout } = await run(process.execPath, ['lib.mjs'], { cwd: app });
    const result = JSON.parse(stdout) as { written: number; pages: Record<string, [number, string]> };
    expect(result.written).toBe(2);
    expect(existsSync(join(app, 'out-lib', 'ndjson', 'Patient.ndjson'))).toBe(true);
    for (const [path, [status]] of Object.entries(result.pages)) expect([path, status]).toEqual([path, 200]);
    expect(result.pages['/demo/app.js']![1]).not.toContain('not built');
    expect(result.pages['/ready-made']![1]).toContain('fhirseed-default-25.tar.gz');
    expect(JSON.parse(result.pages['/ready-made/default/manifest.json']![1])).toHaveProperty('igs');
  }, 120_000);
});
