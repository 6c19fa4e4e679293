// A validate worker thread (see workers.ts): loads the packages once, then validates the units it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { CoverageIndex } from './coverage.js';
import { adoptBaseDefinitions } from './definitions.js';
import { KeySet } from './key-set.js';
import { validateUnit, type WorkUnit } from './stream.js';
import type { Issue } from './types.js';
import { createValidator, VALIDATOR_CLI_NAMES } from './validator.js';
import type { WorkerAnswer, WorkerSetup } from './workers.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (answer: WorkerAnswer) => port.postMessage(answer);

try {
  adoptBaseDefinitions(setup.base);
  setup.base = ''; // workerData would keep the 10 MiB text alive after it is parsed
  const validator = await createValidator({ igs: setup.igs, packagesDir: setup.packagesDir, slim: true }, VALIDATOR_CLI_NAMES);
  const keys: [KeySet, KeySet] = [new KeySet(setup.keys), new KeySet(setup.entryKeys)];
  const coverage = validator.packages.filter((p) => setup.coverage.includes(`${p.name}@${p.version}`)).map((p) => new CoverageIndex(p, validator));
  port.on('message', (message: { index: number; unit: WorkUnit } | 'finish') => {
    try {
      if (message === 'finish') {
        post({ coverage: coverage.map((c) => c.state()), skippedInvariants: [...validator.skippedInvariants] });
        return;
      }
      const issues: Issue[] = [];
      const resources = validateUnit(message.unit, validator, keys, coverage, issues);
      post({ unit: message.index, issues, resources });
    } catch (error) {
      const e = error as Error;
      post({ error: { name: e.name, message: e.message, stack: e.stack } });
    }
  });
} catch (error) {
  const e = error as Error;
  post({ error: { name: e.name, message: e.message, stack: e.stack } });
}
