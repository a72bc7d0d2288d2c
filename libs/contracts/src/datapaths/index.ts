export * from './definition';
export * from './shared';
export * from './registry';
export * from './vf-drivers';
