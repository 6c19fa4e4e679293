/** C0 controls, DEL and C1 controls (U+0000–U+001F, U+007F–U+009F): what a terminal may act on rather than print. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * `text` with every C0/C1 control character (and DEL) written as a JSON-style `\uXXXX` escape, so that text quoted
 * from a data file (an ESC starting a terminal sequence, a BEL, a line break inside one message) is shown, never
 * acted on; tabs and line breaks are escaped too (a message is one line). Anything else is unchanged.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * JSON text (JSON.stringify's) with the C1 controls and DEL escaped too: JSON.stringify escapes only U+0000–U+001F,
 * and some terminals read U+009B as CSI. The result parses to the same value.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
