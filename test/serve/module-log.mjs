// `node --import ./module-log.mjs …`: appends the URL of every module the ES module loader resolves to the file named
// by $FHIRSEED_MODULE_LOG, one a line (test/serve/start-imports.test.ts). The hooks run on the loader's own thread.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(process.env.FHIRSEED_MODULE_LOG ?? '/dev/null')}, resolved.url + '\\n');
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
