import type {
  Annotation, CheckpointRow, EventMark, Finding, GcPause, IncidentInfo, IngestProgressEvent, Overview,
} from '../../../src-main/core/api/contract.js';
import type { Transport, UploadProgress } from './client/index.js';

export type Tab = 'overview' | 'timeline' | 'checkpoints' | 'logs' | 'flame' | 'findings' | 'annotations';
export const TABS: ReadonlyArray<{ id: Tab; label: string; key: string }> = [
  { id: 'overview', label: 'Overview', key: '1' },
  { id: 'timeline', label: 'Timeline', key: '2' },
  { id: 'checkpoints', label: 'Checkpoints', key: '3' },
  { id: 'logs', label: 'Logs', key: '4' },
  { id: 'flame', label: 'Flame graph', key: '5' },
  { id: 'findings', label: 'Findings', key: '6' },
  { id: 'annotations', label: 'Annotations', key: '7' },
];

export type Selection =
  | { type: 'checkpoint'; job: string; id: number }
  | { type: 'subtask'; job: string; checkpointId: number; vertexId: string; vertexName: string; subtask: number; tm: string | null }
  | { type: 'gc'; jvm: string; tm: string | null; pause: GcPause }
  | { type: 'event'; mark: EventMark }
  | { type: 'bp'; vertexName: string; subtask: number | null; ts: number; ratio: number | null; level: string | null }
  | { type: 'finding'; finding: Finding }
  | { type: 'annotation'; annotation: Annotation };

export interface TimeRange {
  from: number;
  to: number;
}

export interface IngestState {
  upload: UploadProgress | null;
  progress: IngestProgressEvent | null;
  ingestId: string | null;
  error: string | null;
}

export type LogAnchor = { ts: number } | { sourceId: number; line: number };

/** The workbench's shared state. Query results are held raw: they are replaced, never mutated in place. */
export class AppState {
  transport: Transport;
  incident = $state.raw<IncidentInfo | null>(null);
  overview = $state.raw<Overview | null>(null);
  checkpoints = $state.raw<CheckpointRow[]>([]);
  annotations = $state.raw<Annotation[]>([]);
  findings = $state.raw<Finding[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);

  tab = $state<Tab>('timeline');
  /** Visible range of the timeline (µs). */
  view = $state.raw<TimeRange>({ from: 0, to: 1 });
  /** The incident's whole time span. */
  span = $state.raw<TimeRange | null>(null);
  /** A range picked with shift-drag on the timeline (for zoom, annotate, logs, flame graph). */
  range = $state.raw<TimeRange | null>(null);
  /** A moment picked with a click on the time axis area. */
  cursor = $state<number | null>(null);
  selection = $state.raw<Selection | null>(null);
  zone = $state('UTC');
  /** Axis shows seconds relative to this time (a checkpoint's trigger) when set. */
  relativeTo = $state<number | null>(null);
  theme = $state<'dark' | 'light'>('dark');
  helpOpen = $state(false);
  /** The Export report dialog is open. */
  exportOpen = $state(false);
  /** Where the log view should open next (set by the timeline, checkpoint detail and permalinks). */
  logAnchor = $state.raw<LogAnchor | null>(null);
  /** Time of the first visible log line, shown on the timeline. */
  logTopTs = $state<number | null>(null);
  ingest = $state.raw<IngestState | null>(null);
  /** Annotation being created or edited in the editor dialog. */
  editing = $state.raw<{ id: number | null; from: number; to: number | null; lane: string | null; evidence: Annotation['evidence'] } | null>(null);
  /** Bumped after writes so views re-query. */
  revision = $state(0);

  constructor(transport: Transport) {
    this.transport = transport;
    const saved = localStorage.getItem('sluice-theme');
    if (saved === 'light' || saved === 'dark') this.theme = saved;
    else if (window.matchMedia?.('(prefers-color-scheme: light)').matches) this.theme = 'light';
    const zone = localStorage.getItem('sluice-zone');
    if (zone !== null) this.zone = zone;
  }

  get service() {
    return this.transport.service;
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      this.incident = await this.service.currentIncident();
      if (this.incident === null || this.incident.empty) {
        this.overview = null;
        this.checkpoints = [];
        this.annotations = [];
        this.findings = [];
        this.span = null;
        return;
      }
      const [overview, checkpoints, annotations, findings] = await Promise.all([
        this.service.overview(),
        this.service.checkpoints(),
        this.service.listAnnotations(),
        this.service.findings(),
      ]);
      this.overview = overview;
      this.checkpoints = checkpoints;
      this.annotations = annotations;
      this.findings = findings;
      const span = overview.timeSpan;
      if (span !== null) {
        const pad = Math.max(1_000_000, (span.to - span.from) * 0.02);
        this.span = { from: span.from - pad, to: span.to + pad };
        this.view = this.span;
      }
      this.revision++;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading = false;
    }
  }

  async refreshAnnotations(): Promise<void> {
    this.annotations = await this.service.listAnnotations();
    this.revision++;
  }

  setTheme(theme: 'dark' | 'light'): void {
    this.theme = theme;
    localStorage.setItem('sluice-theme', theme);
  }

  setZone(zone: string): void {
    this.zone = zone;
    localStorage.setItem('sluice-zone', zone);
  }

  /** Sets the visible range, clamped to a sane zoom (1 ms … 4 × the incident). */
  setView(from: number, to: number): void {
    const span = this.span;
    let width = Math.max(1000, to - from);
    if (span !== null) width = Math.min(width, (span.to - span.from) * 4);
    const centre = (from + to) / 2;
    this.view = { from: centre - width / 2, to: centre + width / 2 };
  }

  zoom(factor: number, at?: number): void {
    const { from, to } = this.view;
    const anchor = at ?? (from + to) / 2;
    this.view = { from: anchor - (anchor - from) * factor, to: anchor + (to - anchor) * factor };
    this.setView(this.view.from, this.view.to);
  }

  pan(fraction: number): void {
    const shift = (this.view.to - this.view.from) * fraction;
    this.view = { from: this.view.from + shift, to: this.view.to + shift };
  }

  resetView(): void {
    if (this.span !== null) this.view = this.span;
  }

  /** Zooms so the range fills the view with a margin on both sides. */
  focus(from: number, to: number): void {
    const margin = Math.max(500_000, (to - from) * 0.25);
    this.setView(from - margin, to + margin);
  }

  openLogs(anchor: LogAnchor): void {
    this.logAnchor = anchor;
    this.tab = 'logs';
  }

  annotate(from: number, to: number | null, evidence: Annotation['evidence'] = [], lane: string | null = null): void {
    this.editing = { id: null, from, to, lane, evidence };
  }

  /** Checkpoint and TaskManager of the selection, to highlight related items on every lane. */
  get related(): { checkpointId: number | null; tm: string | null } {
    const s = this.selection;
    if (s === null) return { checkpointId: null, tm: null };
    switch (s.type) {
      case 'checkpoint':
        return { checkpointId: s.id, tm: null };
      case 'subtask':
        return { checkpointId: s.checkpointId, tm: s.tm };
      case 'gc':
        return { checkpointId: null, tm: s.tm ?? s.jvm };
      case 'event':
        return { checkpointId: null, tm: s.mark.tm };
      case 'finding':
        return { checkpointId: s.finding.checkpointId, tm: s.finding.tm };
      default:
        return { checkpointId: null, tm: null };
    }
  }
}
