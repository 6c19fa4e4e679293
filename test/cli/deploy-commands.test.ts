// U9 of session 14: deploy/generate-shards.yaml must run as written. Every deploy/*.yaml parses, and every fhirseed
// command in it (the containers' command lines, and the `args: [...]` examples in its comments) names a command and
// options that `fhirseed <command> --help` lists: a misspelt or removed option fails here, not in a payer's cluster.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../src/cli/run.js';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');

interface Container {
  image?: string;
  command?: string[];
  args?: string[];
  resources?: { requests?: { cpu?: string } };
}

/** The fhirseed argument lists of one manifest: after `fhirseed` in a shell line, or a JSON `args:` in a comment. */
function fhirseedCommands(text: string): { where: string; args: string[] }[] {
  const found: { where: string; args: string[] }[] = [];
  for (const doc of parseAllDocuments(text)) {
    expect(doc.errors).toEqual([]);
    const containers = ((doc.toJS() as { spec?: { template?: { spec?: { containers?: Container[] } } } }).spec?.template?.spec?.containers ?? []);
    for (const c of containers) {
      for (const line of [...(c.command ?? []), ...(c.args ?? [])]) {
        const at = line.indexOf('fhirseed ');
        if (at >= 0) found.push({ where: `container ${c.image}`, args: line.slice(at + 'fhirseed '.length).trim().split(/\s+/) });
      }
    }
  }
  const comments = text.split('\n').filter((l) => l.trimStart().startsWith('#')).map((l) => l.replace(/^\s*#/, '')).join('\n');
  for (const m of comments.matchAll(/args:\s*(\[[^\]]*\])/g)) found.push({ where: 'comment', args: JSON.parse(m[1]!) as string[] });
  return found;
}

/** The options `fhirseed <command> --help` lists (yargs prints the help with console.log). */
async function helpOptions(command: string): Promise<Set<string>> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const io = { stdout: () => undefined, stderr: () => undefined, isTty: false };
    expect(await runCli([command, '--help'], io)).toBe(0);
    const text = log.mock.calls.map((c) => c.join(' ')).join('\n');
    return new Set([...text.matchAll(/^\s+(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1]!));
  } finally {
    log.mockRestore();
  }
}

describe('deploy/*.yaml', () => {
  const manifests = readdirSync(DEPLOY).filter((f) => /\.ya?ml$/.test(f));

  it('should hold manifests', () => {
    expect(manifests).toContain('generate-shards.yaml');
  });

  it.each(manifests)('%s: every fhirseed command names options its --help lists', async (file) => {
    const commands = fhirseedCommands(readFileSync(join(DEPLOY, file), 'utf8'));
    expect(commands.map((c) => c.args[0])).toEqual(expect.arrayContaining(['generate', 'seed']));
    for (const { where, args } of commands) {
      const listed = await helpOptions(args[0]!);
      const used = args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).replace(/=.*/, '').replace(/^no-/, ''));
      expect({ where, command: args[0], unknown: used.filter((o) => !listed.has(o)) }).toEqual({ where, command: args[0], unknown: [] });
    }
  });

  it('generate-shards.yaml: no npx of an unpublished name, --jobs equal to the CPU request, --import-host from status.podIP', () => {
    const text = readFileSync(join(DEPLOY, 'generate-shards.yaml'), 'utf8');
    expect(text).not.toMatch(/npx/);
    const job = parseAllDocuments(text)[0]!.toJS() as { spec: { template: { spec: { containers: Container[] } } } };
    const container = job.spec.template.spec.containers[0]!;
    const jobs = /--jobs (\d+)/.exec(container.args!.join(' '))?.[1];
    expect(jobs).toBe(container.resources?.requests?.cpu);
    expect(text).toMatch(/fieldPath: status\.podIP/);
    expect(text).toMatch(/"--import-host", "\$\(POD_IP\)"/);
  });
});
