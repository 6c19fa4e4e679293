// Runs `fhirseed serve` or `fhirseed start` (the command modules alone) in a child process, as bin.ts would:
//   node --import ./test/seed/helpers/register-ts.mjs test/serve/serve-child.mjs serve DIR --port 0
import yargs from 'yargs';
import { serveCommand } from '../../src/cli/commands/serve.ts';
import { startCommand } from '../../src/cli/commands/start.ts';

const io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), isTty: false };
const args = process.argv.slice(2);
const context = { io, result: { exitCode: 0 } };
await yargs(args).strict().exitProcess(false).command(serveCommand).command(startCommand).parseAsync(args, context);
process.exitCode = context.result.exitCode;
