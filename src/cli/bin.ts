#!/usr/bin/env node
import { runCli } from './run.js';

runCli().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(70);
  },
);
