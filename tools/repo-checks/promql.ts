import { parser } from '@prometheus-io/lezer-promql';

/** A series selector of a PromQL expression: the metric it names and the labels it matches on. */
export interface Selector {
  metric: string | null;
  labels: string[];
}

export interface PromqlAnalysis {
  /** Syntax errors, as "offset N: text around it". */
  errors: string[];
  selectors: Selector[];
}

/**
 * Parses PromQL with the Prometheus project's own grammar (@prometheus-io/lezer-promql, the
 * parser of Prometheus' web UI) and lists its selectors. The parser recovers from errors, so
 * every error node is reported rather than thrown.
 */
export function analysePromql(expr: string): PromqlAnalysis {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: Selector[] = [];
  const text = (from: number, to: number): string => expr.slice(from, to);
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`offset ${node.from}: "${text(Math.max(0, node.from - 20), node.to + 20)}"`);
      if (node.name !== 'VectorSelector') return;
      const selector: Selector = { metric: null, labels: [] };
      const id = node.node.getChild('Identifier');
      if (id) selector.metric = text(id.from, id.to);
      const matchers = node.node.getChild('LabelMatchers');
      for (const m of matchers?.getChildren('UnquotedLabelMatcher') ?? []) {
        const name = m.getChild('LabelName');
        const value = m.getChild('StringLiteral');
        if (!name) continue;
        const label = text(name.from, name.to);
        if (label === '__name__' && value && !selector.metric) selector.metric = JSON.parse(text(value.from, value.to)) as string;
        else selector.labels.push(label);
      }
      selectors.push(selector);
    },
  });
  return { errors, selectors };
}

/**
 * Grafana query text -> PromQL: its interval macros become a duration and `$var` / `${var}`
 * a plain word (they stand inside label values in netpin's dashboard; anywhere else the
 * parser will say so).
 */
export function grafanaToPromql(query: string): string {
  return query.replace(/\$\{?__\w+\}?/g, '5m').replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_m, a: string, b: string) => a ?? b);
}

/** `label_values(<selector>, label)` of a Grafana query variable -> the selector. */
export function labelValuesSelector(query: string): string | null {
  const m = /^\s*label_values\((.*),\s*\w+\s*\)\s*$/s.exec(query);
  return m ? m[1] : null;
}
