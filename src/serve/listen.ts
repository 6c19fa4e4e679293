import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { Server } from 'node:http';
import { UserError } from '../util/errors.js';

/**
 * How a listen error's advice names the port and host: the CLI's options (LISTEN_CLI_NAMES, the default: `pick another
 * with --port`) or a library caller's properties (`options.port`: serve/startup-checks.ts SERVE_LIBRARY_NAMES).
 */
export interface ListenNames {
  port: string;
  host: string;
}

export const LISTEN_CLI_NAMES: ListenNames = { port: '--port', host: '--host' };

/**
 * Binds `server` to host:port, turning the errors a user can fix into one line (UserError, exit 2):
 * the port in use, no permission for it, or a host that is not an interface of this machine.
 */
export function listenOn(server: Server | NetServer, host: string, port: number, names: ListenNames = LISTEN_CLI_NAMES): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, host, port, names));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Checks that host:port can be bound, by binding it and letting go at once: for work that takes long
 * before the real server listens (`start` generating a population), so a port in use is told first.
 * Port 0 (any free port) always can. The advice names the port and host as `names` says.
 */
export async function assertPortFree(host: string, port: number, names: ListenNames = LISTEN_CLI_NAMES): Promise<void> {
  if (port === 0) return;
  const probe = createNetServer();
  await listenOn(probe, host, port, names);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number, names: ListenNames): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new UserError(`port ${port} is in use (on ${host}, by another program or another fhirseed); pick another with ${names.port}`);
    case 'EACCES':
      return new UserError(`no permission to listen on port ${port} of ${host} (ports below 1024 need privileges); pick another with ${names.port}`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(`cannot listen on host ${host} (${error.code}): not an address of this machine; check ${names.host}`);
    default:
      return error;
  }
}
