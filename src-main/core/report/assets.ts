/** The report's only style; the CSP admits exactly this block (by hash) and no script at all. */
export const REPORT_STYLE = `
:root { color-scheme: light; --fg: #1d2328; --muted: #5d6b78; --line: #d8dee4; --bg: #ffffff; --soft: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1240px; padding: 24px 32px 64px; }
h1 { font-size: 24px; margin: 0 0 8px; outline: none; }
h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
h4 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); }
code, pre { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.notice { background: #fff6dd; border: 1px solid #f0d58c; padding: 6px 10px; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fdf1f0; }
tr.detail > td { padding: 4px 8px 12px 28px; background: #fcfcfd; }
table.phases { font-size: 12px; }
table.phases tr.straggler td { color: #a93226; font-weight: 600; }
.outcome { padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; }
.o-completed { background: #3a9d5d; } .o-expired { background: #d64541; } .o-declined { background: #e67e22; }
.o-failed { background: #b03a2e; } .o-in_progress, .o-unknown { background: #7f8c8d; }
.sev { text-transform: uppercase; font-size: 11px; padding: 1px 6px; border-radius: 3px; color: #fff; background: #7f8c8d; }
.sev-error { background: #c0392b; } .sev-warning { background: #d68910; } .sev-info { background: #2e86c1; }
.conf { color: var(--muted); font-size: 12px; font-weight: normal; }
article.finding { border: 1px solid var(--line); border-left: 4px solid #7f8c8d; border-radius: 4px; padding: 4px 14px 10px; margin: 12px 0; break-inside: avoid; }
article.sev-error { border-left-color: #c0392b; } article.sev-warning { border-left-color: #d68910; } article.sev-info { border-left-color: #2e86c1; }
.when { color: var(--muted); margin: 0; font-size: 12px; }
pre.excerpt { background: var(--soft); padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; border-radius: 4px; }
pre.excerpt .loc { color: var(--muted); }
svg.timeline { border: 1px solid var(--line); border-radius: 4px; background: #fff; }
svg.timeline .lane-label { font: 11px system-ui, sans-serif; fill: var(--fg); }
svg.timeline .tick { stroke: #eceff2; }
svg.timeline .tick-label { font: 10px system-ui, sans-serif; fill: var(--muted); }
.legend { font-size: 12px; color: var(--muted); }
.sw-completed { background: #3a9d5d; } .sw-expired { background: #d64541; } .sw-declined { background: #e67e22; } .sw-failed { background: #b03a2e; }
.sw-start { background: #9b59b6; } .sw-align { background: #e67e22; } .sw-sync { background: #2980b9; } .sw-async { background: #16a085; }
.sw-pause { background: #e59866; } .sw-full { background: #c0392b; } .sw-bp { background: #c0392b; }
.muted { color: var(--muted); font-size: 12px; }
svg.flame { border: 1px solid var(--line); border-radius: 4px; margin-top: 4px; }
svg.flame .flame-label { font: 10px ui-monospace, monospace; fill: #1d2328; pointer-events: none; }
figure { margin: 12px 0; break-inside: avoid; }
figcaption { font-size: 12px; color: var(--muted); }
.sw { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 8px; vertical-align: -1px; border-radius: 2px; }
.hint { color: var(--muted); font-size: 12px; }
ol.moments time { font-variant-numeric: tabular-nums; color: var(--muted); }
.tag { font-size: 11px; border: 1px solid var(--line); border-radius: 3px; padding: 0 5px; }
code.sha { font-size: 10px; word-break: break-all; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  h2 { break-after: avoid; }
  details { display: block; }
  .hint { display: none; }
}
`;
