import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, pageArgsSchema, parseInput, vmFilterSchema } from '@netpin/contracts';
import { toPlanView } from '../placement/placement.service';
import { VmRepository, type ListOptions, type VmRecord } from '@netpin/db';
import { toConnection } from '../common/page';
import type { Vm, VmConnection, VmFilterInput } from './vm.model';

export function toVmView(vm: VmRecord): Vm {
  return { ...vm, plan: vm.plan ? toPlanView(vm.plan) : null };
}

@Injectable()
export class VmService {
  constructor(@Inject(VmRepository) private readonly vms: VmRepository) {}

  async list(
    filter: VmFilterInput | null | undefined,
    first?: number | null,
    after?: string | null,
    opts: ListOptions = {},
  ): Promise<VmConnection> {
    const f = parseInput(vmFilterSchema, filter ?? {}, 'filter');
    const p = parseInput(pageArgsSchema, { first, after });
    return toConnection(await this.vms.list(f, p, opts), toVmView);
  }

  async get(id: string): Promise<Vm> {
    const vm = await this.vms.findById(id);
    if (!vm) throw new NotFoundError('vm', id);
    return toVmView(vm);
  }
}
