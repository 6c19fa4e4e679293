import { UserError } from './errors.js';

/**
 * `text` as JSON, after a byte order mark (which editors such as Notepad write, and RFC 8259 §8.1 lets a parser
 * ignore). Throws UserError `NAME:LINE:COLUMN: not JSON (…)` at the place the parser stopped, or `NAME: is empty`.
 */
export function parseJsonText<T>(text: string, name: string): T {
  const body = text.replace(/^\uFEFF/, '');
  if (!body.trim()) throw new UserError(`${name}: is empty (expected JSON)`);
  try {
    return JSON.parse(body) as T;
  } catch (error) {
    const at = jsonSyntaxError(body, error as Error);
    throw new UserError(`${name}:${at.line}:${at.column}: not JSON (${at.why})`);
  }
}

/**
 * Where and why JSON.parse(`body`) failed with `error`: 1-based line and column of the place the parser stopped, and
 * its message without the position and the quoted text (which may hold the text's line breaks), e.g.
 * `Expected double-quoted property name`.
 */
export function jsonSyntaxError(body: string, error: Error): { line: number; column: number; why: string } {
  const message = error.message.split('\n')[0]!;
  const offset = errorOffset(body, message);
  const lines = body.slice(0, offset).split('\n');
  const why = message.replace(/ in JSON at position \d+.*$/, '').replace(/ of JSON input$/, '').replace(/, (\.\.\.)?".*$/s, '');
  return { line: lines.length, column: lines.at(-1)!.length + 1, why };
}

/**
 * Where JSON.parse stopped in `body`. V8 names the offset (`… in JSON at position 11`) except for an unexpected token
 * (`Unexpected token ']', "…" is not valid JSON`, a trailing comma): then every prefix that holds the token fails the
 * same way and every shorter one otherwise (the parser reads left to right), so the token is found by halving.
 */
function errorOffset(body: string, message: string): number {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const token = /^Unexpected token '.+?'/.exec(message)?.[0];
  if (!token) return body.length;
  const holdsToken = (n: number): boolean => {
    try {
      JSON.parse(body.slice(0, n));
      return false;
    } catch (e) {
      return (e as Error).message.startsWith(token);
    }
  };
  let [lo, hi] = [0, body.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (holdsToken(mid + 1)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
