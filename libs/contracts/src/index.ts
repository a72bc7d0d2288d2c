export * from './values';
export * from './enums';
export * from './errors';
export * from './inventory';
export * from './host-facts';
export * from './placement';
export * from './jobs';
