import { nearestName } from '../util/nearest-name.js';

/**
 * yargs' own failure messages (forced to English in run.ts) in fhirseed's words, naming the command and what to
 * type: "Not enough non-option arguments: got 0, need at least 1" becomes `seed: missing <dir> (usage: fhirseed
 * seed <dir> [options]; see fhirseed seed --help)`, "Missing required argument: server" `seed: missing --server
 * (see fhirseed seed --help)`, "Unknown arguments: bogus, extra" `generate: unknown option --bogus, unexpected
 * argument 'extra' (see fhirseed generate --help)`, and an unknown command says so, with yargs' suggestion when it
 * has one. An unknown option gets the nearest of the command's own (nearestName, as for profile fields; yargs
 * suggests commands but not options): "Unknown argument: member" becomes `generate: unknown option --member (did
 * you mean --members?) (see fhirseed generate --help)`. `usages` maps each command name to its yargs command string
 * (`seed <dir>`); `raw` is the command line as given; `options` the running command's option names and aliases.
 * Any other message is returned as it came, on one line.
 */
export function rewordParserMessage(message: string, raw: readonly string[], usages: Record<string, string>, options: readonly string[] = []): string {
  const line = message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  const name = raw.find((a) => !a.startsWith('-'));
  const command = name !== undefined && usages[name] !== undefined ? name : undefined;
  const help = command ? ` (see fhirseed ${command} --help)` : ' (see fhirseed --help)';
  const suggestion = /^Did you mean (\S+)\?$/.exec(line);
  if (suggestion) return `unknown command '${name}'; did you mean ${suggestion[1]}? (see fhirseed --help)`;
  const tooFew = /^Not enough non-option arguments: got (\d+)/.exec(line);
  if (tooFew && command) {
    const given = Number(tooFew[1]);
    const missing = usages[command]!.split(' ').filter((p) => p.startsWith('<')).slice(given);
    return `${command}: missing ${missing.join(' ') || 'an argument'} (usage: fhirseed ${usages[command]} [options]; see fhirseed ${command} --help)`;
  }
  const required = /^Missing required arguments?: (.+)$/.exec(line);
  if (required) return `${command ? `${command}: ` : ''}missing ${required[1]!.split(', ').map((o) => flag(o)).join(', ')}${help}`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(line);
  if (unknown) {
    const listed = unknown[1]!.split(', ');
    if (!command) return `unknown command '${listed[0]}'; commands: ${Object.keys(usages).join(', ')} (see fhirseed --help)`;
    // yargs lists `--read-workrs` twice, as typed and camel-cased (readWorkrs): the camel-cased one was not typed.
    const names = listed.filter((n) => !listed.some((o) => o !== n && camelCase(o) === n && typedAsOption(o, raw)));
    const longOptions = options.filter((o) => o.length > 1 && !/[A-Z]/.test(o));
    const parts = names.map((n) => {
      if (!typedAsOption(n, raw)) return `unexpected argument '${n}'`;
      const near = n.length > 1 ? nearestName(n, longOptions) : undefined;
      return `unknown option ${flag(n)}${near ? ` (did you mean ${flag(near)}?)` : ''}`;
    });
    return `${command}: ${parts.join(', ')}${help}`;
  }
  return line;
}

function camelCase(name: string): string {
  return name.replace(/-+([^-])/g, (_, c: string) => c.toUpperCase());
}

function flag(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/** Whether `name` was typed as an option (`--name`, `--name=…`, `-n`, or among short flags `-xn`). */
function typedAsOption(name: string, raw: readonly string[]): boolean {
  return raw.some((a) => a === flag(name) || a.startsWith(`${flag(name)}=`) || (name.length === 1 && /^-[^-]/.test(a) && a.includes(name)));
}
