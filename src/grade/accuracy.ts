/**
 * The optional accuracy check: a small local dataset of questions and answers asked through the
 * server's completions API, scored by exact answer match, agent against baseline within a tolerance
 * in percentage points. A numeric answer matches the last number of the completion (commas and a
 * trailing '.0' ignored); any other answer matches the completion's first line, case and surrounding
 * punctuation ignored. Pure.
 */

import { errorMessage } from '../util/errors.js';
import type { AccuracyResult, AccuracyScore } from './values.js';

export type { AccuracyResult, AccuracyScore };

/** One item of an accuracy dataset (a JSON line). */
export interface AccuracyItem {
  readonly question: string;
  readonly answer: string | number;
}

const num = (s: string) => s.replace(/,/g, '').replace(/\.0+$/, '');

/** Whether a completion answers `answer`. */
export function answers(text: string, answer: string | number): boolean {
  const a = String(answer).trim();
  if (/^-?[\d,]+(\.\d+)?$/.test(a)) {
    const nums = text.match(/-?\d[\d,]*(?:\.\d+)?/g);
    const last = nums?.[nums.length - 1];
    return last !== undefined && num(last) === num(a);
  }
  const first = (text.trim().split('\n')[0] ?? '').trim().replace(/^[\s"'`*]+|[\s"'`*.!]+$/g, '');
  return first.toLowerCase() === a.toLowerCase();
}

/** Scores completions (matched by position: id `q-<i>`) against the dataset. */
export function scoreAccuracy(
  items: readonly AccuracyItem[],
  outputs: ReadonlyArray<{ id: string; text?: string }>,
): AccuracyScore {
  const byId = new Map(outputs.map((o) => [o.id, o.text ?? '']));
  const correct = items.filter((it, i) => answers(byId.get(`q-${i}`) ?? '', it.answer)).length;
  return { correct, total: items.length, pct: items.length ? (100 * correct) / items.length : 0 };
}

/** Parses a dataset file's text; errors name the line. */
export function parseAccuracyDataset(text: string, file: string): AccuracyItem[] {
  const items: AccuracyItem[] = [];
  text.split('\n').forEach((l, i) => {
    if (!l.trim()) return;
    let o: { question?: unknown; answer?: unknown };
    try {
      o = JSON.parse(l);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON: ${errorMessage(e)}`);
    }
    if (typeof o.question !== 'string' || (typeof o.answer !== 'string' && typeof o.answer !== 'number'))
      throw new Error(`${file}:${i + 1}: expected {"question": string, "answer": string | number}`);
    items.push({ question: o.question, answer: o.answer });
  });
  if (!items.length) throw new Error(`${file}: no questions`);
  return items;
}
