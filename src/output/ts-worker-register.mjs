// `--import` of a worker started from the TypeScript sources: installs ts-worker-hooks.mjs.
import { register } from 'node:module';

register('./ts-worker-hooks.mjs', import.meta.url);
