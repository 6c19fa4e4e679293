// A seeding process the resume test can kill: runs the built seed() (dist/, `npm run build` first) with the JSON
// options in argv[2]. Started as: node seed-child.mjs '<json>'
const options = JSON.parse(process.argv[2]);
const { seed } = await import('../../../dist/src/seed/seed.js');
const { defaultConnection } = await import('../../../dist/src/seed/options.js');
const summary = await seed({ ...defaultConnection(options.server), ...options, env: process.env });
process.stdout.write(`${JSON.stringify(summary)}\n`);
