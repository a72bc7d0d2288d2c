export * from './client';
export * from './types';
export * from './cursor';
export * from './prisma-errors';
export * from './repositories/host.repository';
export * from './repositories/network.repository';
export * from './repositories/vm.repository';
