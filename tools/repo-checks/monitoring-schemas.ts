import { z } from 'zod';

/**
 * The shape Prometheus accepts for a rule file (its rulefmt package: groups with name,
 * interval, query_offset, limit, labels, rules; a rule is either `record` or `alert` with
 * expr, for, keep_firing_for, labels, annotations). Unknown keys are refused, as promtool
 * refuses them. netpin's own conventions come on top: a severity label and a summary and a
 * description on every alert.
 */
const duration = z
  .string()
  .regex(/^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/, 'a Prometheus duration such as 5m or 1h30m')
  .refine((s) => s !== '', 'a Prometheus duration such as 5m or 1h30m');
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name');
const labelSet = z.record(labelName, z.string());
const template = z.string().refine((s) => (s.match(/\{\{/g) ?? []).length === (s.match(/\}\}/g) ?? []).length, 'unbalanced {{ }}');

const alertRule = z.strictObject({
  alert: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an alert name'),
  expr: z.string().min(1),
  for: duration.optional(),
  keep_firing_for: duration.optional(),
  labels: z.strictObject({ severity: z.enum(['critical', 'warning', 'info']) }).catchall(z.string()),
  annotations: z.strictObject({ summary: template, description: template }).catchall(template),
});

const recordingRule = z.strictObject({
  record: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a metric name'),
  expr: z.string().min(1),
  labels: labelSet.optional(),
});

export const ruleFileSchema = z.strictObject({
  groups: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        interval: duration.optional(),
        query_offset: duration.optional(),
        limit: z.number().int().nonnegative().optional(),
        labels: labelSet.optional(),
        rules: z.array(z.union([alertRule, recordingRule])).min(1),
      }),
    )
    .min(1),
});
export type RuleFile = z.output<typeof ruleFileSchema>;

/** Every query goes to the data source the importer picks (the `datasource` variable). */
const datasourceRef = z.strictObject({ type: z.literal('prometheus'), uid: z.literal('${datasource}') });

const gridPos = z
  .strictObject({
    x: z.number().int().min(0).max(23),
    y: z.number().int().min(0),
    w: z.number().int().min(1).max(24),
    h: z.number().int().min(1),
  })
  .refine((g) => g.x + g.w <= 24, 'a panel wider than the 24-column grid');

const target = z.looseObject({
  refId: z.string().min(1),
  expr: z.string().min(1),
  datasource: datasourceRef,
  legendFormat: z.string().optional(),
});

const panel = z.discriminatedUnion('type', [
  z.looseObject({ id: z.number().int(), type: z.literal('row'), title: z.string().min(1), gridPos, panels: z.array(z.unknown()) }),
  z.looseObject({
    id: z.number().int(),
    type: z.enum(['timeseries', 'stat', 'table', 'gauge', 'bargauge', 'state-timeline']),
    title: z.string().min(1),
    description: z.string().min(1),
    gridPos,
    datasource: datasourceRef,
    targets: z.array(target).min(1),
  }),
]);

const variable = z.discriminatedUnion('type', [
  z.looseObject({ name: z.string(), type: z.literal('datasource'), query: z.literal('prometheus') }),
  z.looseObject({ name: z.string(), type: z.literal('custom'), query: z.string().min(1) }),
  z.looseObject({
    name: z.string(),
    type: z.literal('query'),
    datasource: datasourceRef,
    query: z.looseObject({ query: z.string().min(1) }),
  }),
]);

/** The parts of Grafana's dashboard model a provisioned or imported dashboard needs. */
export const dashboardSchema = z.looseObject({
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
  title: z.string().min(1),
  schemaVersion: z.number().int().min(36),
  panels: z.array(panel).min(1),
  templating: z.strictObject({ list: z.array(variable) }),
});
export type Dashboard = z.output<typeof dashboardSchema>;
