import { openIncident, type Db } from '../core/api/engine.js';
import { UsageError, type ParsedArgs } from './args.js';

/** Runs `use` on the incident named by the first positional argument, opened read-only, and always closes it. */
export function withIncident<T>(args: ParsedArgs, use: (db: Db, file: string) => T): T {
  const file = args.positionals[0];
  if (file === undefined) throw new UsageError('no incident file given');
  const db = openIncident(file, { readonly: true });
  try {
    return use(db, file);
  } finally {
    db.close();
  }
}
