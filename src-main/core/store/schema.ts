/**
 * The incident file's schema, as an ordered list of migrations. `PRAGMA user_version` holds the number of
 * migrations applied. Never edit a released migration: append a new one. docs/schema.md documents every table.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: initial schema */ `
CREATE TABLE incident (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE source (
  id               INTEGER PRIMARY KEY,
  path             TEXT NOT NULL,          -- path inside the bundle, e.g. bundle.zip!/logs/tm.tar.gz!/tm-1.log
  kind             TEXT NOT NULL,
  format           TEXT NOT NULL,
  reason           TEXT NOT NULL,
  sha256           TEXT NOT NULL UNIQUE,
  bytes            INTEGER NOT NULL,
  lines            INTEGER NOT NULL DEFAULT 0,
  events           INTEGER NOT NULL DEFAULT 0,
  warnings         INTEGER NOT NULL DEFAULT 0,
  status           TEXT NOT NULL DEFAULT 'ingesting',  -- ingesting | done | failed | listed
  host             TEXT,
  component        TEXT,
  tm_id            TEXT,
  flink_version    TEXT,
  jvm              TEXT,
  jvm_start_us     INTEGER,
  gc_collector     TEXT,
  time_anchor      TEXT,
  time_confidence  TEXT,
  tz               TEXT NOT NULL DEFAULT 'UTC',
  clock_offset_us  INTEGER NOT NULL DEFAULT 0,
  time_from_us     INTEGER,
  time_to_us       INTEGER,
  facts            TEXT,                  -- JSON: banner JVM options, config, pid …
  ingested_at      TEXT NOT NULL
) STRICT;

CREATE TABLE warning (
  id        INTEGER PRIMARY KEY,
  source_id INTEGER REFERENCES source(id) ON DELETE CASCADE,
  path      TEXT NOT NULL,
  line      INTEGER,
  message   TEXT NOT NULL
) STRICT;

-- Raw text lives here once, compressed in blocks of consecutive lines; per-line time and level sit in the
-- block's index blob so filters never inflate text they do not show.
CREATE TABLE log_block (
  source_id    INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  block_no     INTEGER NOT NULL,
  first_line   INTEGER NOT NULL,
  line_count   INTEGER NOT NULL,
  ts_min_us    INTEGER,
  ts_max_us    INTEGER,
  n_trace      INTEGER NOT NULL,
  n_debug      INTEGER NOT NULL,
  n_info       INTEGER NOT NULL,
  n_warn       INTEGER NOT NULL,
  n_error      INTEGER NOT NULL,
  line_index   BLOB NOT NULL,              -- compressed (codec, migration 3): per line u8 level|continuation bit, u32 ms since ts_min
  text         BLOB NOT NULL,              -- compressed (codec, migration 3): lines joined by \\n
  PRIMARY KEY (source_id, block_no)
) STRICT, WITHOUT ROWID;
CREATE INDEX log_block_time ON log_block (ts_min_us, ts_max_us);

CREATE TABLE event (
  id            INTEGER PRIMARY KEY,
  source_id     INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  line          INTEGER NOT NULL,
  line_count    INTEGER NOT NULL,
  ts_us         INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  template      TEXT NOT NULL,
  level         INTEGER NOT NULL,
  job           TEXT,
  checkpoint_id INTEGER,
  vertex_id     TEXT,
  vertex_name   TEXT,
  subtask       INTEGER,
  attempt       TEXT,
  tm            TEXT,
  host          TEXT,
  attrs         TEXT
) STRICT;
CREATE INDEX event_time ON event (ts_us);
CREATE INDEX event_checkpoint ON event (job, checkpoint_id) WHERE checkpoint_id IS NOT NULL;
CREATE INDEX event_kind ON event (kind, ts_us);

CREATE TABLE job (
  job_id TEXT PRIMARY KEY,
  name   TEXT
) STRICT;

CREATE TABLE vertex (
  job             TEXT NOT NULL,
  vertex_id       TEXT NOT NULL,          -- JobVertexID, or 'name:<vertex name>' when only the name is known
  name            TEXT NOT NULL,
  parallelism     INTEGER,
  max_parallelism INTEGER,
  PRIMARY KEY (job, vertex_id)
) STRICT;

CREATE TABLE plan_edge (
  job           TEXT NOT NULL,
  from_vertex   TEXT NOT NULL,
  to_vertex     TEXT NOT NULL,
  ship_strategy TEXT,
  PRIMARY KEY (job, from_vertex, to_vertex)
) STRICT;

CREATE TABLE task_attempt (
  attempt_id     TEXT PRIMARY KEY,
  job            TEXT,
  vertex_id      TEXT,
  task_name      TEXT,
  subtask        INTEGER,
  parallelism    INTEGER,
  attempt_number INTEGER,
  tm             TEXT,
  host           TEXT,
  first_seen_us  INTEGER
) STRICT;

CREATE TABLE taskmanager (
  tm_id     TEXT PRIMARY KEY,
  host      TEXT,
  source_id INTEGER REFERENCES source(id) ON DELETE SET NULL
) STRICT;

CREATE TABLE checkpoint (
  job               TEXT NOT NULL,
  checkpoint_id     INTEGER NOT NULL,
  trigger_us        INTEGER,
  end_us            INTEGER,
  outcome           TEXT NOT NULL,        -- completed | expired | declined | failed | in_progress | unknown
  duration_ms       INTEGER,
  state_size        INTEGER,
  checkpointed_size INTEGER,
  type              TEXT,                 -- checkpoint | savepoint | unaligned
  type_raw          TEXT,
  failure_reason    TEXT,
  subtasks_total    INTEGER,
  subtasks_acked    INTEGER,
  evidence          TEXT,                 -- JSON: event ids, rest flags
  PRIMARY KEY (job, checkpoint_id)
) STRICT;
CREATE INDEX checkpoint_time ON checkpoint (trigger_us);

CREATE TABLE subtask_checkpoint (
  job               TEXT NOT NULL,
  checkpoint_id     INTEGER NOT NULL,
  vertex_id         TEXT NOT NULL,
  vertex_name       TEXT,
  subtask           INTEGER NOT NULL,
  status            TEXT NOT NULL,        -- acknowledged | late | declined | pending | unknown
  ack_us            INTEGER,
  end_to_end_ms     INTEGER,
  start_delay_ms    INTEGER,
  alignment_ms      INTEGER,
  sync_ms           INTEGER,
  async_ms          INTEGER,
  state_size        INTEGER,
  checkpointed_size INTEGER,
  unaligned         INTEGER,
  late              INTEGER NOT NULL DEFAULT 0,
  declined          INTEGER NOT NULL DEFAULT 0,
  tm                TEXT,
  host              TEXT,
  attempt           TEXT,
  phase_source      TEXT,                 -- rest | log-debug | log-trace | mixed
  evidence          TEXT,
  PRIMARY KEY (job, checkpoint_id, vertex_id, subtask)
) STRICT;

CREATE TABLE rest_checkpoint (
  job               TEXT NOT NULL,
  checkpoint_id     INTEGER NOT NULL,
  source_id         INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  status            TEXT NOT NULL,
  is_savepoint      INTEGER,
  checkpoint_type   TEXT,
  trigger_us        INTEGER,
  latest_ack_us     INTEGER,
  failure_us        INTEGER,
  failure_message   TEXT,
  end_to_end_ms     INTEGER,
  state_size        INTEGER,
  checkpointed_size INTEGER,
  processed_data    INTEGER,
  persisted_data    INTEGER,
  num_subtasks      INTEGER,
  num_acknowledged  INTEGER,
  external_path     TEXT,
  PRIMARY KEY (job, checkpoint_id, source_id)
) STRICT;

CREATE TABLE rest_subtask (
  job             TEXT NOT NULL,
  checkpoint_id   INTEGER NOT NULL,
  vertex_id       TEXT NOT NULL,
  subtask         INTEGER NOT NULL,
  source_id       INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  status          TEXT NOT NULL,
  ack_us          INTEGER,
  end_to_end_ms   INTEGER,
  state_size      INTEGER,
  checkpointed_size INTEGER,
  sync_ms         INTEGER,
  async_ms        INTEGER,
  alignment_ms    INTEGER,
  alignment_processed INTEGER,
  alignment_persisted INTEGER,
  start_delay_ms  INTEGER,
  unaligned       INTEGER,
  aborted         INTEGER,
  PRIMARY KEY (job, checkpoint_id, vertex_id, subtask, source_id)
) STRICT;

CREATE TABLE gc_event (
  id              INTEGER PRIMARY KEY,
  source_id       INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  jvm             TEXT NOT NULL,          -- JVM key: TaskManager id when attributed, else the GC source path
  line            INTEGER NOT NULL,
  line_count      INTEGER NOT NULL,
  start_us        INTEGER,                -- NULL when unanchored (see uptime_us)
  uptime_us       INTEGER,
  duration_us     INTEGER NOT NULL,
  class           TEXT NOT NULL,          -- pause | concurrent | cycle | safepoint | alloc-stall
  kind            TEXT NOT NULL,
  name            TEXT NOT NULL,
  cause           TEXT,
  gc_id           INTEGER,
  heap_before     INTEGER,
  heap_after      INTEGER,
  heap_committed  INTEGER,
  heap_max        INTEGER,
  time_confidence TEXT NOT NULL,
  time_basis      TEXT NOT NULL,
  flags           TEXT
) STRICT;
CREATE INDEX gc_event_time ON gc_event (jvm, start_us);

CREATE TABLE bp_sample (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  ts_us       INTEGER NOT NULL,
  job         TEXT,
  vertex_id   TEXT,
  vertex_name TEXT,
  subtask     INTEGER,
  ratio       REAL,
  busy        REAL,
  idle        REAL,
  level       TEXT,
  origin      TEXT NOT NULL              -- rest | metric
) STRICT;
CREATE INDEX bp_sample_time ON bp_sample (ts_us);

CREATE TABLE metric_sample (
  id        INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  ts_us     INTEGER NOT NULL,
  scope     TEXT NOT NULL,
  name      TEXT NOT NULL,
  value     REAL NOT NULL,
  host      TEXT,
  tm        TEXT,
  job       TEXT,
  task_name TEXT,
  subtask   INTEGER
) STRICT;
CREATE INDEX metric_sample_name ON metric_sample (name, ts_us);

CREATE TABLE flame_profile (
  id        INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  format    TEXT NOT NULL,
  mode      TEXT NOT NULL,
  start_us  INTEGER,
  end_us    INTEGER,
  time_exact INTEGER NOT NULL,
  tm        TEXT,
  host      TEXT,
  vertex_id TEXT,
  subtask   INTEGER,
  samples   INTEGER NOT NULL,
  title     TEXT
) STRICT;

CREATE TABLE flame_frame (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT '',
  UNIQUE (name, type)
) STRICT;

CREATE TABLE flame_stack (
  profile_id INTEGER NOT NULL REFERENCES flame_profile(id) ON DELETE CASCADE,
  stack_no   INTEGER NOT NULL,
  frames     TEXT NOT NULL,               -- frame ids, root first, comma separated
  weight     INTEGER NOT NULL,
  thread     TEXT,
  PRIMARY KEY (profile_id, stack_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE flame_sample (
  profile_id INTEGER NOT NULL REFERENCES flame_profile(id) ON DELETE CASCADE,
  ts_us      INTEGER NOT NULL,
  stack_no   INTEGER NOT NULL,
  weight     INTEGER NOT NULL
) STRICT;
CREATE INDEX flame_sample_time ON flame_sample (profile_id, ts_us);

CREATE TABLE config (
  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (source_id, key)
) STRICT;

CREATE TABLE finding (
  id          INTEGER PRIMARY KEY,
  rule        TEXT NOT NULL,
  severity    TEXT NOT NULL,              -- info | warning | error
  confidence  REAL NOT NULL,              -- 0..1
  from_us     INTEGER,
  to_us       INTEGER,
  title       TEXT NOT NULL,
  explanation TEXT NOT NULL,
  evidence    TEXT NOT NULL,              -- JSON array of {type, id|key, label}
  actions     TEXT NOT NULL,              -- JSON array of strings
  missing     TEXT NOT NULL,              -- JSON array of strings
  job         TEXT,
  checkpoint_id INTEGER,
  tm          TEXT
) STRICT;

CREATE TABLE annotation (
  id         INTEGER PRIMARY KEY,
  from_us    INTEGER NOT NULL,
  to_us      INTEGER,                     -- NULL for a point note
  lane       TEXT,
  type       TEXT NOT NULL,               -- detection | diagnosis | repair | key-moment | note
  text       TEXT NOT NULL,
  starred    INTEGER NOT NULL DEFAULT 0,
  evidence   TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
`,
  /* 2: which sources hold events of a kind (diagnosis coverage) without reading event rows */ `
CREATE INDEX event_kind_source ON event (kind, source_id);
`,
  /* 3: log blocks name their codec (log-blocks.ts); blocks written before are raw deflate */ `
ALTER TABLE log_block ADD COLUMN codec TEXT NOT NULL DEFAULT 'deflate';
`,
  /*
   * 4: log_block becomes a rowid table, with codec ahead of the blobs. Its rows are tens of KB, and a WITHOUT
   * ROWID table keeps up to a KB of each row in its interior pages, a few rows per page: inserts, merges and
   * lookups by key walked a tree many levels deep (SQLite advises WITHOUT ROWID only for small rows). Reading a
   * row's codec no longer walks the text's overflow pages.
   */ `
CREATE TABLE log_block_rowid (
  source_id    INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  block_no     INTEGER NOT NULL,
  first_line   INTEGER NOT NULL,
  line_count   INTEGER NOT NULL,
  ts_min_us    INTEGER,
  ts_max_us    INTEGER,
  n_trace      INTEGER NOT NULL,
  n_debug      INTEGER NOT NULL,
  n_info       INTEGER NOT NULL,
  n_warn       INTEGER NOT NULL,
  n_error      INTEGER NOT NULL,
  codec        TEXT NOT NULL,
  line_index   BLOB NOT NULL,
  text         BLOB NOT NULL,
  PRIMARY KEY (source_id, block_no)
) STRICT;
INSERT INTO log_block_rowid (source_id, block_no, first_line, line_count, ts_min_us, ts_max_us, n_trace, n_debug, n_info,
    n_warn, n_error, codec, line_index, text)
  SELECT source_id, block_no, first_line, line_count, ts_min_us, ts_max_us, n_trace, n_debug, n_info,
    n_warn, n_error, codec, line_index, text FROM log_block ORDER BY source_id, block_no;
DROP TABLE log_block;
ALTER TABLE log_block_rowid RENAME TO log_block;
CREATE INDEX log_block_time ON log_block (ts_min_us, ts_max_us);
`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
