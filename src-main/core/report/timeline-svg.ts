import type { TimelineData } from '../store/queries/timeline.js';

/**
 * The report's correlated timeline as inline SVG: it prints, and reads with scripts disabled (every mark has
 * a <title> the browser shows on hover). Built from the same level-of-detail query the workbench uses.
 * `text` is the report's string guard (anonymize + escape); every input-derived string goes through it.
 */
const OUTCOME_COLORS: Record<string, string> = {
  completed: '#3a9d5d', expired: '#d64541', declined: '#e67e22', failed: '#b03a2e', in_progress: '#7f8c8d', unknown: '#95a5a6',
};
const LABEL_WIDTH = 170;
const LANE_HEIGHT = 18;

export function timelineSvg(data: TimelineData, text: (s: string) => string, time: (us: number) => string): string {
  const width = data.widthPx;
  const span = Math.max(1, data.to - data.from);
  const x = (us: number): number => LABEL_WIDTH + Math.max(0, Math.min(width, ((us - data.from) * width) / span));
  const rows: string[] = [];
  let y = 24;
  const lane = (label: string, body: string): void => {
    rows.push(`<g class="lane"><text class="lane-label" x="4" y="${y + 13}">${text(label)}</text>${body}</g>`);
    y += LANE_HEIGHT + 4;
  };
  const bucketX = (bucket: number): number => LABEL_WIDTH + bucket;

  lane('checkpoints', data.checkpoints.map((c) => {
    if (c.trigger === null) return '';
    const x0 = x(c.trigger);
    const x1 = Math.max(x0 + 2, x(c.end ?? c.trigger));
    const title = `checkpoint ${c.id}: ${c.outcome}${c.durationMs !== null ? `, ${c.durationMs} ms` : ''}${c.failureReason ? ` — ${c.failureReason}` : ''}`;
    return `<rect class="cp cp-${c.outcome}" x="${x0.toFixed(1)}" y="${y}" width="${(x1 - x0).toFixed(1)}" height="${LANE_HEIGHT}" fill="${OUTCOME_COLORS[c.outcome] ?? '#999'}"><title>${text(title)}</title></rect>`;
  }).join(''));

  for (const vertex of data.vertices) {
    for (const subtask of vertex.subtasks) {
      const failing = subtask.marks.filter((m) => m.late || m.declined || m.status === 'pending');
      if (failing.length === 0) continue;
      lane(`${vertex.name} (${subtask.subtask + 1})${subtask.tm ? ` ${subtask.tm}` : ''}`, failing.map((m) => {
        const phases: Array<[string, number | null, string]> = [
          ['start delay', m.startDelayMs, '#9b59b6'], ['alignment', m.alignmentMs, '#e67e22'], ['sync', m.syncMs, '#2980b9'], ['async', m.asyncMs, '#16a085'],
        ];
        let cursor = m.trigger;
        const segments = phases.filter(([, ms]) => ms !== null && ms > 0).map(([name, ms, color]) => {
          const from = cursor;
          cursor += ms! * 1000;
          return `<rect x="${x(from).toFixed(1)}" y="${y + 3}" width="${Math.max(1, x(cursor) - x(from)).toFixed(1)}" height="${LANE_HEIGHT - 6}" fill="${color}"><title>${text(`checkpoint ${m.checkpointId} ${name}: ${ms} ms`)}</title></rect>`;
        });
        const status = m.declined ? 'declined' : m.late ? 'late acknowledgement' : 'never acknowledged';
        const outline = `<rect x="${x(m.trigger).toFixed(1)}" y="${y + 1}" width="${Math.max(2, x(m.end) - x(m.trigger)).toFixed(1)}" height="${LANE_HEIGHT - 2}" fill="none" stroke="#d64541" stroke-dasharray="3 2"><title>${text(`checkpoint ${m.checkpointId}: ${status}${m.tm ? ` on ${m.tm}` : ''}`)}</title></rect>`;
        return outline + segments.join('');
      }).join(''));
    }
  }

  for (const gc of data.gc) {
    const marks = gc.pauses !== null
      ? gc.pauses.map((p) => `<rect x="${x(p.start).toFixed(1)}" y="${y}" width="${Math.max(1.5, x(p.start + p.durationUs) - x(p.start)).toFixed(1)}" height="${LANE_HEIGHT}" fill="${p.full ? '#c0392b' : '#e59866'}"><title>${text(`${p.name}${p.cause ? ` (${p.cause})` : ''}: ${(p.durationUs / 1000).toFixed(1)} ms at ${time(p.start)}`)}</title></rect>`)
      : gc.buckets.map((b) => `<rect x="${bucketX(b.bucket)}" y="${y + LANE_HEIGHT - Math.min(LANE_HEIGHT, 2 + Math.log10(1 + b.maxPauseUs / 1000) * 5)}" width="1" height="${Math.min(LANE_HEIGHT, 2 + Math.log10(1 + b.maxPauseUs / 1000) * 5).toFixed(1)}" fill="${b.full > 0 ? '#c0392b' : '#e59866'}"><title>${text(`${b.count} pauses, max ${(b.maxPauseUs / 1000).toFixed(1)} ms, total ${(b.totalPauseUs / 1000).toFixed(1)} ms`)}</title></rect>`);
    lane(`GC ${gc.tm ?? gc.jvm}`, marks.join(''));
  }

  for (const bp of data.backpressure) {
    // Samples come once per scrape: each one holds until the next, as a step.
    const cells = [...bp.cells].sort((a, b) => a.bucket - b.bucket);
    lane(`backpressure ${bp.name}`, cells.map((c, i) => {
      const ratio = c.ratio ?? (c.level === 'high' ? 0.8 : c.level === 'low' ? 0.3 : 0);
      if (ratio <= 0.1) return '';
      const next = cells[i + 1]?.bucket ?? c.bucket + 4;
      const w = Math.max(1, Math.min(next - c.bucket, 80));
      return `<rect x="${bucketX(c.bucket)}" y="${y}" width="${w}" height="${LANE_HEIGHT}" fill="${ratio > 0.5 ? '#c0392b' : '#f5b041'}" opacity="${(0.35 + ratio * 0.65).toFixed(2)}"><title>${text(`backpressure ${Math.round(ratio * 100)} %`)}</title></rect>`;
    }).join(''));
  }

  if (data.events.length > 0) {
    lane('events', data.events.map((e) => {
      const ex = bucketX(e.bucket);
      return `<path d="M${ex} ${y + 2} l5 ${LANE_HEIGHT - 4} h-10 z" fill="${e.category === 'restart' || e.category === 'tm-lost' ? '#c0392b' : '#8e44ad'}"><title>${text(`${time(e.ts)} ${e.label}${e.count > 1 ? ` (+${e.count - 1} more)` : ''}`)}</title></path>`;
    }).join(''));
  }

  if (data.annotations.length > 0) {
    lane('annotations', data.annotations.map((a) => {
      const x0 = x(a.from);
      const x1 = a.to === null ? x0 + 2 : Math.max(x0 + 2, x(a.to));
      return `<rect x="${x0.toFixed(1)}" y="${y}" width="${(x1 - x0).toFixed(1)}" height="${LANE_HEIGHT}" fill="#2e86c1" opacity="0.6"><title>${text(`${a.type}${a.starred ? ' ★' : ''}: ${a.text.slice(0, 200)}`)}</title></rect>`;
    }).join(''));
  }

  const ticks: string[] = [];
  const tickCount = 8;
  for (let i = 0; i <= tickCount; i++) {
    const t = data.from + (span * i) / tickCount;
    const tx = x(t);
    ticks.push(`<line x1="${tx.toFixed(1)}" y1="16" x2="${tx.toFixed(1)}" y2="${y}" class="tick"/><text class="tick-label" x="${tx.toFixed(1)}" y="12" text-anchor="middle">${text(time(t).slice(11, 19))}</text>`);
  }
  const height = y + 4;
  return `<svg class="timeline" role="img" aria-label="correlated timeline" viewBox="0 0 ${LABEL_WIDTH + width + 10} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">${ticks.join('')}${rows.join('')}</svg>`;
}
