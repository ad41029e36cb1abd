/** What the live check sends Prometheus: dashboard queries with Grafana's variables filled, rules without thresholds. */
import { describe, expect, it } from 'vitest';
import { dashboardQueries, substitute, withoutThreshold } from './expressions.ts';

describe('withoutThreshold', () => {
  it('takes the left side of the top-level comparison', () => {
    expect(withoutThreshold('(a - b) / a < 0.10')).toBe('(a - b) / a');
    expect(withoutThreshold('up{job="vfioscope"} == 0')).toBe('up{job="vfioscope"}');
    expect(withoutThreshold('x{reason!="intx-unmask-loop"} == 1')).toBe('x{reason!="intx-unmask-loop"}');
  });

  it('leaves comparisons inside parentheses, selectors and strings alone', () => {
    expect(withoutThreshold('(l - (a > b or b)) / l < 0.1')).toBe('(l - (a > b or b)) / l');
    expect(withoutThreshold('m{x=">",y=~"a|b"} >= 3')).toBe('m{x=">",y=~"a|b"}');
  });

  it('gives up on an expression with no comparison or with a top-level set operator', () => {
    expect(withoutThreshold('rate(x[5m])')).toBeNull();
    expect(withoutThreshold('increase(x[5m]) > 0 or (x unless x offset 5m)')).toBeNull();
    // "or" inside a name is no operator
    expect(withoutThreshold('vfioscope_irq_storming == 1')).toBe('vfioscope_irq_storming');
  });
});

describe('dashboard queries', () => {
  it("fill Grafana's variables the way All fills them, and refuse ones they do not know", () => {
    expect(substitute('rate(x{instance=~"$host"}[$__rate_interval])', { host: '.+' })).toBe('rate(x{instance=~".+"}[1m])');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${var} form, not a template literal
    expect(substitute('x{instance=~"${host}"}', { host: '.+' })).toBe('x{instance=~".+"}');
    expect(() => substitute('x{gpu="$gpu"}', { host: '.+' })).toThrow('unknown dashboard variable $gpu');
  });

  it('walk rows and panels, skip hidden targets, and ask label_values as series', () => {
    const qs = dashboardQueries({
      templating: { list: [{ name: 'host', type: 'query', query: { query: 'label_values(up{job="v"}, instance)' }, allValue: '.+' }] },
      panels: [
        {
          title: 'top',
          targets: [
            { refId: 'A', expr: 'a{instance=~"$host"}' },
            { refId: 'B', expr: 'b', hide: true },
          ],
        },
        { title: 'row', type: 'row', panels: [{ title: 'inner', targets: [{ refId: 'A', expr: 'c' }] }] },
      ],
    });
    expect(qs).toEqual([
      { where: 'variable host', expr: 'up{job="v"}', labelValuesOf: 'instance' },
      { where: 'panel "top" target A', expr: 'a{instance=~".+"}' },
      { where: 'panel "inner" target A', expr: 'c' },
    ]);
  });

  it('refuse a panel target with no expression (it would draw nothing)', () => {
    expect(() => dashboardQueries({ panels: [{ title: 'empty', targets: [{ refId: 'A' }] }] })).toThrow('has no expr');
  });
});
