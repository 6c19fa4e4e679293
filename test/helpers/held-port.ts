import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/**
 * Holds a free port on 127.0.0.1 for the enclosing describe block (listened on in beforeAll, closed in afterAll), for
 * tests of what a command or startServer says of a port in use. Returns its number, read once the block has started.
 */
export function useHeldPort(): () => number {
  let held: Server | undefined;
  let port = 0;
  beforeAll(async () => {
    held = createServer();
    await new Promise<void>((resolve) => held!.listen(0, '127.0.0.1', resolve));
    port = (held.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => (held ? held.close(() => resolve()) : resolve())));
  return () => port;
}
