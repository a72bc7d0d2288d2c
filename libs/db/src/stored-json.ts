import {
  HOST_JOB_NAMES,
  hostBridgesSchema,
  foreignDomainsSchema,
  hostJobPayloadSchemas,
  hugepagePoolSchema,
  operationStepSchema,
  placementPlanSchema,
  vmRequestSchema,
  type ForeignDomain,
  type HostBridge,
  type HugepagePool,
  type OperationStep,
  type PlacementPlan,
  type VmRequest,
} from '@netpin/contracts';
import { z } from 'zod';

/** A JSON column whose content does not match its schema: a bug or a hand edit, never user input. */
export class StoredDataError extends Error {
  constructor(
    readonly what: string,
    readonly issue: string,
  ) {
    super(`stored ${what} does not match its schema: ${issue}`);
    this.name = 'StoredDataError';
  }
}

/** Parse a JSON column with its schema, where it is read; the error names the row and the field. */
export function parseStored<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new StoredDataError(what, `${i.path.join('.') || '(root)'}: ${i.message}`);
}

const labelsSchema = z.record(z.string(), z.string());
const stepsSchema = z.array(operationStepSchema);
const hugepagesSchema = z.array(hugepagePoolSchema);

/** The JSON columns of netpin's tables, each read through its schema. */
export const stored = {
  plan: (v: unknown, vmId: string): PlacementPlan | null => (v === null ? null : parseStored(placementPlanSchema, v, `plan of vm ${vmId}`)),
  request: (v: unknown, vmId: string): VmRequest => parseStored(vmRequestSchema, v, `request of vm ${vmId}`),
  labels: (v: unknown, what: string): Record<string, string> => parseStored(labelsSchema, v ?? {}, `labels of ${what}`),
  steps: (v: unknown, operationId: string): OperationStep[] => parseStored(stepsSchema, v ?? [], `steps of operation ${operationId}`),
  /** null = no discovery has read the host's bridges yet. */
  bridges: (v: unknown, hostName: string): HostBridge[] | null =>
    v === null || v === undefined ? null : parseStored(hostBridgesSchema, v, `bridges of host ${hostName}`),
  foreignDomains: (v: unknown, hostName: string): ForeignDomain[] =>
    parseStored(foreignDomainsSchema, v ?? [], `foreign domains of host ${hostName}`),
  hugepages: (v: unknown, what: string): HugepagePool[] => parseStored(hugepagesSchema, v ?? [], `hugepages of ${what}`),
  jobPayload: (name: string, v: unknown, operationId: string): unknown => {
    const job = HOST_JOB_NAMES.find((n) => n === name);
    if (!job) throw new StoredDataError(`job of operation ${operationId}`, `unknown job name ${name}`);
    return parseStored(hostJobPayloadSchemas[job], v, `${job} payload of operation ${operationId}`);
  },
};
