import { isIsoDate } from './dates.js';
import { UserError } from './errors.js';

/**
 * Checks a run's "now" (`--now`, YYYY-MM-DD) against the profile period: it must be a calendar date
 * (2025-02-30 is not) and not before `period.start` (nothing could have happened yet). A "now" after
 * the period end is allowed: the claims of the period's last weeks are then all paid.
 * Returns the date; throws UserError naming `what` and the value.
 */
export function checkNow(now: string, period: { start: string; end: string }, what = '--now'): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(now)) throw new UserError(`${what} ${now}: expected a date YYYY-MM-DD`);
  if (!isIsoDate(now)) throw new UserError(`${what} ${now}: not a calendar date`);
  if (now < period.start) throw new UserError(`${what} ${now}: before the profile period start ${period.start}`);
  return now;
}

/**
 * The stderr note for a `--now` after `today` (both YYYY-MM-DD; today is the machine's UTC date): not an error — fixed
 * dates in tests may lie ahead —, but every `meta.lastUpdated` and `Provenance.recorded` is then dated in the future,
 * which a server or app may refuse or sort oddly. Undefined when `now` is not after today.
 */
export function futureNowNote(now: string, today: string, what = '--now'): string | undefined {
  if (now <= today) return undefined;
  return `fhirseed: ${what} ${now} is after today (${today}): the data is dated in the future (meta.lastUpdated, Provenance.recorded, claims paid by then)\n`;
}
