import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { Server } from 'node:http';
import { UserError } from '../util/errors.js';

/**
 * Binds `server` to host:port, turning the errors a user can fix into one line (UserError, exit 2):
 * the port in use, no permission for it, or a host that is not an interface of this machine.
 */
export function listenOn(server: Server | NetServer, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, host, port));
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
 * Port 0 (any free port) always can.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createNetServer();
  await listenOn(probe, host, port);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new UserError(`port ${port} is in use (on ${host}, by another program or another fhirseed); pick another with --port`);
    case 'EACCES':
      return new UserError(`no permission to listen on port ${port} of ${host} (ports below 1024 need privileges); pick another with --port`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(`cannot listen on host ${host} (${error.code}): not an address of this machine; check --host`);
    default:
      return error;
  }
}
