import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import ts from 'typescript';

/** A metric family as a process exposes it: its series names and the labels it may carry. */
export interface ExportedMetric {
  family: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  /** What appears in the exposition (histograms: _bucket, _sum, _count). */
  series: string[];
  labels: string[];
  source: string;
}

const KINDS = { Counter: 'counter', Gauge: 'gauge', Histogram: 'histogram', Summary: 'summary' } as const;

function seriesOf(family: string, type: ExportedMetric['type']): string[] {
  if (type === 'histogram') return [`${family}_bucket`, `${family}_sum`, `${family}_count`];
  if (type === 'summary') return [family, `${family}_sum`, `${family}_count`];
  return [family];
}

function stringProp(obj: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const p of obj.properties) if (ts.isPropertyAssignment(p) && p.name.getText() === key) return p.initializer;
  return undefined;
}

/**
 * The prom-client registrations of one source file: every `new Counter|Gauge|Histogram|Summary({
 * name, labelNames })`. A name that is not a string literal fails: a dashboard could not be
 * checked against it.
 */
export function registrationsIn(file: string): { metrics: ExportedMetric[]; defaultMetrics: boolean } {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const metrics: ExportedMetric[] = [];
  let defaultMetrics = false;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.getText(sf) === 'collectDefaultMetrics') defaultMetrics = true;
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text in KINDS) {
      const arg = node.arguments?.[0];
      const name = arg && ts.isObjectLiteralExpression(arg) ? stringProp(arg, 'name') : undefined;
      if (!name || !ts.isStringLiteralLike(name))
        throw new Error(`${file}: a ${node.expression.text} whose name is not a string literal: ${node.getText(sf).slice(0, 80)}`);
      const labelNode = stringProp(arg as ts.ObjectLiteralExpression, 'labelNames');
      const labels =
        labelNode && ts.isArrayLiteralExpression(labelNode) ? labelNode.elements.filter(ts.isStringLiteralLike).map((e) => e.text) : [];
      const type = KINDS[node.expression.text as keyof typeof KINDS];
      metrics.push({ family: name.text, type, series: seriesOf(name.text, type), labels, source: file });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { metrics, defaultMetrics };
}

/** prom-client's default process metrics, as the library itself registers them. */
export async function defaultMetrics(): Promise<ExportedMetric[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const json = await registry.getMetricsAsJSON();
  return json.map((m) => {
    const type = String(m.type) as ExportedMetric['type'];
    return { family: m.name, type, series: seriesOf(m.name, type), labels: [], source: 'prom-client collectDefaultMetrics' };
  });
}

/** The metric sources of the API (apps/api/src/metrics) and of the agent (apps/agent/src/metrics.ts). */
export function metricSources(root: string): string[] {
  const apiDir = resolve(root, 'apps/api/src/metrics');
  const api = readdirSync(apiDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => join(apiDir, f));
  return [...api, resolve(root, 'apps/agent/src/metrics.ts')];
}

/** Every metric netpin's processes export, derived from their registrations. */
export async function exportedMetrics(root: string): Promise<ExportedMetric[]> {
  const found = metricSources(root).map(registrationsIn);
  const out = found.flatMap((f) => f.metrics);
  if (found.some((f) => f.defaultMetrics)) out.push(...(await defaultMetrics()));
  return out;
}
