import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { igsFromManifests } from '../../src/validate/manifest-igs.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/output.js';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'bin.js');

/**
 * A sharded run (`generate --shard i/N` into one --out) writes manifest.shard-i-of-N.json and no manifest.json;
 * `validate` read no manifest then and fell back to CARIN BB + US Core, warning "not checked" for every PDex,
 * Plan-Net and Formulary resource (s14 new-user trial, U7).
 */
describe('validate: the IGs of a sharded output', () => {
  const temp = tempDir('fhirseed-manifest-shards-');
  afterAll(() => temp.cleanup());

  it('should take the IGs from the shard manifests of an output written by two shards', () => {
    const out = join(temp.dir, 'sharded');
    for (const shard of ['1/2', '2/2']) execFileSync(process.execPath, [BIN, 'generate', '--members', '4', '--shard', shard, '--format', 'ndjson', '--us-core', '3.1.1', '--out', out, '--yes'], { stdio: 'pipe' });
    const manifests = readdirSync(out).filter((name) => name.startsWith('manifest')).sort();
    expect(manifests).toEqual(['manifest.shard-1-of-2.json', 'manifest.shard-2-of-2.json']);
    const found = igsFromManifests([join(out, 'ndjson')]);
    expect(found?.manifests).toEqual(manifests.map((name) => join(out, name)));
    expect(found?.igs).toContain('hl7.fhir.us.core@3.1.1');
    expect(found?.igs.length).toBeGreaterThan(2);
  }, 300_000);

  it('should refuse shards that name different IG versions, and prefer manifest.json when there is one', () => {
    const out = join(temp.dir, 'mixed');
    execFileSync('mkdir', ['-p', out]);
    const manifest = (core: string) => JSON.stringify({ generator: 'fhirseed', igs: { 'hl7.fhir.us.core': core } });
    writeFileSync(join(out, 'manifest.shard-1-of-2.json'), manifest('3.1.1'));
    writeFileSync(join(out, 'manifest.shard-2-of-2.json'), manifest('6.1.0'));
    expect(() => igsFromManifests([out])).toThrow(UserError);
    writeFileSync(join(out, 'manifest.json'), manifest('7.0.0'));
    expect(igsFromManifests([out])).toEqual({ igs: ['hl7.fhir.us.core@7.0.0'], manifests: [join(out, 'manifest.json')] });
  });
});
