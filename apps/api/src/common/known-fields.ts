import { Injectable, type ArgumentMetadata, type PipeTransform, type Type } from '@nestjs/common';
import { BadUserInputError } from '@netpin/contracts';

/**
 * The fields each model class declares (recorded by `Prop`), with the class of a nested
 * object field: what a REST body may contain. GraphQL refuses unknown input fields in its
 * own validation; REST bodies are plain JSON, so without this a typo (`cpus`) is dropped
 * silently and the request goes ahead with defaults.
 */
const FIELDS = new WeakMap<object, Map<string, Type<unknown> | null>>();

export function recordField(cls: object, name: string, nested: Type<unknown> | null): void {
  let own = FIELDS.get(cls);
  if (!own) FIELDS.set(cls, (own = new Map()));
  own.set(name, nested);
}

/** Declared fields of a class and of the classes it extends; null when it declares none. */
function fieldsOf(cls: Type<unknown>): Map<string, Type<unknown> | null> | null {
  const out = new Map<string, Type<unknown> | null>();
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    for (const [k, v] of FIELDS.get(c as object) ?? []) if (!out.has(k)) out.set(k, v);
  }
  return out.size ? out : null;
}

export function isModelClass(t: unknown): t is Type<unknown> {
  return typeof t === 'function' && FIELDS.has(t as object);
}

/** The path of the first field `value` carries that `cls` does not declare, depth first. */
export function unknownField(value: unknown, cls: Type<unknown>, path = ''): string | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unknownField(value[i], cls, `${path}${i}.`);
      if (found) return found;
    }
    return null;
  }
  const fields = fieldsOf(cls);
  if (!fields || value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value)) {
    if (!fields.has(key)) return `${path}${key}`;
    const nested = fields.get(key);
    const found = nested ? unknownField(v, nested, `${path}${key}.`) : null;
    if (found) return found;
  }
  return null;
}

/** Refuses a REST body with a field its model does not declare, naming the field (400). */
@Injectable()
export class KnownFieldsPipe implements PipeTransform {
  transform(value: unknown, meta: ArgumentMetadata): unknown {
    if (meta.type !== 'body' || !meta.metatype) return value;
    const field = unknownField(value, meta.metatype as Type<unknown>);
    if (field) throw BadUserInputError.of(field, 'is not a field of this request; check its spelling');
    return value;
  }
}
