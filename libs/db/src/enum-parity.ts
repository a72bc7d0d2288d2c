import type { CpuOwnerRole, Datapath, GroupEnforcement, GroupPolicy, HostState, NetworkKind, VmState } from '@netpin/contracts';
import type * as Prisma from './generated/prisma/enums';

/**
 * The Prisma enums are a second spelling of the contracts' ones. A value added on one side
 * only (a new datapath in the registry, say) fails to compile here until schema.prisma, a
 * migration and `prisma generate` catch up.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type EnumParity = [
  Assert<Same<Datapath, Prisma.Datapath>>,
  Assert<Same<NetworkKind, Prisma.NetworkKind>>,
  Assert<Same<HostState, Prisma.HostState>>,
  Assert<Same<VmState, Prisma.VmState>>,
  Assert<Same<CpuOwnerRole, Prisma.CpuRole>>,
  Assert<Same<GroupPolicy, Prisma.GroupPolicy>>,
  Assert<Same<GroupEnforcement, Prisma.GroupEnforcement>>,
];
