import { Inject, Injectable, RequestMethod } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { AuditInterceptor } from './audit.interceptor';

/** @nestjs/graphql's key for a resolver method's root type ('Query', 'Mutation', 'Subscription'). */
const RESOLVER_TYPE = 'graphql:resolver_type';

/** Handlers that change something: GraphQL Mutation fields and REST routes other than GET/HEAD. */
export function changesState(handler: object): boolean {
  if (Reflect.getMetadata(RESOLVER_TYPE, handler) === 'Mutation') return true;
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  return method !== undefined && method !== RequestMethod.GET && method !== RequestMethod.HEAD;
}

/** Every method of every controller and provider class in the application. */
function handlersOf(modules: ModulesContainer): object[] {
  const out: object[] = [];
  for (const m of modules.values()) {
    for (const w of [...m.controllers.values(), ...m.providers.values()]) {
      const proto = (w.metatype as { prototype?: object } | null | undefined)?.prototype;
      if (!proto) continue;
      for (const key of Object.getOwnPropertyNames(proto)) {
        const d = Object.getOwnPropertyDescriptor(proto, key);
        if (key !== 'constructor' && typeof d?.value === 'function') out.push(d.value as object);
      }
    }
  }
  return out;
}

/**
 * Binds the AuditInterceptor to every handler that changes state, and only to those. As a
 * global interceptor it ran for every read too, where it did nothing but cost Nest's
 * interceptor pipeline (rxjs `defer`, two `AsyncResource.bind`s per root field: ~4 % of the
 * API's CPU on the hosts page, issue 16). The handlers are found by their metadata when the
 * application is built (before Nest reads it at init), so a new mutation or route is audited
 * without anyone remembering to decorate it. The instance replaces one bound by an earlier
 * build in the same process (tests build several applications).
 */
@Injectable()
export class AuditBinding {
  readonly bound: number;

  constructor(@Inject(ModulesContainer) modules: ModulesContainer, @Inject(AuditInterceptor) audit: AuditInterceptor) {
    let n = 0;
    for (const h of handlersOf(modules)) {
      if (!changesState(h)) continue;
      const own = (Reflect.getMetadata(INTERCEPTORS_METADATA, h) as unknown[] | undefined) ?? [];
      Reflect.defineMetadata(INTERCEPTORS_METADATA, [audit, ...own.filter((i) => !(i instanceof AuditInterceptor))], h);
      n++;
    }
    this.bound = n;
  }
}
