import cliProgress from 'cli-progress';
import type { CliIo } from './run.js';

export interface ProgressReporter {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/**
 * "12s", "4m05s", "2h03m", ">99h"; "…" until there is a rate to go by. Never NaN or Infinity: cli-progress's
 * own ETA shows those when the first update comes at once or nothing is done yet.
 */
export function formatEta(done: number, total: number, seconds: number): string {
  if (!(done > 0) || !(seconds > 0) || !(total >= done) || !Number.isFinite(total)) return '…';
  const left = Math.round(((total - done) * seconds) / done);
  if (!Number.isFinite(left)) return '…';
  if (left >= 100 * 3600) return '>99h';
  if (left < 60) return `${left}s`;
  if (left < 3600) return `${Math.floor(left / 60)}m${String(left % 60).padStart(2, '0')}s`;
  return `${Math.floor(left / 3600)}h${String(Math.floor((left % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * What to print where there is no terminal for a bar (a CI log, a pipe): `label` begins each line
 * (`seed: sent`), `unit` follows the total (`resources`; none for purge's `purge: deleted 640 of 6397 (10 %)`).
 * `quietMs` (default the io's progressQuietMs, else QUIET_MS): no line before that long has passed, since a run that
 * ends in seconds needs none.
 */
export interface PlainProgress {
  label: string;
  unit?: string;
  quietMs?: number;
  /** The clock, in ms (Date.now); tests pass their own. */
  now?: () => number;
}

/** How long a run without a terminal may go without a progress line: its summary comes soon after, or a line does. */
export const QUIET_MS = 30_000;

/**
 * A progress bar with rate and ETA on a terminal (`terminal`, default process.stderr; its total follows the
 * updates'). Without one: with `plain`, a line per tenth of the total
 * (tenthsReporter); without, silent.
 */
export function progressReporter(io: CliIo, unit: string, plain?: PlainProgress, terminal: NodeJS.WritableStream = process.stderr): ProgressReporter {
  if (!io.isTty) return plain ? tenthsReporter(io, { quietMs: io.progressQuietMs, ...plain }) : { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `{bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {etaText}`, stream: terminal, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let begun = false;
  return {
    update: (done, total) => {
      if (!begun) {
        bar.start(total, 0, { rate: '0', etaText: '…' });
        begun = true;
      }
      // The total can grow (purge: resources of the run that appear while it deletes).
      if (total !== bar.getTotal()) bar.setTotal(total);
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      bar.update(done, { rate: Number.isFinite(rate) ? rate.toFixed(0) : '0', etaText: formatEta(done, total, seconds) });
    },
    stop: () => {
      if (begun) bar.stop();
      begun = false;
    },
  };
}

/**
 * Progress where there is no terminal for a bar: one stderr line each time a new tenth of the total is reached
 * (`seed: sent 640 of 6397 resources (10 %)`; the percentage is the share done at that update, rounded down), none for 100 % (the command's summary says it), none before
 * `quietMs` has passed since the reporter was made (then the tenth reached by then is told at the next update), so
 * that minutes of work are not minutes of silence in a CI log.
 */
export function tenthsReporter(io: CliIo, plain: PlainProgress): ProgressReporter {
  const now = plain.now ?? Date.now;
  const started = now();
  const quietMs = plain.quietMs ?? QUIET_MS;
  const unit = plain.unit ? ` ${plain.unit}` : '';
  let shown = 0;
  return {
    update: (done, total) => {
      const tenth = total > 0 ? Math.floor((done * 10) / total) : 0;
      if (tenth <= shown || tenth >= 10 || now() - started < quietMs) return;
      shown = tenth;
      // The share done at this update (rounded down), not the tenth crossed: the first line after the quiet start
      // may come well past that tenth (9185 of 49510 is 18 %, not 10 %).
      io.stderr(`${plain.label} ${done} of ${total}${unit} (${Math.floor((done * 100) / total)} %)\n`);
    },
    stop: () => undefined,
  };
}
