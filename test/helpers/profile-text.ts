/** `text` with the first `from` replaced by `to` (a RegExp may use `$1`); throws when `from` is not in it, so an edit of a shipped profile cannot silently miss. */
export function replaced(text: string, from: string | RegExp, to: string): string {
  if (!(typeof from === 'string' ? text.includes(from) : from.test(text))) throw new Error(`'${String(from)}' not in the text`);
  return text.replace(from, to);
}

/** `FILE:LINE:COL` (1-based) of the first line of `text` holding `needle`, at `column` (a part of that line; default the needle). */
export function placeIn(file: string, text: string, needle: string, column = needle): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' not in the text`);
  return `${file}:${i + 1}:${lines[i]!.indexOf(column) + 1}`;
}
