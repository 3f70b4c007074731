import { createHash } from 'node:crypto';
import { escapeHtml } from '../common/markdown.js';

export { escapeHtml };

/** Control characters other than tab and newline never reach the report (they can confuse viewers/printers). */
export function stripControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]/g, '');
}

/** CSP source for an inline block: only the report's own script/style (by hash) may run. */
export function cspHash(content: string): string {
  return `'sha256-${createHash('sha256').update(content, 'utf8').digest('base64')}'`;
}
