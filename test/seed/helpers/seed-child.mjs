// A seeding process the resume test can kill: runs seed() with the JSON options in argv[2].
// Started as: node --import ./register-ts.mjs seed-child.mjs '<json>'
const options = JSON.parse(process.argv[2]);
const { seed } = await import('../../../src/seed/seed.ts');
const { defaultConnection } = await import('../../../src/seed/options.ts');
const summary = await seed({ ...defaultConnection(options.server), ...options, env: process.env });
process.stdout.write(`${JSON.stringify(summary)}\n`);
