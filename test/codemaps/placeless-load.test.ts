// loadCodeMaps reads code-maps/ without JSON places, and again with them only when a mistake is to be located (issue 13).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { parseJsonWithPlaces } from '../../src/util/json-places.js';
import { thrown } from '../helpers/thrown.js';

vi.mock('../../src/util/json-places.js', async (original) => {
  const real = await original<typeof import('../../src/util/json-places.js')>();
  return { ...real, parseJsonWithPlaces: vi.fn(real.parseJsonWithPlaces) };
});

const temp = mkdtempSync(join(tmpdir(), 'codemaps-placeless-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('loadCodeMaps', () => {
  it('reads sound code maps without recording a place, and a mistake with places, to say where it is', () => {
    const good = join(temp, 'good');
    cpSync('code-maps', good, { recursive: true });
    vi.mocked(parseJsonWithPlaces).mockClear();
    expect(loadCodeMaps(good).procedures.size).toBeGreaterThan(0);
    expect(vi.mocked(parseJsonWithPlaces)).not.toHaveBeenCalled();

    const bad = join(temp, 'bad');
    cpSync('code-maps', bad, { recursive: true });
    const file = join(bad, 'dental.json');
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('"charge":', text.indexOf('"rows"'));
    writeFileSync(file, `${text.slice(0, at)}"charge": -5,${text.slice(text.indexOf(',', at) + 1)}`);
    const lines = text.slice(0, at).split('\n');
    // the value's place: after `"charge": `
    const place = `${lines.length}:${lines.at(-1)!.length + 11}`;
    expect(thrown(() => loadCodeMaps(bad)).message).toMatch(new RegExp(`^code-maps/dental\\.json:${place}: row 1: charge: `));
    expect(vi.mocked(parseJsonWithPlaces)).toHaveBeenCalled();
  });
});
