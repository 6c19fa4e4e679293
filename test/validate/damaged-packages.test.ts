import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { findProfiles } from '../../src/serve/capability.js';
import { UserError } from '../../src/util/errors.js';
import { loadPackages, locatePackage } from '../../src/validate/packages.js';
import { DamagedTarball, unpackTgz } from '../../src/validate/tar.js';
import { tempDir } from '../helpers/output.js';
import { thrown } from '../helpers/thrown.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const temp = tempDir('fhirseed-damaged-packages-');
afterAll(() => temp.cleanup());

const CARIN = locatePackage([SHARED_PACKAGES], 'hl7.fhir.us.carin-bb', '2.0.0')!;
const TGZ = 'hl7.fhir.us.carin-bb-2.0.0.tgz';

/** A new package directory holding only `hl7.fhir.us.carin-bb-2.0.0.tgz` with `bytes`. */
function packageDir(name: string, bytes: Buffer): string {
  const dir = join(temp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, TGZ), bytes);
  return dir;
}

describe('a damaged IG package', () => {
  const good = readFileSync(CARIN);

  it('should say which way the bytes are not a package tarball', () => {
    expect(unpackTgz(good).has('package.json')).toBe(true);
    const why = (bytes: Buffer) => {
      const error = thrown(() => unpackTgz(bytes));
      expect(error).toBeInstanceOf(DamagedTarball);
      return error.message;
    };
    expect(why(Buffer.from('x\n'))).toBe("not a gzip'd tar (incorrect header check)");
    expect(why(Buffer.alloc(0))).toBe('empty (0 bytes)');
    expect(why(good.subarray(0, 20_000))).toBe('cut short (unexpected end of file)');
    // A whole gzip stream of a tar that was cut before gzipping: the tar ends inside a file.
    expect(why(gzipSync(gunzipSync(good).subarray(0, 20_000)))).toMatch(/^cut short \(the tar ends inside package\/\S+\)$/);
    expect(why(gzipSync(Buffer.from('{"not": "a tar"}\n'.repeat(100))))).toMatch(/^not a tar \(the header at byte 0 .*wrong checksum\)$/);
    expect(why(gzipSync(Buffer.alloc(1024)))).toBe('not a tar (no file in it)');
  });

  it('should be one UserError (exit 2) naming the file, what is wrong and what to do, for validate', async () => {
    for (const [name, bytes, reason] of [
      ['not-gzip', Buffer.from('x\n'), "not a gzip'd tar (incorrect header check)"],
      ['cut-short', good.subarray(0, 20_000), 'cut short (unexpected end of file)'],
    ] as const) {
      const dir = packageDir(name, bytes);
      const error = thrown(() => loadPackages(['carin-bb@2.0.0'], dir));
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(2);
      expect(error.message).toBe(
        `FHIR package ${join(dir, TGZ)}: ${reason}; replace the package with a fresh copy of hl7.fhir.us.carin-bb#2.0.0 (https://packages.fhir.org/hl7.fhir.us.carin-bb/2.0.0) or remove it`,
      );
      const data = join(temp.dir, 'patient.json');
      writeFileSync(data, JSON.stringify({ resourceType: 'Patient', id: 'p1' }));
      let stdout = '';
      let stderr = '';
      const code = await runCli(['validate', data, '--packages', dir, '--ig', 'carin-bb@2.0.0'], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        isTty: false,
      });
      expect({ code, stderr }).toEqual({ code: 2, stderr: `fhirseed: ${error.message}\n` });
    }
  });

  it("should be named in serve's note, the sandbox going on without its profiles", () => {
    const dir = packageDir('serve-note', Buffer.from('x\n'));
    const { notes } = findProfiles(dir, ['carin-bb@2.0.0']);
    expect(notes).toEqual([`carin-bb@2.0.0: FHIR package ${join(dir, TGZ)}: not a gzip'd tar (incorrect header check); replace the package with a fresh copy of hl7.fhir.us.carin-bb#2.0.0 (https://packages.fhir.org/hl7.fhir.us.carin-bb/2.0.0) or remove it`]);
  });
});

describe('a damaged JSON file in an unpacked package folder', () => {
  /** A carin-bb#2.0.0/package/ folder unpacked from the real package, with `file` cut to `keep` bytes. */
  function folderWith(name: string, file: string, keep: number): { dir: string; path: string } {
    const dir = join(temp.dir, name);
    const pkg = join(dir, 'hl7.fhir.us.carin-bb#2.0.0', 'package');
    mkdirSync(pkg, { recursive: true });
    for (const [path, bytes] of unpackTgz(readFileSync(CARIN))) {
      if (path.includes('/')) continue;
      writeFileSync(join(pkg, path), path === file ? bytes.subarray(0, keep) : bytes);
    }
    return { dir, path: join(pkg, file) };
  }

  it('should be one UserError naming the file, the line:column where the JSON breaks and what to do', () => {
    for (const file of ['StructureDefinition-C4BB-ExplanationOfBenefit-Outpatient-Institutional.json', 'StructureDefinition-C4BB-ExplanationOfBenefit.json', 'package.json']) {
      const { dir, path } = folderWith(file, file, 60);
      const error = thrown(() => loadPackages(['carin-bb@2.0.0'], dir, { slim: true }));
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toMatch(new RegExp(`^FHIR package file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: not JSON \\([^)]+\\); replace the package with a fresh copy of hl7\\.fhir\\.us\\.carin-bb#2\\.0\\.0 `));
    }
  });

  it('should read a definition written with a byte order mark', () => {
    const { dir } = folderWith('bom', 'none', 0);
    const file = join(dir, 'hl7.fhir.us.carin-bb#2.0.0', 'package', 'StructureDefinition-C4BB-Coverage.json');
    writeFileSync(file, Buffer.concat([Buffer.from('\uFEFF'), readFileSync(file)]));
    const [carin] = loadPackages(['carin-bb@2.0.0'], dir, { slim: true }).packages;
    expect(carin!.resources.some((r) => r.url === 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage')).toBe(true);
  });
});
