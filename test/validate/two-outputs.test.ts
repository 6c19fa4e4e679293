// Outputs of different payers validated together (s14 trial U6): each payer's own resources (its Organization, the
// SMART brand and Patient Access Endpoint of brands.json) have run-scoped ids, so no Type/id of one output repeats
// another's with other content; and a repeat that does differ is labelled `repeated:`, not `unreadable:` (the file
// read fine).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { validateCli } from '../helpers/validate-cli.js';

const temp = tempDir('fhirseed-validate-two-outputs-');
afterAll(() => temp.cleanup());
const PROFILES = ['default', 'commercial', 'dental'] as const;
const dirs = PROFILES.map((p) => join(temp.dir, p));

beforeAll(() => {
  PROFILES.forEach((p, i) => generateTo(dirs[i]!, { ...shippedProfile(p), members: 2 }));
}, 120_000);

const validate = validateCli;

describe('validate: outputs of different payers together', () => {
  it('should find no error in the default, commercial and dental outputs validated at once', async () => {
    const r = await validate([...dirs, '--ig', 'carin-bb@2.0.0', '--ig', 'us-core@6.1.0']);
    expect(r.stdout.split('\n').filter((l) => /^ {2}(unreadable|repeated|bundle):/.test(l))).toEqual([]);
    expect(r.stdout).toMatch(/^validated \d+ resources: 0 errors/);
    expect(r.code).toBe(0);
  }, 300_000);

  it('should label a repeat whose content differs `repeated:` in the summary and list it under `repeats` in --json', async () => {
    // The commercial brands.json holding the default payer's brand id with the commercial content: a repeat that differs.
    const brands = (dir: string) => JSON.parse(readFileSync(join(dir, 'brands.json'), 'utf8')) as { entry: { resource: { id: string } }[] };
    const edited = brands(dirs[1]!);
    edited.entry[0]!.resource.id = brands(dirs[0]!).entry[0]!.resource.id;
    const file = join(temp.dir, 'brands-copy.json');
    writeFileSync(file, JSON.stringify(edited));
    const args = [join(dirs[0]!, 'brands.json'), file, '--ig', 'us-core@6.1.0'];
    const summary = await validate(args);
    expect(summary.code).toBe(1);
    const problems = summary.stdout.split('\n').filter((l) => /^ {2}[a-z]+: /.test(l));
    expect(problems).toEqual([`  repeated: ${file}: Organization/${edited.entry[0]!.resource.id} differs from the same resource in ${join(dirs[0]!, 'brands.json')}; only that one is validated`]);
    const json = JSON.parse((await validate([...args, '--json'])).stdout) as { errors: number; readProblems: string[]; repeats: string[] };
    expect([json.errors, json.readProblems, json.repeats]).toEqual([1, [], [problems[0]!.slice('  repeated: '.length)]]);
  }, 300_000);
});
