import { parentPort, workerData } from 'node:worker_threads';
import { loadCodeMaps } from '../codemaps/load.js';
import { answerMember } from './member-answer.js';
import { memberBuilder, type MemberSetup } from './member-builder.js';

/**
 * Worker thread of `generate --jobs N` (started by src/output/workers.ts): loads the code maps and
 * builds the directory once, says it is ready (`{ ready: true }`: it is sent members from then on), then answers
 * each member index it is sent with that member's bytes (`{ index, group }`), or `{ index, error }` when building it threw (src/output/member-answer.ts: that logic
 * runs on the main thread in tests, where Stryker can measure it; this entry runs only in a worker).
 */
const { setup, codeMapsDir } = workerData as { setup: MemberSetup; codeMapsDir?: string };
const builder = memberBuilder(setup, loadCodeMaps(codeMapsDir));
parentPort!.postMessage({ ready: true });
parentPort!.on('message', (index: number) => {
  const { answer, transfer } = answerMember(builder, index);
  parentPort!.postMessage(answer, transfer);
});
