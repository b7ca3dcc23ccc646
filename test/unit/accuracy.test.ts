import { describe, expect, it } from 'vitest';
import { answers, parseAccuracyDataset, scoreAccuracy } from '../../src/grade/accuracy.js';

describe('accuracy scoring', () => {
  it('matches numeric answers on the last number, others on the first line', () => {
    expect(answers('She has 3 apples, then 5 more: 8', 8)).toBe(true);
    expect(answers('The total is 1,200.0 dollars', '1200')).toBe(true);
    expect(answers('8 apples, then 3 left', 8)).toBe(false);
    expect(answers('  Paris.\nBecause...', 'paris')).toBe(true);
    expect(answers('Paris is the capital', 'Paris')).toBe(false);
  });
  it('scores by position and parses datasets strictly, naming the line', () => {
    const items = parseAccuracyDataset(
      '{"question":"1+1?","answer":2}\n\n{"question":"Capital of France?","answer":"Paris"}\n',
      'd.jsonl',
    );
    expect(
      scoreAccuracy(items, [
        { id: 'q-0', text: 'It is 2' },
        { id: 'q-1', text: 'Lyon' },
      ]),
    ).toEqual({ correct: 1, total: 2, pct: 50 });
    expect(() => parseAccuracyDataset('{"question": 1}', 'd.jsonl')).toThrow(
      'd.jsonl:1: expected {"question": string, "answer": string | number}',
    );
    expect(() => parseAccuracyDataset('', 'd.jsonl')).toThrow('d.jsonl: no questions');
  });
});
