import type { CommandModule } from 'yargs';

/** Every CLI command: one module per file, each exporting command, describe, builder, handler. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [];
