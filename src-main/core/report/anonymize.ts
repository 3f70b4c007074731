import type { Db } from '../store/database.js';

type Kind = 'host' | 'tm' | 'job' | 'user' | 'path' | 'ip';

/**
 * Consistent pseudonyms for everything that names a machine, person or job: the same input always becomes the
 * same pseudonym within one report ("tm-7.flink.svc" → "host-3" everywhere), so the story still reads.
 * Identifiers are collected from the incident's own tables first (exact strings), then IPv4 addresses and
 * absolute paths / URLs are caught by pattern in any remaining text.
 */
export class Anonymizer {
  private readonly literals = new Map<string, Kind>();
  private readonly pseudonyms = new Map<string, string>();
  private readonly counters = new Map<Kind, number>();
  private pattern: RegExp | undefined;

  /**
   * User names are often ordinary words ('flink' runs most clusters), so they are replaced only where they
   * stand as a user: in daemon log names, home folders and the banner's "current user".
   */
  private static readonly USER_CONTEXTS = [
    /(?<=flink-)[A-Za-z0-9_.]+(?=-(?:standalonesession|taskexecutor|standalonejob|kubernetes-[a-z]+|historyserver|zookeeper|sql-gateway)\b)/g,
    /(?<=\/home\/)[^/!\s"'<>]+/g,
    /(?<=current user: )\S+/g,
  ];

  static fromIncident(db: Db): Anonymizer {
    const anonymizer = new Anonymizer();
    const values = (sql: string): string[] =>
      (db.prepare(sql).all() as Array<{ v: string | null }>).map((r) => r.v).filter((v): v is string => v !== null && v.length >= 3);
    for (const v of values('SELECT tm_id AS v FROM taskmanager UNION SELECT tm_id FROM source UNION SELECT DISTINCT tm FROM event')) anonymizer.add('tm', v);
    for (const v of values('SELECT host AS v FROM taskmanager UNION SELECT host FROM source UNION SELECT DISTINCT host FROM event')) {
      anonymizer.add('host', v);
      const short = v.split('.')[0]!;
      if (short !== v && short.length >= 3 && !/^\d+$/.test(short)) anonymizer.add('host', short);
    }
    for (const v of values('SELECT name AS v FROM job')) anonymizer.add('job', v);
    return anonymizer;
  }

  add(kind: Kind, value: string): void {
    if (!this.literals.has(value)) this.literals.set(value, kind);
    this.pattern = undefined;
  }

  /** A bundle path: every folder and file name is replaced, the extension kept so the kind still shows. */
  path(path: string): string {
    return this.users(path)
      .split('!/')
      .map((part) => part.split('/').map((segment) => (segment === '' ? segment : this.pseudonym('path', segment, extensionOf(segment)))).join('/'))
      .join('!/');
  }

  apply(text: string): string {
    this.pattern ??= this.compile();
    return this.users(text).replace(this.pattern, (match, ...groups: unknown[]) => {
      const named = groups.at(-1) as Record<string, string | undefined>;
      if (named.ip !== undefined) return this.pseudonym('ip', match);
      if (named.path !== undefined) return this.pseudonym('path', match);
      return this.pseudonym(this.literals.get(match) ?? 'host', match);
    });
  }

  private users(text: string): string {
    let out = text;
    for (const context of Anonymizer.USER_CONTEXTS) out = out.replace(context, (user) => this.pseudonym('user', user));
    return out;
  }

  private compile(): RegExp {
    const literals = [...this.literals.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    const parts = [
      ...(literals.length > 0 ? [`(?<lit>${literals.join('|')})`] : []),
      String.raw`(?<ip>\b(?:\d{1,3}\.){3}\d{1,3}\b)`,
      String.raw`(?<path>(?:[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]+|(?<![\w.])\/(?:[\w.@-]+\/)+[\w.@-]+))`,
    ];
    return new RegExp(parts.join('|'), 'g');
  }

  private pseudonym(kind: Kind, value: string, suffix = ''): string {
    const key = `${kind}\u0000${value}`;
    let name = this.pseudonyms.get(key);
    if (name === undefined) {
      const n = (this.counters.get(kind) ?? 0) + 1;
      this.counters.set(kind, n);
      // Upper case: real host and pod names are lower case, so a pseudonym never reads as an original.
      const label = kind.toUpperCase();
      name = kind === 'path' ? (value.startsWith('/') || value.includes('://') ? `/PATH-${n}` : `PATH-${n}${suffix}`) : `${label}-${n}`;
      this.pseudonyms.set(key, name);
    }
    return name;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function extensionOf(segment: string): string {
  const match = /(\.(?:log|out|err|txt|json|gz|zip|tgz|tar|jfr|html|collapsed|prom)(?:\.\d+)?)+$/.exec(segment);
  return match?.[0] ?? '';
}
