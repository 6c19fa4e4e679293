// Preloaded into a CLI child (node --import): appends the URL of every module the child resolves through an import
// (ES modules, and the entry of each CommonJS package imported) to the file $MODULE_TRACE, one a line.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.MODULE_TRACE, resolved.url + '\\n');
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
