export * from './definition';
export * from './shared';
export * from './registry';
