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
    for (const path of values('SELECT path AS v FROM source')) {
      for (const match of path.matchAll(/flink-([A-Za-z0-9_.]+)-(?:standalonesession|taskexecutor|standalonejob|kubernetes-[a-z]+|historyserver|zookeeper|sql-gateway)/g)) {
        anonymizer.add('user', match[1]!);
      }
      for (const match of path.matchAll(/\/home\/([^/!]+)/g)) anonymizer.add('user', match[1]!);
    }
    for (const facts of values('SELECT facts AS v FROM source')) {
      const user = /"osUser":"([^"]+)"/.exec(facts)?.[1];
      if (user !== undefined) anonymizer.add('user', user);
    }
    return anonymizer;
  }

  add(kind: Kind, value: string): void {
    if (!this.literals.has(value)) this.literals.set(value, kind);
    this.pattern = undefined;
  }

  /** A bundle path: every folder and file name is replaced, the extension kept so the kind still shows. */
  path(path: string): string {
    return path
      .split('!/')
      .map((part) => part.split('/').map((segment) => (segment === '' ? segment : this.pseudonym('path', segment, extensionOf(segment)))).join('/'))
      .join('!/');
  }

  apply(text: string): string {
    this.pattern ??= this.compile();
    return text.replace(this.pattern, (match, ...groups: unknown[]) => {
      const named = groups.at(-1) as Record<string, string | undefined>;
      if (named.ip !== undefined) return this.pseudonym('ip', match);
      if (named.path !== undefined) return this.pseudonym('path', match);
      return this.pseudonym(this.literals.get(match) ?? 'host', match);
    });
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
      name = kind === 'path' ? (value.startsWith('/') || value.includes('://') ? `/path-${n}` : `${kind}-${n}${suffix}`) : `${kind}-${n}`;
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
