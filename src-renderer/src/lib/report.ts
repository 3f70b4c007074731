import type { Overview, ReportSection } from '../../../src-main/core/api/contract.js';

/** The report's sections as the export dialog offers them, in report order. */
export const SECTION_LABELS: Record<ReportSection, { label: string; detail: string }> = {
  summary: { label: 'Summary and hypotheses', detail: 'Checkpoint counts, first failure, ranked root-cause hypotheses and the key moments' },
  timeline: { label: 'Timeline', detail: 'Checkpoints, stragglers, GC pauses, backpressure, events and annotations as one picture' },
  checkpoints: { label: 'Checkpoints', detail: 'Every checkpoint in the window; failed ones expanded with per-subtask phases' },
  gc: { label: 'GC per JVM', detail: 'Pauses, stopped time, full GCs and the worst minute of each JVM' },
  backpressure: { label: 'Backpressure per vertex', detail: 'Peak and mean back-pressured and busy ratios, first HIGH reading' },
  findings: { label: 'Findings', detail: 'Each finding with its evidence excerpts (log and GC lines) and what to do' },
  flame: { label: 'Flame graphs', detail: 'Snapshots of the annotated ranges, when profiles cover them' },
  appendix: { label: 'Appendix', detail: 'Coverage (missing evidence), configuration seen, sources with checksums' },
};
export const SECTIONS = Object.keys(SECTION_LABELS) as ReportSection[];

/** The heading the report gives an unnamed incident (kept in step with the report builder's). */
export function defaultTitle(overview: Overview | null, from: number | null): string {
  const jobs = (overview?.jobs ?? []).map((j) => j.name ?? j.id).join(', ') || 'report';
  const at = from ?? overview?.timeSpan?.from ?? null;
  return at === null ? `Incident ${jobs}` : `Incident ${jobs} — ${new Date(Math.floor(at / 1000)).toISOString().slice(0, 10)}`;
}

/** "orders-outage.sluice" → "orders-outage-postmortem.html"; odd characters become dashes. */
export function reportFileName(incidentPath: string): string {
  const name = incidentPath.split(/[\\/]/).pop()!.replace(/\.sluice$/i, '').replace(/[^\w.-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return `${name === '' ? 'incident' : name}-postmortem.html`;
}

/**
 * Saves the HTML through the browser's download (Electron shows its save dialog for it): a blob URL clicked on
 * a download link is neither a navigation nor a fetch, so the page's CSP needs no exception.
 */
export function downloadHtml(html: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download reads the blob after this task ends; revoking at once could cut it off.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
