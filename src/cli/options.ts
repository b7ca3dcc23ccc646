/**
 * Commander argument parsers: an option's value is checked where it is read, and a bad one is a
 * usage error naming the option (exit 2), before any verb runs.
 */
import { InvalidArgumentError } from 'commander';
import { parseBytes } from '../util/quantities.js';

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
      throw new InvalidArgumentError((e as Error).message);
    }
  };

/** A size in bytes: 4096, 200k, 1.5M, 20G (powers of 1024). */
export const byteSize = parsedBy(parseBytes);

/** A repeatable option's values, in order. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/**
 * The `leaderboard --sort` keys of a v5 table's board (a run folder's are `RUN_SORTS`, in
 * src/report/run-leaderboard.ts); here so that main.ts offers them without loading the verb.
 */
export const V5_SORTS = ['card', 'valid', 'beats', 'patch-failure', 'commits', 'name'] as const;
export type V5Sort = (typeof V5_SORTS)[number];
