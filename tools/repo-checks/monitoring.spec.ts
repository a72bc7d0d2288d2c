import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportedMetrics, registrationsIn, type ExportedMetric } from './exported-metrics';
import { dashboardSchema, ruleFileSchema, type Dashboard, type RuleFile } from './monitoring-schemas';
import { analysePromql, grafanaToPromql, labelValuesSelector } from './promql';

/**
 * deploy/grafana/netpin.json and deploy/prometheus/netpin-rules.yml may only name metrics that
 * netpin really exports, with labels those metrics carry. The exported names come from the
 * prom-client registrations in the code, not from a list kept by hand.
 */
const root = resolve(__dirname, '../..');
/** Series Prometheus itself adds to every target. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_series_added']);
/** Labels Prometheus attaches at scrape time (job, instance) and histograms' bucket bound. */
const TARGET_LABELS = ['job', 'instance'];

let metrics: ExportedMetric[];
let bySeries: Map<string, ExportedMetric>;

/** Everything wrong with one expression: syntax, unknown series, labels the series never has. */
function problems(expr: string): string[] {
  const { errors, selectors } = analysePromql(expr);
  const out = errors.map((e) => `syntax error at ${e}`);
  for (const s of selectors) {
    if (!s.metric) {
      out.push('a selector without a metric name');
      continue;
    }
    if (PROMETHEUS_SERIES.has(s.metric)) continue;
    const m = bySeries.get(s.metric);
    if (!m) {
      out.push(`${s.metric} is not exported by netpin`);
      continue;
    }
    const allowed = new Set([...m.labels, ...TARGET_LABELS, ...(s.metric.endsWith('_bucket') ? ['le'] : [])]);
    for (const l of s.labels) if (!allowed.has(l)) out.push(`${s.metric} has no label "${l}" (it has ${[...allowed].join(', ')})`);
  }
  return out;
}

/** The metric families an expression reads. */
const familiesIn = (expr: string): string[] =>
  analysePromql(expr).selectors.flatMap((s) => (s.metric && bySeries.has(s.metric) ? [bySeries.get(s.metric)!.family] : []));

beforeAll(async () => {
  metrics = await exportedMetrics(root);
  bySeries = new Map(metrics.flatMap((m) => m.series.map((s) => [s, m] as const)));
});

describe('metrics netpin exports (from the prom-client registrations)', () => {
  it('finds the API and agent registrations, with their labels, and the default process metrics', () => {
    const netpin = metrics.filter((m) => m.family.startsWith('netpin_'));
    expect(netpin.length).toBeGreaterThanOrEqual(18);
    expect(new Set(netpin.map((m) => m.family)).size).toBe(netpin.length);
    expect(bySeries.get('netpin_placement_duration_seconds_bucket')).toMatchObject({ type: 'histogram', labels: ['kind'] });
    expect(bySeries.get('netpin_host_free_vfs')).toMatchObject({ type: 'gauge', labels: ['host', 'numa_node'] });
    expect(bySeries.get('netpin_agent_host_command_duration_seconds_count')?.source).toMatch(/apps\/agent\/src\/metrics\.ts$/);
    expect(bySeries.has('process_resident_memory_bytes')).toBe(true);
  });

  it('every netpin metric is documented in docs/metrics.md', () => {
    const doc = readFileSync(resolve(root, 'docs/metrics.md'), 'utf8');
    const missing = metrics.filter((m) => m.family.startsWith('netpin_') && !doc.includes(`\`${m.family}\``)).map((m) => m.family);
    expect(missing).toEqual([]);
  });
});

describe('deploy/prometheus/netpin-rules.yml', () => {
  let rules: RuleFile;
  beforeAll(() => {
    rules = ruleFileSchema.parse(parse(readFileSync(resolve(root, 'deploy/prometheus/netpin-rules.yml'), 'utf8')));
  });
  const alerts = () => rules.groups.flatMap((g) => g.rules.flatMap((r) => ('alert' in r ? [r] : [])));

  it('has unique group and alert names', () => {
    const groups = rules.groups.map((g) => g.name);
    expect(new Set(groups).size).toBe(groups.length);
    const names = alerts().map((a) => a.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('every expression parses and names only exported metrics and their labels', () => {
    const found = rules.groups.flatMap((g) =>
      g.rules.flatMap((r) => problems(r.expr).map((p) => `${'alert' in r ? r.alert : r.record}: ${p}`)),
    );
    expect(found).toEqual([]);
  });

  it('alerts on failing operations, repeating drift, exhausted VFs and node CPUs, and a down agent', () => {
    const reads = (name: string) => familiesIn(alerts().find((a) => a.alert === name)?.expr ?? '');
    expect(reads('NetpinOperationsFailing')).toContain('netpin_operations_total');
    expect(reads('NetpinDriftRepeating')).toContain('netpin_drift_events_total');
    expect(reads('NetpinVfPoolExhausted')).toContain('netpin_host_free_vfs');
    expect(reads('NetpinNumaNodeCpusExhausted')).toContain('netpin_host_free_dedicated_cpus');
    expect(alerts().find((a) => a.alert === 'NetpinAgentDown')?.expr).toMatch(/^up\{job="netpin-agent"\} == 0$/);
  });
});

describe('deploy/grafana/netpin.json', () => {
  let dashboard: Dashboard;
  beforeAll(() => {
    dashboard = dashboardSchema.parse(JSON.parse(readFileSync(resolve(root, 'deploy/grafana/netpin.json'), 'utf8')));
  });
  const queries = (): { where: string; expr: string }[] => [
    ...dashboard.panels.flatMap((p) => (p.type === 'row' ? [] : p.targets.map((t) => ({ where: `${p.title} ${t.refId}`, expr: t.expr })))),
    ...dashboard.templating.list.flatMap((v) =>
      v.type === 'query' ? [{ where: `$${v.name}`, expr: labelValuesSelector(v.query.query) ?? '' }] : [],
    ),
  ];

  it('has unique panel ids and panels that do not overlap', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of dashboard.panels)
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
  });

  it('every query parses and names only exported metrics and their labels', () => {
    const found = queries().flatMap((q) => problems(grafanaToPromql(q.expr)).map((p) => `${q.where}: ${p}`));
    expect(found).toEqual([]);
  });

  it('shows placement, operations, queues, drift, free CPUs and VFs, and SSH latency', () => {
    const shown = new Set(queries().flatMap((q) => familiesIn(grafanaToPromql(q.expr))));
    for (const family of [
      'netpin_placement_duration_seconds',
      'netpin_placement_rejections_total',
      'netpin_operations',
      'netpin_operations_total',
      'netpin_queue_jobs',
      'netpin_drift_events_total',
      'netpin_host_free_dedicated_cpus',
      'netpin_host_free_vfs',
      'netpin_agent_host_command_duration_seconds',
    ])
      expect(shown, family).toContain(family);
  });
});

describe('the expression check', () => {
  it('reports unknown metrics, unknown labels and syntax errors', () => {
    expect(problems('sum(rate(netpin_operation_total[5m]))')).toEqual(['netpin_operation_total is not exported by netpin']);
    expect(problems('netpin_host_free_vfs{hots="a"}')[0]).toMatch(/^netpin_host_free_vfs has no label "hots"/);
    expect(problems('sum(rate(netpin_operations_total[5m])')[0]).toMatch(/^syntax error/);
    expect(problems('{__name__="netpin_nope"}')).toEqual(['netpin_nope is not exported by netpin']);
    expect(problems('histogram_quantile(0.9, sum by (le) (rate(netpin_agent_job_duration_seconds_bucket{le="1"}[5m])))')).toEqual([]);
  });

  it('derives names from registrations and refuses one it cannot read', () => {
    const file = resolve(__dirname, '__fixtures__/computed-name.ts.txt');
    expect(() => registrationsIn(file)).toThrow(/whose name is not a string literal/);
  });
});
