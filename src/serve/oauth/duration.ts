import { UserError } from '../../util/errors.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A duration option such as `90s`, `15m`, `1h`, `30d` (or plain seconds, `300`) in whole seconds.
 * Throws UserError naming the option for anything else, zero included.
 */
export function parseDuration(option: string, text: string | number): number {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(String(text));
  const seconds = match ? Number(match[1]) * UNITS[(match[2] || 's').toLowerCase()]! : NaN;
  if (seconds === 0) throw new UserError(`${option} ${String(text)}: expected at least 1 s (a duration such as 300, 90s, 15m, 1h or 30d)`);
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new UserError(`${option} ${String(text)}: expected a duration such as 300, 90s, 15m, 1h or 30d`);
  }
  return seconds;
}
