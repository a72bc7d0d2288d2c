export * from './realhost';
export * from './host-script';
export * from './goldens';
export { MIGRATION_TARGET_HOST, STANDARD_HOST } from './standard-host';
export * from './migration';
export { describeRealHost } from './tier';
