import type { Checkpoint } from './checkpoint.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { WorkItem } from './plan.js';
import type { ChunkSender } from './send.js';

export interface WorkRunner {
  sender: ChunkSender;
  deadLetters: DeadLetterFile;
  /** Told the files of each work item once the server acknowledged all of it (undefined: no checkpoint). */
  checkpoint?: Checkpoint;
  onEntries?: (count: number) => void;
  signal?: AbortSignal;
}

/** One work item: its chunks in order, failures to the dead-letter file, then the checkpoint. */
export async function runItem(item: WorkItem, runner: WorkRunner): Promise<void> {
  for (const chunk of item.chunks) {
    if (!chunk.length) continue;
    const results = await runner.sender.send(chunk);
    // Dead letters are on disk before the checkpoint says the item is done.
    runner.deadLetters.write(results);
    runner.onEntries?.(chunk.length);
  }
  runner.checkpoint?.markDone(item.files);
}

/**
 * Runs work items with `workers` in parallel, pulling lazily so that memory holds only the items in
 * flight. The first error stops further items; the error is raised once the running ones settle.
 */
export async function runPool(items: Iterator<WorkItem>, workers: number, runner: WorkRunner): Promise<void> {
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && !runner.signal?.aborted) {
      const next = items.next();
      if (next.done) return;
      try {
        await runItem(next.value, runner);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
  if (runner.signal?.aborted) throw runner.signal.reason ?? new Error('aborted');
}
