// A code-maps file as an editor may leave it: saved with a byte order mark (Notepad), with a trailing comma, or emptied.
// Before, the BOM stopped every run (`cannot read (Unexpected token '﻿', …)`), and a trailing comma or an empty file was
// named without its place.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { UserError } from '../../src/util/errors.js';
import { thrown } from '../helpers/thrown.js';

const SHIPPED = resolve('code-maps');
const root = mkdtempSync(join(tmpdir(), 'codemaps-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let copies = 0;

/** A copy of the shipped code maps with the text of `file` rewritten by `edit`: its directory. */
function copyWithText(file: string, edit: (text: string) => string): string {
  const dir = join(root, String(copies++));
  cpSync(SHIPPED, dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(SHIPPED, file), 'utf8')));
  return dir;
}

describe('the text of a code-maps file', () => {
  it('saved with a byte order mark loads as without one', () => {
    const maps = loadCodeMaps(copyWithText('dental.json', (t) => `\uFEFF${t}`));
    expect([...maps.dental.keys()]).toEqual([...loadCodeMaps(SHIPPED).dental.keys()]);
  });

  it('with a comma after its last row is one line naming the line and column of the bracket', () => {
    const dir = copyWithText('dental.json', (t) => t.replace(/\}(\s*\]\s*\}\s*)$/, '},$1'));
    const text = readFileSync(join(dir, 'dental.json'), 'utf8');
    const lines = text.slice(0, text.lastIndexOf(']')).split('\n');
    const error = thrown(() => loadCodeMaps(dir));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`code-maps/dental.json:${lines.length}:${lines.at(-1)!.length + 1}: not JSON (Unexpected token ']')`);
  });

  it('emptied is one line saying so', () => {
    const error = thrown(() => loadCodeMaps(copyWithText('dental.json', () => '')));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe('code-maps/dental.json: is empty (expected JSON)');
  });
});
