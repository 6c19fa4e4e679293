import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codeMapReader } from '../../src/codemaps/load.js';
import { loadPriorAuth, priorAuthKindOf } from '../../src/codemaps/prior-auth.js';
import { thrownPlaceless } from '../helpers/placeless.js';

// The shipped prior-authorization tables, and copies of them broken one row at a time.
const FILES = ['prior-auth-services.json', 'prior-auth-rentals.json'];
const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function copy(file?: string, edit?: (json: { rows: Record<string, unknown>[] }) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'prior-auth-'));
  temps.push(dir);
  for (const f of FILES) cpSync(join('code-maps', f), join(dir, f));
  if (file && edit) {
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    edit(json);
    writeFileSync(join(dir, file), JSON.stringify(json));
  }
  return dir;
}
const load = (dir: string) => loadPriorAuth(codeMapReader(dir));

describe('the prior-authorization code maps', () => {
  it('should read the shipped tables, every row with its source', () => {
    const t = load(copy());
    expect(t.services.length).toBeGreaterThan(10);
    expect(t.services.every((r) => r.source.length > 20)).toBe(true);
    expect([...t.rentals.keys()].sort()).toEqual(['E0424', 'E0431', 'E0470', 'E0601', 'E1390']);
    expect(t.rentals.get('E0601')).toMatchObject({ firstDays: 91, renewalDays: 304, continues: 0.66 });
  });

  it('should match codes inside a range, ends included, and nothing of another shape or system', () => {
    const t = load(copy());
    expect(priorAuthKindOf(t, 'cpt', '70450')).toBe('advanced-imaging');
    expect(priorAuthKindOf(t, 'cpt', '70498')).toBe('advanced-imaging');
    expect(priorAuthKindOf(t, 'cpt', '70449')).toBeUndefined();
    expect(priorAuthKindOf(t, 'cpt', '70499')).toBeUndefined();
    expect(priorAuthKindOf(t, 'cpt', '7045T')).toBeUndefined(); // a Category III shape between 70450 and 70498 as text
    expect(priorAuthKindOf(t, 'hcpcs', '70450')).toBeUndefined();
    expect(priorAuthKindOf(t, 'hcpcs', 'E0601')).toBe('dme');
    expect(priorAuthKindOf(t, 'hcpcs', 'K0001')).toBe('dme');
    expect(priorAuthKindOf(t, 'hcpcs', 'K1001')).toBeUndefined();
    expect(priorAuthKindOf(t, 'hcpcs', 'A4253')).toBeUndefined();
    expect(priorAuthKindOf(t, 'cpt', 'E0601')).toBeUndefined();
    expect(priorAuthKindOf(t, 'constructor', 'E0601')).toBeUndefined();
  });

  it('should reject a broken row with one line naming the file and the row', () => {
    const svc = 'prior-auth-services.json';
    const rent = 'prior-auth-rentals.json';
    expect(thrownPlaceless(() => load(copy(svc, (j) => delete j.rows[1]!.source)))).toContain('code-maps/prior-auth-services.json: row 2 has no source');
    expect(thrownPlaceless(() => load(copy(svc, (j) => (j.rows[0]!.kind = 'surgery'))))).toContain("code-maps/prior-auth-services.json: 'row 1': unknown kind 'surgery'");
    expect(() => load(copy(svc, (j) => (j.rows[0]!.system = 'cdt')))).toThrow("'row 1': unknown system 'cdt'");
    expect(() => load(copy(svc, (j) => (j.rows[0]!.system = 'toString')))).toThrow("'row 1': unknown system 'toString'");
    expect(() => load(copy(svc, (j) => (j.rows[2]!.to = '7045')))).toThrow("'row 3': '7045' is not a CPT code");
    expect(() => load(copy(svc, (j) => ([j.rows[1]!.from, j.rows[1]!.to] = [j.rows[1]!.to, j.rows[1]!.from])))).toThrow("'row 2': 70498-70450 ends before it starts");
    expect(() => load(copy(svc, (j) => j.rows.push({ ...j.rows[1]!, from: '70490', to: '70500' })))).toThrow('70490-70500 overlaps row 2');
    expect(() => load(copy(svc, (j) => j.rows.push({ ...j.rows.at(-1)!, from: 'K0000', to: 'L0999' })))).toThrow('K0000-L0999 spans two HCPCS letters');
    expect(thrownPlaceless(() => load(copy(rent, (j) => (j.rows[0]!.hcpcs = 'A4253'))))).toContain("code-maps/prior-auth-rentals.json: 'A4253': not durable medical equipment");
    expect(thrownPlaceless(() => load(copy(rent, (j) => j.rows.push(j.rows[0]!))))).toContain("code-maps/prior-auth-rentals.json: duplicate key 'E0601'");
    expect(() => load(copy(rent, (j) => (j.rows[0]!.renewalDays = 30.5)))).toThrow('row 1: renewalDays: expected a whole number ≥ 1, got 30.5');
    expect(() => load(copy(rent, (j) => (j.rows[0]!.firstDays = 0)))).toThrow('row 1: firstDays: expected a whole number ≥ 1, got 0');
    expect(() => load(copy(rent, (j) => (j.rows[0]!.continues = 1.2)))).toThrow('row 1: continues: expected a number from 0 to 1, got 1.2');
  });
});
