export * from './definition';
export * from './shared';
export * from './registry';
export * from './vf-drivers';
export { VHOST_USER_SOCKET_DIR } from './vhost-user';
