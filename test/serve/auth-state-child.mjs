// Child of auth-state.test.ts: a smart-patient sandbox with open registration keeping its clients in STATE_DIR
// (argv[2]). Prints "listening URL"; SIGINT closes it and exits 0. A child, so that a server whose event loop stops
// (the old recursive mkdir under /proc) fails the test instead of freezing the test worker.
import { startServer } from '../../src/serve/index.ts';

const server = await startServer({ port: 0, auth: { mode: 'smart-patient', members: [], registration: { mode: 'open', stateDir: process.argv[2] } } });
process.on('SIGINT', () => {
  void server.close().then(() => process.exit(0));
});
process.stdout.write(`listening ${server.url}\n`);
