/** A small argv parser: positionals, `--flag`, `--key value`, `--key=value`, `-o value`. */
export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], spec: { flags?: readonly string[]; options?: readonly string[]; aliases?: Record<string, string> }): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positionals: string[] = [];
  const knownFlags = new Set(spec.flags ?? []);
  const knownOptions = new Set(spec.options ?? []);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (spec.aliases?.[arg] !== undefined) arg = spec.aliases[arg]!;
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (knownFlags.has(name) && eq < 0) {
      flags.add(name);
    } else if (knownOptions.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  return { positionals, flags, options };
}

/** A time option (ISO, 'YYYY-MM-DD HH:mm:ss' UTC, or epoch ms) as incident-axis µs; undefined when absent. */
export function timeOption(args: ParsedArgs, name: string, parse: (text: string) => number): number | undefined {
  const value = args.options.get(name);
  if (value === undefined) return undefined;
  const us = parse(value);
  if (Number.isNaN(us)) throw new UsageError(`--${name}: cannot read time '${value}'`);
  return us;
}
