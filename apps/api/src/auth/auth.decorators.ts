import { SetMetadata } from '@nestjs/common';
import type { Role } from '@netpin/contracts';

export const ROLE_KEY = 'netpin:role';
export const PUBLIC_KEY = 'netpin:public';

/** The least role that may call this resolver or route (viewer < operator < admin). */
export const Allow = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(ROLE_KEY, role);

/** Reachable without a token (health probes only). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

export interface Principal {
  tokenId: string | null;
  name: string;
  role: Role;
}
