/**
 * Each command's usage line and one-line description, in the order `fhirseed --help` lists them: the command modules
 * spread their own, and `--help` (or a command line naming no command) needs nothing else, so it loads no command's
 * module (src/cli/commands/load.ts).
 */
export const COMMAND_HEADINGS = {
  generate: {
    command: 'generate',
    describe: 'Generate a synthetic population from a profile: bundles, NDJSON, manifest, test accounts',
  },
  validate: {
    command: 'validate <paths..>',
    describe: 'Validate FHIR resources (bundles, NDJSON, single resources) against R4 and their profiles; report must-support coverage',
  },
  serve: {
    command: 'serve [dir]',
    describe: 'Serve fhirseed output (or nothing) from a FHIR R4 sandbox server until Ctrl-C (a persistent SQLite store by default; --store memory)',
  },
  start: {
    command: 'start',
    describe: 'Generate a population into --out unless it holds a complete one, then serve it as a FHIR sandbox until Ctrl-C',
  },
  seed: {
    command: 'seed <dir>',
    describe: 'Load generated output into a FHIR server: directory first, then members; retries, dead letters, resume, verify',
  },
  ping: {
    command: 'ping',
    describe: 'Pre-production connection test: metadata, FHIR version, SMART configuration, profiles, test members by search',
  },
  purge: {
    command: 'purge',
    describe: 'Delete exactly the resources carrying a fhirseed run tag, referrers first',
  },
  report: {
    command: 'report <dir>',
    describe: 'Measure a population (NDJSON or Bundles) against realism targets: utilization, cost, prevalence, per book',
  },
  kits: {
    command: 'kits',
    describe: "Replay the Inferno CARIN BB 2.0.0 and US Core 6.1.0 server kits' search, read, must-support and reference tests against a server",
  },
  'mapping-guide': {
    command: 'mapping-guide',
    describe: 'Write the code-set mapping guide (Markdown and a self-contained HTML page) from code-maps/',
  },
} as const satisfies Record<string, { command: string; describe: string }>;
