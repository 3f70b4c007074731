import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src-main/core/common/markdown.js';

describe('renderMarkdown', () => {
  it('renders the supported subset', () => {
    const html = renderMarkdown('# Root cause\nThe **sink** was *slow*, see `tm-7`.\n\n- one\n- two');
    expect(html).toContain('<h4>Root cause</h4>');
    expect(html).toContain('<strong>sink</strong>');
    expect(html).toContain('<em>slow</em>');
    expect(html).toContain('<code>tm-7</code>');
    expect(html).toContain('<ul><li>one</li><li>two</li></ul>');
  });

  it('never lets markup or script URLs through', () => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://flink.apache.org/a?b=1&c=2) --> "q" \u0007');
    expect(html).not.toMatch(/<script|<img|href="javascript/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('x (javascript:alert(1))');
    expect(html).toContain('<a href="https://flink.apache.org/a?b=1&amp;c=2" rel="noopener noreferrer">ok</a>');
    expect(html).toContain('--&gt; &quot;q&quot;');
    expect(html).not.toContain('\u0007');
  });
});
