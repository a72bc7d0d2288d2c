import { applyDecorators, type Type } from '@nestjs/common';
import { Field, Float, type FieldOptions, GraphQLISODateTime, ID, Int, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { recordField } from './known-fields';

/**
 * One decorator for a field that is both a GraphQL field and an OpenAPI property, so
 * the two documents cannot drift apart field by field.
 */
type Scalar = typeof Int | typeof Float | typeof String | typeof Boolean | typeof ID | typeof GraphQLISODateTime;
type FieldType = Scalar | Type<unknown> | GqlEnum;

export interface GqlEnum {
  readonly enumObject: Record<string, string>;
  readonly name: string;
}

/** Register a const-array enum once for GraphQL and reuse it for OpenAPI. */
export function defineEnum<V extends string>(
  name: string,
  values: readonly V[],
  description?: string,
  valueDescriptions?: Readonly<Partial<Record<V, string>>>,
): GqlEnum {
  const enumObject = Object.fromEntries(values.map((v) => [v, v]));
  const valuesMap = valueDescriptions
    ? Object.fromEntries(values.flatMap((v) => (valueDescriptions[v] !== undefined ? [[v, { description: valueDescriptions[v] }]] : [])))
    : undefined;
  registerEnumType(enumObject, { name, description, valuesMap });
  return { enumObject, name };
}

function isEnum(t: FieldType): t is GqlEnum {
  return typeof t === 'object' && 'enumObject' in t;
}

function swaggerType(t: FieldType): Partial<ApiPropertyOptions> {
  if (isEnum(t)) return { enum: Object.values(t.enumObject), enumName: t.name };
  if (t === Int) return { type: 'integer' };
  if (t === Float) return { type: 'number' };
  if (t === String || t === ID) return { type: 'string' };
  if (t === Boolean) return { type: 'boolean' };
  if (t === GraphQLISODateTime) return { type: 'string', format: 'date-time' };
  return { type: t as Type<unknown> };
}

export interface PropOptions {
  nullable?: boolean;
  optional?: boolean;
  description?: string;
  array?: boolean;
  example?: unknown;
  defaultValue?: unknown;
}

export function Prop(type: FieldType, opts: PropOptions = {}): PropertyDecorator {
  const gqlType = isEnum(type) ? type.enumObject : type;
  const optional = opts.optional ?? opts.nullable ?? false;
  const sw = swaggerType(type);
  const swagger: ApiPropertyOptions = {
    ...(opts.array ? { isArray: true } : {}),
    ...sw,
    required: !optional,
    nullable: opts.nullable,
    description: opts.description,
    example: opts.example,
    default: opts.defaultValue,
  } as ApiPropertyOptions;
  const decorate = applyDecorators(
    Field(() => (opts.array ? [gqlType] : gqlType), {
      nullable: optional || opts.nullable,
      description: opts.description,
      defaultValue: opts.defaultValue,
    } as FieldOptions),
    ApiProperty(swagger),
  );
  return (target, key) => {
    // the field list a REST body is checked against (known-fields.ts)
    recordField(target.constructor, String(key), isEnum(type) || isScalar(type) ? null : (type as Type<unknown>));
    decorate(target, key);
  };
}

function isScalar(t: FieldType): boolean {
  return t === Int || t === Float || t === String || t === Boolean || t === ID || t === GraphQLISODateTime;
}
