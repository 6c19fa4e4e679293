import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where serve answers the member demo app. */
export const DEMO_PATH = '/demo';

export interface DemoFile {
  contentType: string;
  body: Buffer;
}

/** The package root (the directory of fhirseed's package.json), from src/serve or dist/src/serve. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * The demo SMART app's files by path below /demo: `/demo` (or `/demo/`, `/demo/index.html`) is
 * demo/index.html, `/demo/app.js` the bundle `npm run build` writes (dist/demo/app.js: demo/app.js with
 * fhirclient, by vite). Undefined for other paths. A missing bundle answers a script that says to build.
 */
export function demoFile(path: string): DemoFile | undefined {
  // The package root only for a demo path: looking for it costs file-system calls at every request.
  if (path === DEMO_PATH || path === `${DEMO_PATH}/index.html`) {
    return { contentType: 'text/html; charset=utf-8', body: readFileSync(join(packageRoot(), 'demo', 'index.html')) };
  }
  if (path === `${DEMO_PATH}/app.js`) {
    const bundle = join(packageRoot(), 'dist', 'demo', 'app.js');
    const body = existsSync(bundle)
      ? readFileSync(bundle)
      : Buffer.from(`document.body.insertAdjacentText('beforeend', 'The demo app is not built: run npm run build in fhirseed.');\n`);
    return { contentType: 'text/javascript; charset=utf-8', body };
  }
  return undefined;
}
