import type { CommandModule } from 'yargs';
import { generateCommand } from './generate.js';
import { kitsCommand } from './kits.js';
import { mappingGuideCommand } from './mapping-guide.js';
import { pingCommand } from './ping.js';
import { purgeCommand } from './purge.js';
import { reportCommand } from './report.js';
import { seedCommand } from './seed.js';
import { serveCommand } from './serve.js';
import { startCommand } from './start.js';
import { validateCommand } from './validate.js';

/** Every CLI command: one module per file, each exporting command, describe, builder, handler. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  generateCommand,
  validateCommand,
  serveCommand,
  startCommand,
  seedCommand,
  pingCommand,
  purgeCommand,
  reportCommand,
  kitsCommand,
  mappingGuideCommand,
];
