// A JSON file edited by hand (code-maps): a byte order mark is read past, a mistake is one line with its line:column.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/util/json-text.js';
import { UserError } from '../../src/util/errors.js';
import { thrown } from '../helpers/thrown.js';

const problem = (text: string) => {
  const error = thrown(() => parseJsonText(text, 'code-maps/x.json'));
  expect(error).toBeInstanceOf(UserError);
  return error.message;
};

/** 1-based line and column of offset `i` of `text`. */
function place(text: string, i: number): string {
  const lines = text.slice(0, i).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
}

describe('parseJsonText', () => {
  it('reads past a byte order mark (RFC 8259 §8.1), as Notepad writes one', () => {
    expect(parseJsonText('\uFEFF{"rows": [1]}', 'x')).toEqual({ rows: [1] });
  });

  it('names the line and column of a trailing comma, which V8 reports without a position', () => {
    expect(problem('{\n  "rows": [\n    1,\n  ],\n}')).toBe(`code-maps/x.json:4:3: not JSON (Unexpected token ']')`);
  });

  it('names the line and column V8 gives as a position', () => {
    expect(problem('{\n  "a": 1\n  "b": 2\n}')).toBe(`code-maps/x.json:3:3: not JSON (Expected ',' or '}' after property value)`);
  });

  it('an empty file, or one cut short', () => {
    expect(problem('')).toBe('code-maps/x.json: is empty (expected JSON)');
    expect(problem('\uFEFF \n')).toBe('code-maps/x.json: is empty (expected JSON)');
    expect(problem('{\n  "a": [1,')).toBe('code-maps/x.json:2:11: not JSON (Unexpected end)');
  });

  it('any JSON value, with or without a byte order mark, reads back as itself', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.boolean(), (value, bom) => {
      const text = JSON.stringify(value, null, 2);
      expect(parseJsonText(bom ? `\uFEFF${text}` : text, 'x')).toEqual(JSON.parse(text));
    }));
  });

  it('a comma added after the last item of a printed list is placed at the closing bracket', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue(), { minLength: 1 }), (items) => {
      const text = JSON.stringify({ rows: items }, null, 2);
      const close = text.lastIndexOf(']');
      const end = text.lastIndexOf('\n', close);
      const broken = `${text.slice(0, end)},${text.slice(end)}`;
      expect(problem(broken)).toBe(`code-maps/x.json:${place(broken, close + 1)}: not JSON (Unexpected token ']')`);
    }));
  });
});
