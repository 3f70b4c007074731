/**
 * Markdown for annotations, rendered safely: the text is HTML-escaped FIRST, then a small subset is turned
 * back into markup (paragraphs, line breaks, - lists, **bold**, *italic*, `code`). No links, images or raw HTML:
 * nothing a note says can run or fetch anything.
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function inline(escaped: string): string {
  // Code spans first so their content is not formatted further.
  const codes: string[] = [];
  const withoutCode = escaped.replace(/`([^`\n]{1,500})`/g, (_m, code: string) => {
    codes.push(code);
    return `\u0000${codes.length - 1}\u0000`;
  });
  return withoutCode
    .replace(/\*\*([^*\n]{1,500})\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\n]{1,500})\*/g, '$1<em>$2</em>')
    .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => `<code>${codes[Number(i)] ?? ''}</code>`);
}

export function renderMarkdown(text: string): string {
  const blocks = escapeHtml(text.replace(/\r\n?/g, '\n')).split(/\n{2,}/);
  return blocks
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((l) => /^\s*[-*] /.test(l))) {
        return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*] /, ''))}</li>`).join('')}</ul>`;
      }
      return `<p>${lines.map(inline).join('<br>')}</p>`;
    })
    .join('');
}
