import { describe, expect, it } from 'vitest';
import { escapeHtml, Html, html } from './html-escape.ts';

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or an attribute', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });

  it('leaves other text as it is', () => {
    expect(escapeHtml('qemu-system-x86 vfio-msix[3](0000:01:00.0) ✓')).toBe('qemu-system-x86 vfio-msix[3](0000:01:00.0) ✓');
  });
});

describe('html``', () => {
  it('escapes interpolated strings and numbers but not markup made by html``', () => {
    const comm = '<script>alert(1)</script>';
    const cell = html`<td>${comm}</td>`;
    expect(html`<tr>${cell}<td>${42}</td></tr>`.text).toBe('<tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>42</td></tr>');
  });

  it('joins arrays and leaves out null and undefined', () => {
    const rows = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${rows}${null}${undefined}</ul>`.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
  });

  it('escapes inside attribute values', () => {
    expect(html`<p title="${'" onmouseover="x'}">t</p>`.text).toBe('<p title="&quot; onmouseover=&quot;x">t</p>');
  });

  it('passes an Html value through whole', () => {
    expect(html`${new Html('<b>x</b>')}`.text).toBe('<b>x</b>');
  });
});
