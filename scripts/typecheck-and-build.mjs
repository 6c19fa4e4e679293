#!/usr/bin/env node
// `npm test`'s first step: the typecheck (tsc -p tsconfig.test.json: src, bench and test, no output) and the build
// (npm run build: tsc -p tsconfig.json → dist/, then the profile validator, the shipped profiles and the /demo app)
// side by side instead of one after the other. They are independent (the typecheck reads no dist/ file) and each tsc
// is one process on one core, so on a 2-core machine the pair takes about as long as the typecheck alone.
// Exit 0 when both pass; else the first failing one's exit code (1 when it was ended by a signal). Each one's output
// goes through as it comes: tsc prints only its errors.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
// Under npm (npm test), npm_execpath is npm's own CLI script: run it with this node, no shell needed.
const npm = process.env.npm_execpath;

/** Runs `command args` with this process's output; resolves with its exit code. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
    child.on('error', (error) => {
      console.error(`typecheck-and-build: ${command} ${args.join(' ')}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const [typecheck, build] = await Promise.all([
  run(process.execPath, [tsc, '-p', 'tsconfig.test.json']),
  npm ? run(process.execPath, [npm, 'run', 'build']) : run('npm', ['run', 'build'], { shell: process.platform === 'win32' }),
]);
if (typecheck !== 0) console.error(`typecheck-and-build: the typecheck (tsc -p tsconfig.test.json) failed, exit ${typecheck}`);
if (build !== 0) console.error(`typecheck-and-build: npm run build failed, exit ${build}`);
process.exitCode = typecheck || build;
