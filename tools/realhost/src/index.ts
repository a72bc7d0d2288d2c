export * from './realhost';
export * from './host-script';
export * from './goldens';
export { STANDARD_HOST } from './standard-host';
export { describeRealHost } from './tier';
