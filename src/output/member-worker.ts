import { parentPort, workerData } from 'node:worker_threads';
import { loadCodeMaps } from '../codemaps/load.js';
import { memberBuilder, type MemberSetup } from './member-builder.js';

/**
 * Worker thread of `generate --jobs N` (started by src/output/workers.ts): loads the code maps and
 * builds the directory once, then answers each member index it is sent with that member's bytes
 * (`{ index, group }`), or `{ index, error }` when building it threw.
 */
const { setup, codeMapsDir } = workerData as { setup: MemberSetup; codeMapsDir?: string };
const builder = memberBuilder(setup, loadCodeMaps(codeMapsDir));
parentPort!.on('message', (index: number) => {
  try {
    const group = builder.member(index);
    // The bytes move to the writer's thread (transferred, not copied); the rest is a few small objects.
    parentPort!.postMessage({ index, group }, [group.bytes.buffer as ArrayBuffer]);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort!.postMessage({ index, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
