/** Theme colours live in CSS variables (styles.css); canvas drawing reads them once per frame. */
export interface Palette {
  bg: string;
  panel: string;
  grid: string;
  text: string;
  muted: string;
  accent: string;
  completed: string;
  failed: string;
  declined: string;
  pending: string;
  startDelay: string;
  alignment: string;
  sync: string;
  async: string;
  gcYoung: string;
  gcFull: string;
  heap: string;
  bpLow: string;
  bpHigh: string;
  bpOk: string;
  finding: string;
  annotation: string;
  range: string;
  events: Record<string, string>;
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string): string => style.getPropertyValue(`--${name}`).trim();
  return {
    bg: v('bg'),
    panel: v('panel'),
    grid: v('grid'),
    text: v('text'),
    muted: v('muted'),
    accent: v('accent'),
    completed: v('cp-completed'),
    failed: v('cp-failed'),
    declined: v('cp-declined'),
    pending: v('cp-pending'),
    startDelay: v('ph-start'),
    alignment: v('ph-align'),
    sync: v('ph-sync'),
    async: v('ph-async'),
    gcYoung: v('gc-young'),
    gcFull: v('gc-full'),
    heap: v('gc-heap'),
    bpLow: v('bp-low'),
    bpHigh: v('bp-high'),
    bpOk: v('bp-ok'),
    finding: v('finding'),
    annotation: v('annotation'),
    range: v('range'),
    events: {
      restart: v('ev-restart'),
      'task-failure': v('cp-failed'),
      'tm-lost': v('cp-failed'),
      heartbeat: v('cp-declined'),
      oom: v('cp-failed'),
      zookeeper: v('ev-zk'),
      rpc: v('cp-declined'),
      fatal: v('cp-failed'),
      exception: v('ev-exception'),
      job: v('accent'),
    },
  };
}

export function outcomeColor(p: Palette, outcome: string): string {
  switch (outcome) {
    case 'completed':
      return p.completed;
    case 'expired':
    case 'failed':
      return p.failed;
    case 'declined':
      return p.declined;
    default:
      return p.pending;
  }
}
