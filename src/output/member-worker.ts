import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import type { CodeMaps } from '../codemaps/types.js';
import { answerMember } from './member-answer.js';
import { memberBuilder, type MemberSetup } from './member-builder.js';

/**
 * Worker thread of `generate --jobs N` (started by src/output/workers.ts): takes the setup and the code maps the main
 * thread sent, in workerData or, when it was started before the run's checks were done, as its first message
 * (MemberThreads.begin), or loads the code maps from the directory it was given (only then is the loader's module graph
 * imported), and builds the directory once, says it is ready (`{ ready: true }`: it is sent members from then on), then answers
 * each member index it is sent with that member's bytes (`{ index, group }`), or `{ index, error }` when building it threw (src/output/member-answer.ts: that logic
 * runs on the main thread in tests, where Stryker can measure it; this entry runs only in a worker).
 */
const given = (workerData ?? (await once(parentPort!, 'message'))[0]) as { setup: MemberSetup; codeMaps?: string | CodeMaps };
const { setup, codeMaps } = given;
const maps = typeof codeMaps === 'object' ? codeMaps : (await import('../codemaps/load.js')).loadCodeMaps(codeMaps);
const builder = memberBuilder(setup, maps);
parentPort!.postMessage({ ready: true });
parentPort!.on('message', (index: number) => {
  const { answer, transfer } = answerMember(builder, index);
  parentPort!.postMessage(answer, transfer);
});
