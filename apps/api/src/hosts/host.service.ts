import { Inject, Injectable } from '@nestjs/common';
import {
  BadUserInputError,
  hostFilterSchema,
  pageArgsSchema,
  parseInput,
  registerHostInputSchema,
  updateHostInputSchema,
} from '@netpin/contracts';
import { HostRepository, type HostRecord, type ListOptions, type Page } from '@netpin/db';
import type { Host, HostFilterInput, Label, MaintenanceInput, RegisterHostInput, UpdateHostInput } from './host.model';

function labelsToRecord(labels: Label[] | undefined, field = 'labels'): Record<string, string> | undefined {
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const l of labels) out[l.key] = l.value;
  if (Object.keys(out).length !== labels.length) throw BadUserInputError.of(field, 'label keys must be unique');
  return out;
}

export function toHostView(h: HostRecord): Host {
  return { ...h, labels: Object.entries(h.labels).map(([key, value]) => ({ key, value })) };
}

/** Inventory of hypervisors: validation and rules; persistence stays in HostRepository. */
@Injectable()
export class HostService {
  constructor(@Inject(HostRepository) private readonly hosts: HostRepository) {}

  async register(input: RegisterHostInput): Promise<Host> {
    const data = parseInput(registerHostInputSchema, { ...input, labels: labelsToRecord(input.labels) });
    return toHostView(await this.hosts.create(data));
  }

  async update(id: string, input: UpdateHostInput): Promise<Host> {
    const data = parseInput(updateHostInputSchema, { ...input, labels: labelsToRecord(input.labels) });
    return toHostView(await this.hosts.update(id, data));
  }

  async setMaintenance(id: string, input: MaintenanceInput): Promise<Host> {
    return toHostView(await this.hosts.setMaintenance(id, input.enabled, input.reason ?? null));
  }

  async remove(id: string): Promise<Host> {
    return toHostView(await this.hosts.remove(id));
  }

  async get(ref: { id?: string | null; name?: string | null }): Promise<Host> {
    if (!ref.id && !ref.name) throw BadUserInputError.of('id', 'give the host id or name');
    return toHostView(await this.hosts.get(ref));
  }

  async list(
    filter: HostFilterInput | undefined,
    first: number | undefined,
    after: string | null | undefined,
    opts: ListOptions = {},
  ): Promise<Page<Host>> {
    const f = parseInput(hostFilterSchema, filter ?? {}, 'filter');
    const p = parseInput(pageArgsSchema, { first, after });
    const page = await this.hosts.list(f, p, opts);
    return { ...page, items: page.items.map(toHostView) };
  }
}
