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

/** A progress bar with rate and ETA on a terminal; silent otherwise. */
export function progressReporter(io: CliIo, unit: string): ProgressReporter {
  if (!io.isTty) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `{bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {etaText}`, stream: process.stderr, hideCursor: true },
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
