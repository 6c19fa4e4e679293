import cliProgress from 'cli-progress';
import type { CliIo } from './run.js';

export interface ProgressReporter {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/** A progress bar with rate and ETA on a terminal; silent otherwise. */
export function progressReporter(io: CliIo, unit: string): ProgressReporter {
  if (!io.isTty) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `{bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let begun = false;
  return {
    update: (done, total) => {
      if (!begun) {
        bar.start(total, 0, { rate: '0' });
        begun = true;
      }
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(done, { rate: (done / seconds).toFixed(0) });
    },
    stop: () => {
      if (begun) bar.stop();
    },
  };
}
