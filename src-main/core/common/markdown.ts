/**
 * The small, safe Markdown subset annotations use, rendered to HTML: the text is escaped FIRST, then
 * headings, lists, paragraphs, **bold**, *emphasis*, `code` and [links](https://…) are recognised in the
 * escaped text. Only http(s) and mailto links become anchors (with rel=noopener noreferrer); anything else
 * (javascript:, data:, relative) stays visible text. No raw HTML passes through.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function inline(escaped: string): string {
  return escaped
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_match, label: string, url: string) => {
      const raw = url.replace(/&amp;/g, '&');
      return /^(https?:\/\/|mailto:)/i.test(raw) ? `<a href="${url}" rel="noopener noreferrer">${label}</a>` : `${label} (${url})`;
    });
}

export function renderMarkdown(markdown: string): string {
  const out: string[] = [];
  let list: string[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) out.push(`<p>${paragraph.map(inline).join('<br>')}</p>`);
    if (list.length > 0) out.push(`<ul>${list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    paragraph = [];
    list = [];
  };
  for (const rawLine of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = escapeHtml(rawLine.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ''));
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (line.trim() === '') flush();
    else if (heading !== null) {
      flush();
      const level = heading[1]!.length + 3;
      out.push(`<h${level}>${inline(heading[2]!)}</h${level}>`);
    } else if (item !== null) {
      if (paragraph.length > 0) flush();
      list.push(item[1]!);
    } else {
      if (list.length > 0) flush();
      paragraph.push(line);
    }
  }
  flush();
  return out.join('\n');
}
