// Lets a child `node` process import the TypeScript sources directly (no build, no tsx):
//   node --import ./test/seed/helpers/register-ts.mjs script.mjs
// Each .ts file is transpiled on load with the project's own TypeScript (syntax only, no type check),
// and a relative `./x.js` import from a .ts file resolves to `./x.ts` when only that exists.
import { register } from 'node:module';

register(new URL('./ts-hooks.mjs', import.meta.url));
