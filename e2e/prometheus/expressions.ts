/**
 * The PromQL a Grafana dashboard runs, as Prometheus would receive it: every
 * panel target (rows' panels too) and every query variable, with Grafana's
 * variables filled in the way Grafana fills them for "All" hosts. Anything
 * left starting with `$` is a variable this file does not know: an error, so
 * a new variable cannot slip past the check.
 */

export interface DashboardQuery {
  /** where it is: "panel <title> target <refId>" or "variable <name>" */
  where: string;
  /** the PromQL sent to Prometheus */
  expr: string;
  /** label_values(<selector>, <label>): asked as series, the label's values are what Grafana lists */
  labelValuesOf?: string;
}

interface Target {
  refId?: string;
  expr?: string;
  hide?: boolean;
}
interface Panel {
  title?: string;
  type?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  allValue?: string;
}
export interface Dashboard {
  panels?: Panel[];
  templating?: { list?: Variable[] };
}

/** Grafana's built-in interval variables, at values a short test run has data for. */
const BUILTINS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '5m',
};

/** `$name`, `${name}` or `[[name]]` replaced; `values` are the dashboard's variables as "All" selects them. */
export function substitute(expr: string, values: Record<string, string>): string {
  const all = { ...BUILTINS, ...values };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c) as string;
    const v = all[name];
    if (v === undefined) throw new Error(`unknown dashboard variable ${whole} in: ${expr}`);
    return v;
  });
}

export function dashboardQueries(d: Dashboard): DashboardQuery[] {
  const variables = d.templating?.list ?? [];
  // "All" of a multi-value query variable is its allValue (a regex for =~ selectors)
  const values: Record<string, string> = {};
  for (const v of variables) if (v.type === 'query') values[v.name] = v.allValue ?? '.*';
  const out: DashboardQuery[] = [];
  for (const v of variables) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(q.trim());
    if (m) out.push({ where: `variable ${v.name}`, expr: substitute(m[1] as string, values), labelValuesOf: m[2] as string });
    else out.push({ where: `variable ${v.name}`, expr: substitute(q, values) });
  }
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        if (t.hide) continue;
        if (!t.expr) throw new Error(`panel "${p.title}" target ${t.refId} has no expr`);
        out.push({ where: `panel "${p.title}" target ${t.refId}`, expr: substitute(t.expr, values) });
      }
      walk(p.panels ?? []);
    }
  };
  walk(d.panels ?? []);
  return out;
}

const COMPARISONS = ['==', '!=', '>=', '<=', '>', '<'];
const SET_OPERATORS = /^(and|or|unless)\b/i;

/**
 * An alert expression without its threshold: the left side of its top-level
 * comparison (`a / b < 0.10` → `a / b`), for a rule that does not fire on the
 * data at hand, to show its series are there. Null when the expression has no
 * top-level comparison, or has a top-level and/or/unless (which side would be
 * "the" threshold is then not this function's guess to make).
 */
export function withoutThreshold(expr: string): string | null {
  let depth = 0;
  let quote: string | null = null;
  let cut: number | null = null;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i] as string;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if ('({['.includes(ch)) depth++;
    else if (')}]'.includes(ch)) depth--;
    else if (depth === 0) {
      const prev = expr[i - 1] ?? ' ';
      if (/\s/.test(prev) && SET_OPERATORS.test(expr.slice(i))) return null;
      const op = COMPARISONS.find((o) => expr.startsWith(o, i));
      // `=~` and `!~` live inside selectors (depth > 0); a top-level `=` alone is not PromQL
      if (op) {
        if (cut === null) cut = i;
        i += op.length - 1;
      }
    }
  }
  return cut === null ? null : expr.slice(0, cut).trim();
}
