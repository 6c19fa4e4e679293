// README's smart-backend recipe (Sandbox server → Auth modes), run as printed: its openssl and node lines make
// seeder.pem and seeder.jwks.json, its serve line starts a real sandbox with them, its seed line loads a one-member
// output through a signed JWT assertion (private_key_jwt), and the paragraph after it (without --jwks-file the token
// request is refused, naming the JWKS's key ids) holds. So the recipe cannot drift from the CLI. Changed for the test
// only: `npx fhirseed` is the built bin.js, `output` a temporary one-member output, the serve gets `--port 0 --store
// memory --packages <empty>` (no IG packages read or downloaded), and the seed line the port it got. ~5 s of CPU.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/cli.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { withoutNotes } from '../helpers/stderr.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const temp = tempDir('fhirseed-readme-backend-');
const out = join(temp.dir, 'members');
afterAll(() => temp.cleanup());

/** The ```sh block of README that makes seeder.pem: its four lines (key, JWKS, serve, seed), or a failure naming what changed. */
function recipe(): { keyLines: string[]; serve: string[]; seed: string[] } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('-out seeder.pem'));
  if (!block) throw new Error('README.md has no ```sh block making seeder.pem (Sandbox server → Auth modes)');
  const lines = block.trim().split('\n');
  const serve = lines.find((l) => l.startsWith('npx fhirseed serve '));
  const seed = lines.find((l) => l.startsWith('npx fhirseed seed '));
  if (!serve || !seed) throw new Error(`README's smart-backend recipe has no 'npx fhirseed serve' or 'npx fhirseed seed' line:\n${block}`);
  const args = (line: string) => {
    if (/['"`$\\|<>]/.test(line)) throw new Error(`expected plain words in README's line (quotes or shell syntax would need a shell): ${line}`);
    return line.split(/\s+/).slice(2);
  };
  return { keyLines: lines.filter((l) => l !== serve && l !== seed), serve: args(serve), seed: args(seed) };
}

/** README's `output` (the argument after the command) as the test's output folder. */
function withOutput(args: string[]): string[] {
  expect(args[1], `README's ${args[0]} line serves/seeds 'output'`).toBe('output');
  return [args[0]!, out, ...args.slice(2)];
}

let server: ReturnType<typeof spawn>;
let origin = '';

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/src/cli/bin.js is missing: run npm run build before these tests');
  const { keyLines, serve } = recipe();
  // The key lines through a shell, as printed (a redirect among them), with this node first on the PATH.
  const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  for (const line of keyLines) execFileSync('sh', ['-c', line], { cwd: temp.dir, env: { ...process.env, PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
  generateTo(out, { ...shippedProfile('default'), members: 1 });
  mkdirSync(join(temp.dir, 'no-packages'));
  // Run in the folder holding the key files, as a user would from there.
  server = spawn(process.execPath, [BIN, ...withOutput(serve), '--port', '0', '--store', 'memory', '--packages', 'no-packages'], { cwd: temp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  server.stderr!.on('data', (d) => (said += String(d)));
  origin = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (d) => {
      said += String(d);
      const url = /sandbox at (http:\/\/\S+)\/fhir/.exec(said)?.[1];
      if (url && said.includes('Ctrl-C')) resolve(url);
    });
    server.once('exit', (code) => reject(new Error(`README's serve line exited early (${code}): ${said}`)));
  });
}, 120_000);

afterAll(async () => {
  if (server?.exitCode !== null || !server.kill('SIGINT')) return;
  await once(server, 'exit');
});

/** README's seed line, on the test's output and the port the server got. */
function seedLine(): string[] {
  return withOutput(recipe().seed).map((a) => a.replace('http://127.0.0.1:8080', origin));
}

describe("README's smart-backend recipe, as printed", () => {
  it('should make a key pair and JWKS the sandbox accepts, and seed through a signed assertion', async () => {
    const jwks = JSON.parse(readFileSync(join(temp.dir, 'seeder.jwks.json'), 'utf8')) as { keys: { kid?: string; kty?: string; alg?: string }[] };
    expect(jwks.keys.map((k) => [k.kid, k.kty, k.alg])).toEqual([['seeder-1', 'RSA', 'RS384']]);
    // The sandbox is in smart-backend mode: nothing without a token.
    expect((await fetch(`${origin}/fhir/Patient`)).status).toBe(401);
    const args = seedLine();
    expect(args).toContain('--private-key-file');
    const result = await runBin(BIN, args, temp.dir);
    expect(result.code, result.stderr).toBe(0);
    // The sandbox serves the output it is seeded with (README's lines name one folder): what it holds comes back unchanged.
    const counts = /sent (\d+), created (\d+), updated 0, unchanged (\d+), failed 0, retried \d+, dead-lettered 0/.exec(result.stdout);
    expect(counts, result.stdout).not.toBeNull();
    const [sent, created, unchanged] = counts!.slice(1).map(Number) as [number, number, number];
    expect(sent).toBeGreaterThan(0);
    expect(created + unchanged).toBe(sent);
    expect(result.stdout).toMatch(/\b1 access token\b/);
    expect(result.stdout).toMatch(/^verify: counts under the run tag match the manifest for all \d+ types$/m);
  }, 120_000);

  it('should be refused as the paragraph after it says when --jwks-file is left out', async () => {
    const args = seedLine();
    const at = args.indexOf('--jwks-file');
    expect(at).toBeGreaterThan(0);
    args.splice(at, 2);
    const result = await runBin(BIN, args, temp.dir);
    expect(result.code).toBe(2);
    expect(withoutNotes(result.stderr)).toMatch(/invalid_client/);
    expect(result.stderr).toMatch(/matches no key of the client JWKS \(its key ids: seeder-1\)/);
  }, 60_000);
});
