import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { TestAccount } from '../../output/accounts.js';
import { startServer, type AuthClient, type AuthOptions } from '../../serve/index.js';
import { UserError } from '../../util/errors.js';
import type { CommandContext } from '../run.js';

interface ServeArgs extends CommandContext {
  dir?: string;
  port: number;
  host: string;
  auth: AuthOptions['mode'];
  token?: string[];
  'client-id': string;
  'client-secret'?: string;
  'client-jwks'?: string;
  'token-lifetime': number;
  packages?: string;
}

export const serveCommand: CommandModule<CommandContext, ServeArgs> = {
  command: 'serve [dir]',
  describe: 'Serve fhirseed output (or nothing) from an in-memory FHIR R4 sandbox server until Ctrl-C',
  builder: (yargs: Argv<CommandContext>) =>
    yargs
      .positional('dir', { type: 'string', describe: 'Directory to preload: fhirseed output, Bundles, NDJSON or resources' })
      .option('port', { type: 'number', default: 8080, describe: 'Port to listen on (0 = any free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Interface to listen on' })
      .option('auth', { choices: ['none', 'bearer', 'smart-backend'] as const, default: 'none' as const, describe: 'Authorization the server demands' })
      .option('token', { type: 'string', array: true, describe: 'A static bearer token the server accepts (repeatable)' })
      .option('client-id', { type: 'string', default: 'fhirseed-test-client', describe: 'smart-backend: the test client id' })
      .option('client-secret', { type: 'string', describe: 'smart-backend: the test client secret (client_secret_basic/post)' })
      .option('client-jwks', { type: 'string', describe: 'smart-backend: JWKS file with the test client public keys (private_key_jwt)' })
      .option('token-lifetime', { type: 'number', default: 300, describe: 'smart-backend: seconds an issued token lives' })
      .option('packages', { type: 'string', describe: 'Directory of FHIR packages for the profiles in /metadata (default $FHIRSEED_PACKAGES)' }),
  handler: async (argv) => {
    if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65535) throw new UserError(`--port ${argv.port}: expected a port number 0–65535`);
    const server = await startServer({ port: argv.port, host: argv.host, dir: argv.dir, auth: authOptions(argv), packagesDir: argv.packages });
    const io = argv.io;
    io.stdout(`fhirseed: FHIR R4 sandbox at ${server.url} (${server.loadedResources} resources loaded${argv.dir ? ` from ${argv.dir}` : ''}, auth ${argv.auth})\n`);
    for (const error of server.loadErrors.slice(0, 20)) io.stderr(`fhirseed: not loaded: ${error}\n`);
    if (server.loadErrors.length > 20) io.stderr(`fhirseed: … and ${server.loadErrors.length - 20} more load errors\n`);
    if (argv.dir) io.stdout(examples(server.url, argv.dir));
    io.stdout('Press Ctrl-C to stop.\n');
    await shutdownSignal();
    await server.close();
    io.stdout('fhirseed: server stopped\n');
  },
};

function authOptions(argv: ServeArgs): AuthOptions {
  if (argv.auth === 'none') return { mode: 'none' };
  if (argv.auth === 'bearer') {
    if (!argv.token?.length) throw new UserError('--auth bearer needs at least one --token');
    return { mode: 'bearer', staticTokens: argv.token };
  }
  if (!argv['client-secret'] && !argv['client-jwks']) throw new UserError('--auth smart-backend needs --client-secret or --client-jwks');
  let jwks: AuthClient['jwks'];
  if (argv['client-jwks']) {
    try {
      jwks = JSON.parse(readFileSync(argv['client-jwks'], 'utf8')) as AuthClient['jwks'];
    } catch (error) {
      throw new UserError(`--client-jwks ${argv['client-jwks']}: cannot read a JWKS (${(error as Error).message})`);
    }
    if (!Array.isArray(jwks?.keys)) throw new UserError(`--client-jwks ${argv['client-jwks']}: expected {"keys": [...]}`);
  }
  return {
    mode: 'smart-backend',
    tokenLifetimeSeconds: argv['token-lifetime'],
    staticTokens: argv.token,
    clients: [{ clientId: argv['client-id'], secret: argv['client-secret'], jwks }],
  };
}

/** A few test members and example queries, from the test-accounts file when there is one. */
function examples(url: string, dir: string): string {
  const file = join(dir, 'test-accounts.json');
  if (!existsSync(file)) return '';
  let accounts: TestAccount[];
  try {
    accounts = JSON.parse(readFileSync(file, 'utf8')) as TestAccount[];
  } catch {
    return '';
  }
  const lines = ['Test members:'];
  for (const a of accounts.slice(0, 3)) lines.push(`  ${a.name} — Patient/${a.patientId}, member ${a.memberId}, login ${a.username} / ${a.password}`);
  const first = accounts[0];
  if (first) {
    lines.push('Try:');
    lines.push(`  curl '${url}/Patient/${first.patientId}'`);
    lines.push(`  curl '${url}/ExplanationOfBenefit?patient=${first.patientId}&_include=ExplanationOfBenefit:coverage'`);
    lines.push(`  curl '${url}/Coverage?beneficiary=${first.patientId}'`);
    lines.push(`  curl '${url}/Patient/${first.patientId}/$everything'`);
  }
  return `${lines.join('\n')}\n`;
}

function shutdownSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
