import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-profile-cli-');
afterAll(() => temp.cleanup());
const defaultText = readFileSync(join('profiles', 'default.yaml'), 'utf8');

const BIN = 'dist/src/cli/bin.js';

/** `fhirseed generate --profile FILE --out DIR` with the built CLI in a child process, as a user runs it (`npm run build` first). */
function generateCli(file: string, out: string): Promise<CliRun> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build before these tests`);
  return runBin(BIN, ['generate', '--profile', file, '--out', out], process.cwd());
}

function replaced(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`'${from}' not in the text`);
  return text.replace(from, to);
}

describe('fhirseed generate with a bad profile', () => {
  it.each([
    ['zz-member-state', replaced(defaultText, '{ code: RI, share: 0.2 }', '{ code: ZZ, share: 0.2 }'), /:\d+:15: demographics\.states\[2\]\.code: 'ZZ' is not a state fhirseed can make addresses for \(USPS codes: AK, .*\)$/],
    ['zz-payer-state', replaced(defaultText, '  state: MA\n', '  state: ZZ\n'), /:14:10: payer\.state: 'ZZ' is not a state fhirseed can make addresses for/],
    ['period-1900', replaced(defaultText, 'start: "2025-01-01"', 'start: "1900-01-01"'), /:10:8: period\.end: the period 1900-01-01 to 2025-12-31 is longer than 10 years; end it before 1910-01-01$/],
    ['typo', replaced(defaultText, '  memberIdPrefix: FSD', '  memberIdPrefx: FSD'), /:13:3: payer\.memberIdPrefx: unknown field 'memberIdPrefx' \(did you mean 'memberIdPrefix'\?\)$/],
    ['prevalence-200', replaced(defaultText, '- key: asthma\n    prevalence: 0.075', '- key: asthma\n    prevalence: 2'), /:\d+:17: conditions\[\d+\]\.prevalence: 2 is not a share: expected a number from 0 to 1 \(20% is 0\.2\)$/],
  ])('should refuse %s in one line with exit 2, no stack and nothing written', async (name, text, problem) => {
    const file = join(temp.dir, `${name}.yaml`);
    const out = join(temp.dir, `${name}-out`);
    writeFileSync(file, text);
    const r = await generateCli(file, out);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(`fhirseed: ${file}:`)).toBe(true);
    expect(lines[0]).toMatch(problem);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(out)).toBe(false);
  });

  it('should leave an earlier output directory as it was', async () => {
    const out = join(temp.dir, 'kept-out');
    mkdirSync(out);
    writeFileSync(join(out, 'manifest.json'), '{"earlier": true}');
    const file = join(temp.dir, 'kept.yaml');
    writeFileSync(file, replaced(defaultText, '{ code: RI, share: 0.2 }', '{ code: ZZ, share: 0.2 }'));
    const r = await generateCli(file, out);
    expect(r.code, r.stderr).toBe(2);
    expect(readdirSync(out)).toEqual(['manifest.json']);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe('{"earlier": true}');
  });
});
