/**
 * The one place isobench gets zod from: the tree-shakable `zod/mini` build, configured once with
 * English messages ("expected number, received string") and without JIT compilation, which costs
 * more than it saves when each schema checks a few hundred values per short-lived process. Only the
 * members listed here end up in the bundle; add one here before using it.
 */
import { en } from 'zod/locales';
import {
  array,
  boolean,
  config,
  discriminatedUnion,
  enum as enumOf,
  int,
  iso,
  literal,
  looseObject,
  maximum,
  maxLength,
  minimum,
  minLength,
  nullable,
  number,
  object,
  optional,
  type output,
  positive,
  record,
  refine,
  regex,
  startsWith,
  strictObject,
  string,
  superRefine,
  union,
  unknown,
  url,
  type ZodMiniType,
} from 'zod/mini';

config({ jitless: true, ...en() });

/** The zod functions isobench uses, under the usual `z.` names. */
export const z = {
  array,
  boolean,
  discriminatedUnion,
  enum: enumOf,
  int,
  iso,
  literal,
  looseObject,
  maximum,
  maxLength,
  minimum,
  minLength,
  nullable,
  number,
  object,
  optional,
  positive,
  record,
  refine,
  regex,
  startsWith,
  strictObject,
  string,
  superRefine,
  union,
  unknown,
  url,
};

/** The type a schema parses to (zod's `z.infer`). */
export type Infer<S extends ZodMiniType> = output<S>;

/** Any zod schema. */
export type Schema = ZodMiniType;

/** A type with every array and object read-only all the way down. */
export type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The read-only type a schema declares: how a record or value is passed around once built or read. */
export type Shape<S extends ZodMiniType> = DeepReadonly<output<S>>;
