import { describe, expect, it } from 'vitest';
import { splitShellWords } from '../../src/util/shell-words.js';

/** The words' texts of a command that must split; fails the test otherwise. */
function texts(command: string): string[] {
  const r = splitShellWords(command);
  expect(r.ok, `${command}: ${JSON.stringify(r)}`).toBe(true);
  return r.ok ? r.words.map((w) => w.text) : [];
}

describe('splitShellWords', () => {
  it('splits plain words on spaces and tabs, with offsets', () => {
    const r = splitShellWords('python3  benchmarks/benchmark_latency.py\t--batch-size 8');
    expect(r).toEqual({
      ok: true,
      words: [
        { text: 'python3', quoted: false, offset: 0 },
        { text: 'benchmarks/benchmark_latency.py', quoted: false, offset: 9 },
        { text: '--batch-size', quoted: false, offset: 41 },
        { text: '8', quoted: false, offset: 54 },
      ],
    });
  });

  it('gives no words for an empty or blank command', () => {
    expect(splitShellWords('')).toEqual({ ok: true, words: [] });
    expect(splitShellWords('   \t ')).toEqual({ ok: true, words: [] });
  });

  it('handles single quotes literally', () => {
    expect(texts("echo 'a b' 'c\"d' '$HOME' '\\n'")).toEqual(['echo', 'a b', 'c"d', '$HOME', '\\n']);
    expect(texts("''")).toEqual(['']);
  });

  it('handles double quotes with their backslash escapes', () => {
    expect(texts('echo "a b" "it\'s"')).toEqual(['echo', 'a b', "it's"]);
    expect(texts('"a\\"b" "c\\\\d" "e\\$f" "g\\`h"')).toEqual(['a"b', 'c\\d', 'e$f', 'g`h']);
    // other backslashes inside double quotes are kept
    expect(texts('"a\\nb"')).toEqual(['a\\nb']);
  });

  it('handles backslash escapes outside quotes', () => {
    expect(texts('a\\ b c')).toEqual(['a b', 'c']);
    expect(texts('\\$HOME \\|')).toEqual(['$HOME', '|']);
    const r = splitShellWords('a\\ b');
    expect(r.ok && r.words[0]?.quoted).toBe(true);
  });

  it('joins adjacent quoted and unquoted parts into one word', () => {
    expect(texts(`--name="a b"'c'd`)).toEqual(['--name=a bcd']);
  });

  it('marks quoted words', () => {
    const r = splitShellWords('--model "a b"');
    expect(r).toEqual({
      ok: true,
      words: [
        { text: '--model', quoted: false, offset: 0 },
        { text: 'a b', quoted: true, offset: 8 },
      ],
    });
    const s = splitShellWords("--flag '--not-a-flag' x");
    expect(s.ok && s.words.map((w) => w.quoted)).toEqual([false, true, false]);
  });

  it('keeps environment assignments as one word', () => {
    expect(texts('VLLM_USE_V1=1 CUDA_VISIBLE_DEVICES=0,1 python3 x.py --model m')).toEqual([
      'VLLM_USE_V1=1',
      'CUDA_VISIBLE_DEVICES=0,1',
      'python3',
      'x.py',
      '--model',
      'm',
    ]);
    expect(texts('FOO="a b" cmd')).toEqual(['FOO=a b', 'cmd']);
  });

  describe('errors (never thrown, always with an offset)', () => {
    const cases: Array<[string, string, number]> = [
      ['unbalanced single quote', "echo 'abc", 5],
      ['unbalanced double quote', 'echo "abc', 5],
      ['pipe', 'python3 x.py | tee log', 13],
      ['semicolon', 'cd x; python3 y.py', 4],
      ['and-and', 'cd x && python3 y.py', 5],
      ['redirection', 'python3 x.py > log', 13],
      ['input redirection', 'cmd < in', 4],
      ['variable', 'python3 x.py --model $MODEL', 21],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell command, not a template
      ['variable in braces', 'echo ${X}', 5],
      ['variable inside double quotes', 'echo "a $X"', 8],
      ['backticks', 'echo `date`', 5],
      ['backtick inside double quotes', 'echo "`date`"', 6],
      ['subshell', '(cd x)', 0],
      ['background', 'cmd &', 4],
      ['newline', 'python3 x.py\n--model m', 12],
      ['carriage return', 'a\rb', 1],
      ['newline at start', '\ncmd', 0],
      ['trailing backslash', 'python3 x.py \\', 13],
    ];
    for (const [name, command, offset] of cases) {
      it(name, () => {
        let r: ReturnType<typeof splitShellWords> | undefined;
        expect(() => {
          r = splitShellWords(command);
        }).not.toThrow();
        expect(r).toMatchObject({ ok: false, offset });
        if (r && !r.ok) expect(r.error.length).toBeGreaterThan(0);
      });
    }

    it('names the problem in the error text', () => {
      const pipe = splitShellWords('a | b');
      expect(!pipe.ok && pipe.error).toContain('|');
      const quote = splitShellWords("a 'b");
      expect(!quote.ok && quote.error).toContain('single quote');
      const dq = splitShellWords('a "b');
      expect(!dq.ok && dq.error).toContain('double quote');
      const nl = splitShellWords('a\nb');
      expect(!nl.ok && nl.error).toContain('lines');
      const bs = splitShellWords('a \\');
      expect(!bs.ok && bs.error).toContain('backslash');
    });

    it('never throws on garbage', () => {
      for (const s of ['\u0000\u0001\uFFFD', '"\'"\'', '\\\\\\', '""""""', "'''", '\t\n\r', '😀 "😀']) {
        expect(() => splitShellWords(s)).not.toThrow();
      }
    });
  });
});
