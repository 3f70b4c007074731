import { microsToIso } from '../common/time.js';
import { renderMarkdown } from '../common/markdown.js';
import type { Db } from '../store/database.js';
import { checkpointDetail, listCheckpoints, type CheckpointRow } from '../store/queries/checkpoints.js';
import { incidentContents } from '../store/queries/overview.js';
import { listFindings, type FindingRow } from '../store/queries/findings.js';
import { listAnnotations, type Annotation } from '../store/queries/annotations.js';
import { recordsAt } from '../store/queries/logs.js';
import { timeline } from '../store/queries/timeline.js';
import { gcSummary } from '../store/queries/gc.js';
import { mergedTree, type CallTreeNode } from '../store/queries/flame.js';
import { incidentSummary } from '../analysis/findings/summary.js';
import { Anonymizer } from './anonymize.js';
import { cspHash, escapeHtml, stripControls } from './html.js';
import { timelineSvg } from './timeline-svg.js';
import { REPORT_STYLE } from './assets.js';

export interface ReportOptions {
  /** Window of the timeline and tables (epoch µs); the whole incident when absent. */
  from?: number;
  to?: number;
  anonymize?: boolean;
  /** Only starred annotations appear (the narrative); the default shows all, starred ones as key moments. */
  onlyStarred?: boolean;
  title?: string;
  /** Sections to leave out, by id: summary, timeline, checkpoints, gc, backpressure, findings, flame, appendix. */
  omit?: readonly string[];
  generator: { name: string; version: string };
  now?: Date;
}

/**
 * Builds the self-contained HTML postmortem: one file, no external requests (CSP forbids them), readable and
 * printable with scripts disabled. Every string that came from an input file passes through `text()` —
 * anonymize (when asked) then escape for HTML text/attributes; nothing is inserted raw.
 */
export function buildReport(db: Db, options: ReportOptions): string {
  const anonymizer = options.anonymize ? Anonymizer.fromIncident(db) : undefined;
  const clean = (s: string): string => stripControls(anonymizer ? anonymizer.apply(s) : s);
  const text = (s: string | null | undefined): string => (s === null || s === undefined ? '' : escapeHtml(clean(s)));
  const path = (p: string): string => escapeHtml(stripControls(anonymizer ? anonymizer.path(p) : p));
  const time = (us: number | null | undefined): string => (us === null || us === undefined ? '–' : microsToIso(us).replace('T', ' ').replace('Z', ' UTC'));
  const omit = new Set(options.omit ?? []);

  const contents = incidentContents(db);
  const summary = incidentSummary(db);
  const span = contents.timeSpan;
  const from = options.from ?? span?.from ?? 0;
  const to = options.to ?? span?.to ?? from + 1;
  const inWindow = (start: number | null, end: number | null): boolean => (end ?? start ?? from) >= from && (start ?? end ?? to) <= to;

  const storedTitle = (db.prepare("SELECT value FROM incident WHERE key = 'title'").get() as { value: string } | undefined)?.value;
  const title = options.title ?? storedTitle ?? `Incident ${contents.jobs.map((j) => j.name ?? j.id).join(', ') || 'report'} — ${time(from).slice(0, 10)}`;
  const annotations = listAnnotations(db).filter((a) => (options.onlyStarred ? a.starred : true) && inWindow(a.from, a.to));
  const findings = listFindings(db).filter((f) => inWindow(f.fromUs, f.toUs));
  const checkpoints = listCheckpoints(db).filter((c) => inWindow(c.triggerUs, c.endUs));
  const sections: string[] = [];

  // Header
  sections.push(`<header>
<h1 contenteditable="true" spellcheck="false">${text(title)}</h1>
<dl class="facts">
<dt>Time span</dt><dd>${time(from)} – ${time(to)}</dd>
<dt>Jobs</dt><dd>${contents.jobs.map((j) => `${text(j.name ?? '(unnamed)')} <code>${text(j.id)}</code>`).join(', ') || '–'}</dd>
<dt>Flink</dt><dd>${contents.flinkVersions.map(text).join(', ') || 'version not logged'}</dd>
<dt>TaskManagers</dt><dd>${contents.taskManagers.length}</dd>
<dt>Sources</dt><dd>${contents.sources.length} files (${contents.sourcesByKind.map((k) => `${k.count} ${text(k.kind)}`).join(', ')})</dd>
<dt>Generated</dt><dd>by ${text(options.generator.name)} ${text(options.generator.version)} at ${time((options.now ?? new Date()).getTime() * 1000)}</dd>
</dl>
${anonymizer ? '<p class="notice">Anonymized: host names, IP addresses, TaskManager ids, job names, user names and paths are replaced by consistent pseudonyms (the same original → the same pseudonym throughout this report).</p>' : ''}
</header>`);

  if (!omit.has('summary')) {
    const counts = summary.checkpoints;
    sections.push(`<section id="summary"><h2>Summary</h2>
<p>${counts.total} checkpoints: ${counts.completed} completed, ${counts.expired} expired, ${counts.declined} declined, ${counts.failed} failed${counts.inProgress ? `, ${counts.inProgress} in progress` : ''}.
${summary.firstFailure ? `First failure at ${time(summary.firstFailure.ts)}: ${text(summary.firstFailure.what)}.` : 'No failure recorded.'}
${summary.jobs.map((j) => `${text(j.name ?? j.jobId)}: ${j.restarts} restart${j.restarts === 1 ? '' : 's'}${j.finalState ? `, last state ${text(j.finalState)}` : ''}.`).join(' ')}</p>
${summary.hypotheses.length > 0 ? `<h3>Root-cause hypotheses</h3><ol class="hypotheses">${summary.hypotheses.map((h) => `<li><span class="sev sev-${h.severity}">${h.severity}</span> <span class="conf">${Math.round(h.confidence * 100)} %</span> ${text(h.sentence)}</li>`).join('')}</ol>` : '<p>No root-cause hypothesis: the evidence shows no failure pattern.</p>'}
${keyMoments(annotations, time, clean)}
</section>`);
  }

  if (!omit.has('timeline')) {
    const data = timeline(db, { from, to, widthPx: 1000 });
    data.annotations = data.annotations.filter((a) => annotations.some((b) => b.id === a.id));
    sections.push(`<section id="timeline"><h2>Timeline</h2>
<p class="hint">Hover a mark for details (no script needed).</p>
${timelineSvg(data, (s) => text(s), (us) => microsToIso(us))}
<p class="legend"><span class="sw sw-completed"></span>completed <span class="sw sw-expired"></span>expired <span class="sw sw-declined"></span>declined <span class="sw sw-failed"></span>failed · phases: <span class="sw sw-start"></span>start delay <span class="sw sw-align"></span>alignment <span class="sw sw-sync"></span>sync <span class="sw sw-async"></span>async · GC <span class="sw sw-pause"></span>pause <span class="sw sw-full"></span>full · backpressure <span class="sw sw-bp"></span>high</p>
</section>`);
  }

  if (!omit.has('checkpoints')) sections.push(checkpointSection(db, checkpoints, text, time));
  if (!omit.has('gc')) sections.push(gcSection(db, text, path));
  if (!omit.has('backpressure')) sections.push(backpressureSection(db, from, to, text, time));
  if (!omit.has('findings')) sections.push(findingsSection(db, findings, text, path, time));
  if (!omit.has('flame')) sections.push(flameSection(db, annotations, text, time));

  if (!omit.has('appendix')) {
    const config = db.prepare('SELECT DISTINCT key, value FROM config ORDER BY key').all() as Array<{ key: string; value: string }>;
    const missing = contents.evidence.filter((e) => !e.present);
    sections.push(`<section id="appendix"><h2>Appendix</h2>
<h3>Coverage</h3>
${missing.length === 0 ? '<p>All kinds of evidence Sluice reads were present.</p>' : `<ul>${missing.map((e) => `<li><strong>${text(e.label)}</strong>: ${text(e.detail)}</li>`).join('')}</ul>`}
${summary.missingEvidence.length > 0 ? `<ul>${summary.missingEvidence.map((m) => `<li>${text(m)}</li>`).join('')}</ul>` : ''}
<h3>Configuration seen</h3>
${config.length === 0 ? '<p>No configuration was logged.</p>' : `<table><thead><tr><th>key</th><th>value</th></tr></thead><tbody>${config.map((c) => `<tr><td><code>${text(c.key)}</code></td><td>${text(/password|secret|token|key$/i.test(c.key) ? '******' : c.value)}</td></tr>`).join('')}</tbody></table>`}
<h3>Sources</h3>
<table class="sources"><thead><tr><th>file</th><th>kind</th><th>lines</th><th>why</th><th>sha256</th></tr></thead><tbody>
${db.prepare('SELECT path, kind, format, lines, reason, sha256 FROM source ORDER BY id').all().map((row) => {
  const s = row as { path: string; kind: string; format: string; lines: number; reason: string; sha256: string };
  return `<tr><td>${path(s.path)}</td><td>${text(s.kind)} / ${text(s.format)}</td><td class="num">${s.lines}</td><td>${text(s.reason)}</td><td><code class="sha">${text(s.sha256)}</code></td></tr>`;
}).join('\n')}
</tbody></table>
</section>`);
  }

  // Nothing in the report runs: hover details are SVG <title>s, so it reads the same with scripts disabled.
  const csp = `default-src 'none'; style-src ${cspHash(REPORT_STYLE)}; script-src 'none'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${text(`${options.generator.name} ${options.generator.version}`)}">
<title>${text(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
${sections.join('\n')}
</body>
</html>
`;
}

function keyMoments(annotations: readonly Annotation[], time: (us: number) => string, clean: (s: string) => string): string {
  const starred = annotations.filter((a) => a.starred).sort((a, b) => a.from - b.from);
  if (starred.length === 0) return '';
  return `<h3>Key moments</h3><ol class="moments">${starred
    .map((a) => `<li><time>${time(a.from)}${a.to !== null ? ` – ${time(a.to).slice(11)}` : ''}</time> <span class="tag tag-${a.type}">${a.type}</span><div class="md">${renderMarkdown(clean(a.text))}</div></li>`)
    .join('')}</ol>`;
}

function phaseCell(ms: number | null): string {
  return `<td class="num">${ms === null ? '–' : ms}</td>`;
}

function checkpointSection(db: Db, checkpoints: readonly CheckpointRow[], text: (s: string | null) => string, time: (us: number | null) => string): string {
  const rows = checkpoints.map((c) => {
    const failed = c.outcome !== 'completed';
    let detail = '';
    if (failed) {
      const d = checkpointDetail(db, c.job, c.checkpointId);
      const subtasks = (d?.subtasks ?? []).slice(0, 40);
      detail = subtasks.length === 0
        ? '<tr class="detail"><td colspan="7">No per-subtask evidence (no REST checkpoint details, no late/declined messages, DEBUG logging off).</td></tr>'
        : `<tr class="detail"><td colspan="7"><table class="phases"><thead><tr><th>subtask</th><th>status</th><th>TaskManager</th><th>end-to-end ms</th><th>start delay</th><th>alignment</th><th>sync</th><th>async</th><th>evidence</th></tr></thead><tbody>${subtasks
            .map((s) => `<tr class="${s.late || s.declined || s.status === 'pending' ? 'straggler' : ''}"><td>${text(s.vertexName ?? s.vertexId)} (${s.subtask + 1})</td><td>${text(s.status)}</td><td>${text(s.tm ?? s.host ?? '–')}</td>${phaseCell(s.endToEndMs)}${phaseCell(s.startDelayMs)}${phaseCell(s.alignmentMs)}${phaseCell(s.syncMs)}${phaseCell(s.asyncMs)}<td>${text(s.phaseSource ?? '')}</td></tr>`)
            .join('')}</tbody></table></td></tr>`;
    }
    return `<tr class="cp-row ${failed ? 'failed' : ''}" id="cp-${text(c.job)}-${c.checkpointId}"><td class="num">${c.checkpointId}</td><td>${time(c.triggerUs)}</td><td><span class="outcome o-${c.outcome}">${c.outcome}</span></td><td class="num">${c.durationMs ?? '–'}</td><td class="num">${c.stateSize ?? '–'}</td><td>${text(c.failureReason ?? '')}</td><td>${c.stragglers.map((s) => `${text(s.vertexName ?? s.vertexId)} (${s.subtask + 1})${s.tm ? ` on ${text(s.tm)}` : ''}`).join('; ')}</td></tr>${detail}`;
  });
  const completed = checkpoints.filter((c) => c.outcome === 'completed').length;
  const head = '<thead><tr><th>id</th><th>trigger</th><th>outcome</th><th>duration ms</th><th>state bytes</th><th>failure reason</th><th>stragglers</th></tr></thead>';
  // Long incidents have thousands of healthy checkpoints: the failed ones lead, the rest fold away.
  const fold = checkpoints.length > 40;
  const failedRows = rows.filter((_, i) => checkpoints[i]!.outcome !== 'completed');
  const completedRows = rows.filter((_, i) => checkpoints[i]!.outcome === 'completed');
  return `<section id="checkpoints"><h2>Checkpoints</h2>
<p>${checkpoints.length} in the window, ${completed} completed; failed ones are expanded with their subtasks' phases (stragglers highlighted).</p>
${fold
    ? `<table class="checkpoints">${head}<tbody>${failedRows.join('\n')}</tbody></table>
<details><summary>${completedRows.length} completed checkpoints</summary><table class="checkpoints">${head}<tbody>${completedRows.join('\n')}</tbody></table></details>`
    : `<table class="checkpoints">${head}<tbody>${rows.join('\n')}</tbody></table>`}</section>`;
}

function findingsSection(db: Db, findings: readonly FindingRow[], text: (s: string | null) => string, path: (p: string) => string, time: (us: number | null) => string): string {
  if (findings.length === 0) return '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>';
  const sourcePaths = new Map((db.prepare('SELECT id, path FROM source').all() as Array<{ id: number; path: string }>).map((s) => [s.id, s.path]));
  const items = findings.map((f) => {
    const lineRefs = f.evidence.filter((e) => e.sourceId !== undefined && e.line !== undefined).slice(0, 6).map((e) => ({ sourceId: e.sourceId!, line: e.line! }));
    const excerpts = recordsAt(db, lineRefs);
    return `<article class="finding sev-${f.severity}" id="finding-${f.id}">
<h3><span class="sev sev-${f.severity}">${f.severity}</span> ${text(f.title)} <span class="conf">${Math.round(f.confidence * 100)} % confidence</span></h3>
<p class="when">${time(f.fromUs)}${f.toUs !== null && f.toUs !== f.fromUs ? ` – ${time(f.toUs)}` : ''}</p>
<p>${text(f.explanation)}</p>
${f.evidence.length > 0 ? `<details open><summary>Evidence (${f.evidence.length})</summary><ul class="evidence">${f.evidence.slice(0, 12).map((e) => `<li>${text(e.label)}</li>`).join('')}</ul>
${excerpts.length > 0 ? `<pre class="excerpt">${excerpts.map((r) => `<span class="loc">${path(sourcePaths.get(r.sourceId) ?? '?')}:${r.line}</span>\n${text([r.text, ...r.more.slice(0, 8)].join('\n'))}`).join('\n\n')}</pre>` : ''}</details>` : ''}
${f.actions.length > 0 ? `<h4>What to do</h4><ul>${f.actions.map((a) => `<li>${text(a)}</li>`).join('')}</ul>` : ''}
${f.missing.length > 0 ? `<h4>Missing evidence</h4><ul>${f.missing.map((m) => `<li>${text(m)}</li>`).join('')}</ul>` : ''}
</article>`;
  });
  return `<section id="findings"><h2>Findings</h2>${items.join('\n')}</section>`;
}

function gcSection(db: Db, text: (s: string | null) => string, path: (p: string) => string): string {
  const jvms = gcSummary(db);
  if (jvms.length === 0) return '<section id="gc"><h2>GC</h2><p>No GC logs in this incident.</p></section>';
  const rows = jvms.map((j) => `<tr><td>${text(j.tmId ?? j.jvm)}${j.host ? ` <span class="muted">${text(j.host)}</span>` : ''}</td><td>${text(j.collector ?? '–')}</td>
<td class="num">${j.pauseCount}</td><td class="num">${(j.totalPauseMs / 1000).toFixed(1)}</td><td class="num">${j.maxPauseMs.toFixed(0)}</td><td class="num">${j.p99PauseMs.toFixed(0)}</td><td class="num">${j.fullGcCount}</td>
<td class="num">${j.maxShare1m === null ? '–' : `${(j.maxShare1m.share * 100).toFixed(1)} %`}</td><td>${j.longestPauses.slice(0, 3).map((p) => `${text(p.kind)} ${p.durationMs.toFixed(0)} ms ${text(p.startIso?.slice(11, 19) ?? '')}`).join('<br>')}</td>
<td>${j.sourcePaths.map(path).join('<br>')}${j.axis !== 'wall' ? '<br><em>uptime only, not anchored</em>' : j.timeConfidence === 'estimated' ? '<br><em>times estimated from the Flink banner</em>' : ''}</td></tr>`);
  return `<section id="gc"><h2>GC per JVM</h2>
<table><thead><tr><th>JVM</th><th>collector</th><th>pauses</th><th>stopped s</th><th>max ms</th><th>p99 ms</th><th>full GCs</th><th>worst minute</th><th>longest pauses</th><th>log</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function backpressureSection(db: Db, from: number, to: number, text: (s: string | null) => string, time: (us: number | null) => string): string {
  const rows = db.prepare(
    `SELECT coalesce(vertex_name, vertex_id) AS vertex, max(ratio) AS peak, avg(ratio) AS mean, avg(busy) AS busy,
            min(CASE WHEN level = 'high' OR ratio > 0.5 THEN ts_us END) AS first_high, count(*) AS samples
       FROM bp_sample WHERE subtask IS NOT NULL AND ts_us BETWEEN ? AND ? GROUP BY 1 ORDER BY peak DESC`,
  ).all(from, to) as Array<{ vertex: string | null; peak: number | null; mean: number | null; busy: number | null; first_high: number | null; samples: number }>;
  if (rows.length === 0) return '<section id="backpressure"><h2>Backpressure</h2><p>No backpressure samples (no REST backpressure dumps or task metrics in the bundle).</p></section>';
  const pct = (v: number | null): string => (v === null ? '–' : `${Math.round(v * 100)} %`);
  return `<section id="backpressure"><h2>Backpressure per vertex</h2>
<table><thead><tr><th>vertex</th><th>peak back-pressured</th><th>mean</th><th>mean busy</th><th>first HIGH</th><th>samples</th></tr></thead>
<tbody>${rows.map((r) => `<tr><td>${text(r.vertex ?? '?')}</td><td class="num">${pct(r.peak)}</td><td class="num">${pct(r.mean)}</td><td class="num">${pct(r.busy)}</td><td>${r.first_high === null ? '–' : time(r.first_high)}</td><td class="num">${r.samples}</td></tr>`).join('\n')}</tbody></table></section>`;
}

/** Flame graph snapshots of the annotated ranges: an icicle of the merged call tree, as SVG. */
function flameSection(db: Db, annotations: readonly Annotation[], text: (s: string | null) => string, time: (us: number | null) => string): string {
  const snapshots = annotations
    .filter((a) => a.to !== null)
    .map((a) => ({ a, tree: mergedTree(db, { from: a.from, to: a.to! }) }))
    .filter((s) => s.tree.totalWeight > 0)
    .slice(0, 6);
  if (snapshots.length === 0) return '';
  return `<section id="flame"><h2>Flame graphs of annotated ranges</h2>${snapshots.map(({ a, tree }) => `<figure>
<figcaption>${time(a.from)} – ${time(a.to)}: ${tree.totalWeight} samples${tree.exact ? '' : ' (profiles overlapping the range, taken whole)'} — ${text(a.text.split('\n')[0]!.slice(0, 120))}</figcaption>
${icicleSvg(tree.root, tree.totalWeight, text)}</figure>`).join('\n')}</section>`;
}

function icicleSvg(root: CallTreeNode, total: number, text: (s: string | null) => string): string {
  const width = 1000;
  const rowHeight = 16;
  const marks: string[] = [];
  let depthMax = 0;
  const walk = (node: CallTreeNode, x: number, depth: number): void => {
    let cursor = x;
    for (const child of node.children) {
      const w = (child.total / total) * width;
      if (w >= 1.5 && depth < 24) {
        depthMax = Math.max(depthMax, depth + 1);
        const hue = 20 + ((child.name.length * 37) % 40);
        marks.push(`<g><rect x="${cursor.toFixed(1)}" y="${depth * rowHeight}" width="${(w - 0.5).toFixed(1)}" height="${rowHeight - 1}" fill="hsl(${hue},75%,62%)"><title>${text(`${child.name} — ${((child.total / total) * 100).toFixed(1)} % (${child.total})`)}</title></rect>${w > 60 ? `<text x="${(cursor + 3).toFixed(1)}" y="${depth * rowHeight + 12}" class="flame-label">${text(child.name.length > w / 6.5 ? `${child.name.slice(0, Math.floor(w / 6.5) - 1)}…` : child.name)}</text>` : ''}</g>`);
        walk(child, cursor, depth + 1);
      }
      cursor += w;
    }
  };
  walk(root, 0, 0);
  return `<svg class="flame" viewBox="0 0 ${width} ${Math.max(1, depthMax) * rowHeight}" width="100%" xmlns="http://www.w3.org/2000/svg">${marks.join('')}</svg>`;
}
