/**
 * Commander's parsers of option values: a value is checked where it is read, and a bad one is a
 * usage error naming the option (exit 2), before any verb runs.
 */
import { InvalidArgumentError } from 'commander';
import { errorMessage } from './errors.js';
import { parseBytes } from './quantities.js';

/** An integer of at least `min`. */
export const intAtLeast =
  (min: number) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected an integer of at least ${min}`);
    return n;
  };

/** A number above 0. */
export const positiveNumber = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive number');
  return n;
};

/** A number of at least 0. */
export const nonNegative = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('expected a number of at least 0');
  return n;
};

/** A value turned by `parse`, whose error message becomes the option's. */
export const parsedBy =
  <T>(parse: (v: string) => T) =>
  (v: string): T => {
    try {
      return parse(v);
    } catch (e) {
      throw new InvalidArgumentError(errorMessage(e));
    }
  };

/** A size in bytes: 4096, 200k, 1.5M, 20G (powers of 1024). */
export const byteSize = parsedBy(parseBytes);

/** A repeatable option's values, in order. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** A range of rounds `MIN..MAX`: integers, MIN at least `least`, MAX at least MIN. */
export const roundRange =
  (least: number) =>
  (v: string): { readonly min: number; readonly max: number } => {
    const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(v);
    const min = Number(m?.[1]);
    const max = Number(m?.[2]);
    if (!m || min < least || max < min)
      throw new InvalidArgumentError(`expected MIN..MAX, integers with ${least} <= MIN <= MAX (e.g. 3..10)`);
    return { min, max };
  };
