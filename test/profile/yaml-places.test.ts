// YAML mistakes in a profile a user edits, through `fhirseed generate --profile FILE` in this process: one line with
// file:line:column of the mistake and, where what yaml read before it shows it, the field (src/profile/load.ts
// yamlErrorPlace), exit 2, nothing written. An alias without its anchor was a bug report (exit 70, yaml's toJS threw).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli-captured.js';

const temp = mkdtempSync(join(tmpdir(), 'profile-yaml-places-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const SHIPPED = readFileSync('profiles/default.yaml', 'utf8');
// The CLI's first import transforms every module: minutes on a loaded machine, not one case's time.
beforeAll(() => import('../../src/cli/commands/generate.js'), 300_000);

/** `line:column` (1-based) of the first `needle` in `text` after `after`. */
function where(text: string, needle: string, after = ''): string {
  const offset = text.indexOf(needle, text.indexOf(after));
  if (offset < 0 || text.indexOf(after) < 0) throw new Error(`'${needle}' (after '${after}') is not in the text`);
  const lines = text.slice(0, offset).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
}

interface Case {
  name: string;
  /** The edit of profiles/default.yaml: the first `from` becomes `to` (`to` alone: appended). */
  from?: string;
  to: string;
  /** Where the line points in the edited text: `needle`, the first after `after`. */
  at: { needle: string; after?: string };
  field: string;
  problem: string;
}

const CASES: Case[] = [
  { name: 'a tab as indentation', from: '  memberIdPrefix: FSD', to: '\tmemberIdPrefix: FSD', at: { needle: '\tmemberIdPrefix' }, field: '(root)', problem: 'Tabs are not allowed as indentation (indent with spaces)' },
  { name: 'an unclosed double quote', from: 'start: "2025-01-01"', to: 'start: "2025-01-01', at: { needle: '"2025-01-01' }, field: 'period.start', problem: 'Missing closing "quote' },
  { name: 'an unclosed single quote', from: 'name: Fhirseed Demo Health Plan', to: "name: 'Fhirseed Demo Health Plan", at: { needle: "'Fhirseed" }, field: 'payer.name', problem: "Missing closing 'quote" },
  { name: 'an unclosed flow map', from: 'name: Acme Widgets Inc. }', to: 'name: Acme Widgets Inc.', at: { needle: '{ id: G-10001' }, field: 'plans[0].group', problem: 'Flow map in block collection must be sufficiently indented and end with a }' },
  { name: 'an unclosed flow sequence', from: '{ min: 45, max: 64, share: 0.3 }]\n    costSharing', to: '{ min: 45, max: 64, share: 0.3 }\n    costSharing', at: { needle: '[{ min: 0, max: 17' }, field: 'plans[0].ageBands', problem: 'Flow sequence in block collection must be sufficiently indented and end with a ]' },
  { name: 'a key indented one space too far', from: '  memberIdPrefix: FSD', to: '   memberIdPrefix: FSD', at: { needle: '   memberIdPrefix' }, field: '(root)', problem: 'All mapping items must start at the same column' },
  { name: 'a stray colon in a value', from: '  memberIdPrefix: FSD', to: '  memberIdPrefix: FSD: x', at: { needle: 'FSD: x' }, field: 'payer.memberIdPrefix', problem: 'Nested mappings are not allowed in compact mappings' },
  { name: 'a second document', to: '---\nname: second\n', at: { needle: '---\nname: second' }, field: '(root)', problem: 'a second document starts here (---): a profile is one document; remove this line and what follows it, or make that a profile file of its own' },
  { name: 'an alias without its anchor', from: '  memberIdPrefix: FSD', to: '  memberIdPrefix: *prefix', at: { needle: '*prefix' }, field: 'payer.memberIdPrefix', problem: 'alias *prefix names no anchor &prefix set before it (an anchor is written &prefix before the value it names, above the alias)' },
  { name: 'an alias above its anchor', from: '  memberIdPrefix: FSD\n  state: MA', to: '  memberIdPrefix: *st\n  state: &st MA', at: { needle: '*st' }, field: 'payer.memberIdPrefix', problem: 'alias *st names no anchor &st set before it (an anchor is written &st before the value it names, above the alias)' },
  {
    name: 'aliases that expand too far',
    to: `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [${Array(9).fill('*a').join(', ')}]\nc: &c [${Array(9).fill('*b').join(', ')}]\nd: [${Array(9).fill('*c').join(', ')}]\n`,
    at: { needle: '*a' },
    field: 'b[0]',
    problem: 'the aliases expand too far (Excessive alias count indicates a resource exhaustion attack); write the values out',
  },
];

describe('a YAML mistake in a profile, through generate: file:line:column and the field where yaml knows it, exit 2, nothing written', () => {
  for (const c of CASES) {
    it(`should place ${c.name}`, async () => {
      const text = c.from === undefined ? SHIPPED + c.to : SHIPPED.replace(c.from, c.to);
      expect(text, 'the edit applies').not.toBe(SHIPPED);
      const file = join(temp, `${c.name.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, text);
      const out = join(temp, 'out');
      const result = await runCliCaptured(['generate', '--profile', file, '--members', '1', '--jobs', '1', '--out', out]);
      expect(result.stderr).toBe(`fhirseed: ${file}:${where(text, c.at.needle, c.at.after)}: ${c.field}: YAML: ${c.problem}\n`);
      expect(result.code).toBe(2);
      expect(existsSync(out)).toBe(false);
    });
  }
});
