import { runReadOnlyQuery } from '../../core/api/engine.js';
import { parseArgs, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { withIncident } from '../incident.js';
import { printJson, table } from '../output.js';

export const queryCommand: Command = {
  name: 'query',
  summary: 'run a read-only SQL statement against an incident file (tables: docs/schema.md)',
  usage: 'Usage: sluice query FILE.sluice "SELECT …" [--json]',
  async run(argv) {
    const args = parseArgs(argv, { flags: ['json'] });
    const sql = args.positionals[1];
    if (sql === undefined) throw new UsageError('need an incident file and a SQL statement');
    return withIncident(args, (db) => {
      const result = runReadOnlyQuery(db, sql);
      if (args.flags.has('json')) {
        printJson(result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]]))));
      } else {
        const cell = (v: unknown): string | number => (typeof v === 'number' ? v : v === null ? 'NULL' : Buffer.isBuffer(v) ? `<${v.length} bytes>` : String(v));
        process.stdout.write(`${table(result.columns, result.rows.map((r) => r.map(cell)))}\n`);
      }
      return 0;
    });
  },
};
