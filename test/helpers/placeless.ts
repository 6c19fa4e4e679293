/**
 * A code-maps error message without the `:LINE:COLUMN` after its file name (`code-maps/x.json:3:17: row 2: …` →
 * `code-maps/x.json: row 2: …`), for the tests of what a message says; test/codemaps/places.test.ts checks the places.
 */
export function placeless(message: string): string {
  return message.replace(/^(code-maps\/[^:\s]+):\d+:\d+:/, '$1:');
}

/** The placeless message `run` throws, or '(nothing thrown)'. */
export function thrownPlaceless(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return placeless((error as Error).message);
  }
  return '(nothing thrown)';
}
