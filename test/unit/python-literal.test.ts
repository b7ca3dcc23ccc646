import { describe, expect, it } from 'vitest';
import {
  pyReprFloat,
  pyReprString,
  pyReprStringList,
  readPyKeywordArgs,
  readPyLiteral,
  readPyStringList,
} from '../../src/util/python-literal.js';

/** The value of a successful read; fails the test otherwise. */
function value(src: string): unknown {
  const r = readPyLiteral(src);
  expect(r.ok, `readPyLiteral(${src}) should succeed: ${JSON.stringify(r)}`).toBe(true);
  return r.ok ? r.value : undefined;
}

describe('readPyLiteral', () => {
  it('reads strings with either quote kind', () => {
    expect(value("'abc'")).toBe('abc');
    expect(value('"abc"')).toBe('abc');
    expect(value(`"it's"`)).toBe("it's");
    expect(value(`'say "hi"'`)).toBe('say "hi"');
    expect(value("''")).toBe('');
  });

  it('decodes escapes', () => {
    expect(value(String.raw`'a\nb'`)).toBe('a\nb');
    expect(value(String.raw`'a\tb'`)).toBe('a\tb');
    expect(value(String.raw`'a\\b'`)).toBe('a\\b');
    expect(value(String.raw`'it\'s'`)).toBe("it's");
    expect(value(String.raw`"q\"q"`)).toBe('q"q');
    expect(value(String.raw`'\x41'`)).toBe('A');
    expect(value(String.raw`'caf\u00e9'`)).toBe('café');
    expect(value(String.raw`'\U0001F600'`)).toBe('😀');
    expect(value(String.raw`'\x07\r\0'`)).toBe('\x07\r\0');
    // Python keeps unknown escapes verbatim
    expect(value(String.raw`'\d+'`)).toBe('\\d+');
  });

  it('reads ints and floats', () => {
    expect(value('0')).toBe(0);
    expect(value('42')).toBe(42);
    expect(value('-7')).toBe(-7);
    expect(value('1_000')).toBe(1000);
    expect(value('3.5')).toBe(3.5);
    expect(value('-4.76')).toBe(-4.76);
    expect(value('1e-05')).toBe(1e-5);
    expect(value('2.5e+20')).toBe(2.5e20);
    expect(value('3203.0584950697084')).toBe(3203.0584950697084);
    expect(value('.5')).toBe(0.5);
  });

  it('reads inf and nan', () => {
    expect(value('inf')).toBe(Number.POSITIVE_INFINITY);
    expect(value('-inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(value('nan')).toBeNaN();
  });

  it('reads True, False and None', () => {
    expect(value('True')).toBe(true);
    expect(value('False')).toBe(false);
    expect(value('None')).toBeNull();
  });

  it('reads nested lists, tuples and dicts', () => {
    expect(value("[1, 'a', [2.5, None], (True, False)]")).toEqual([1, 'a', [2.5, null], [true, false]]);
    expect(value('()')).toEqual([]);
    expect(value('[]')).toEqual([]);
    expect(value('(1,)')).toEqual([1]);
    expect(value("{'a': 1, 'b': [1, 2], 3: {'x': None}}")).toEqual({
      dict: [
        ['a', 1],
        ['b', [1, 2]],
        [3, { dict: [['x', null]] }],
      ],
    });
    expect(value('{}')).toEqual({ dict: [] });
  });

  it('accepts trailing commas and surrounding whitespace', () => {
    expect(value('[1, 2, ]')).toEqual([1, 2]);
    expect(value('(1, 2,)')).toEqual([1, 2]);
    expect(value("{'a': 1,}")).toEqual({ dict: [['a', 1]] });
    expect(value('  [ 1 ,\n 2 ]  ')).toEqual([1, 2]);
  });

  it('keeps unrepresentable objects opaque', () => {
    expect(value('<function f at 0x7f>')).toEqual({ opaque: '<function f at 0x7f>' });
    expect(value("<LoadFormat.AUTO: 'auto'>")).toEqual({ opaque: "<LoadFormat.AUTO: 'auto'>" });
    expect(value("<X: '>'>")).toEqual({ opaque: "<X: '>'>" });
    expect(value("PosixPath('/x')")).toEqual({ opaque: "PosixPath('/x')" });
    expect(value('LoadFormat.AUTO')).toEqual({ opaque: 'LoadFormat.AUTO' });
    expect(value("[<function f at 0x7f>, PosixPath('/x'), LoadFormat.AUTO]")).toEqual([
      { opaque: '<function f at 0x7f>' },
      { opaque: "PosixPath('/x')" },
      { opaque: 'LoadFormat.AUTO' },
    ]);
  });

  it('does not read an identifier that starts with inf or nan as a number', () => {
    expect(value('info')).toEqual({ opaque: 'info' });
    expect(value('nano')).toEqual({ opaque: 'nano' });
  });

  it('reports errors with an offset', () => {
    const cases: Array<[string, number]> = [
      ["['a', 'b", 8],
      ['[1, 2', 5],
      ['<abc', 0],
      ["{'a' 1}", 5],
      ['1 2', 2],
      ['', 0],
    ];
    for (const [src, offset] of cases) {
      const r = readPyLiteral(src);
      expect(r.ok, src).toBe(false);
      if (!r.ok) {
        expect(r.offset, src).toBe(offset);
        expect(r.error.length, src).toBeGreaterThan(0);
      }
    }
  });

  it('never throws on garbage', () => {
    const garbage = [
      '\u0000\u0001\uFFFD',
      "'\\x4'",
      "'\\u12'",
      "'abc\\",
      "'a\nb'",
      '[[[[',
      ']]]',
      '{1: }',
      '=',
      '<<<',
      '@#$',
      "Foo('x'",
    ];
    for (const src of garbage) {
      const r = readPyLiteral(src);
      expect(r.ok, src).toBe(false);
      if (!r.ok) expect(typeof r.offset).toBe('number');
    }
  });
});

describe('readPyStringList', () => {
  it('accepts a list of strings with either quote kind', () => {
    expect(readPyStringList(`['a', "b's"]`)).toEqual({ ok: true, value: ['a', "b's"] });
    expect(readPyStringList('[]')).toEqual({ ok: true, value: [] });
  });

  it('rejects lists of other things and non-lists', () => {
    expect(readPyStringList('[1]').ok).toBe(false);
    expect(readPyStringList("['a', None]").ok).toBe(false);
    expect(readPyStringList("'a'").ok).toBe(false);
    expect(readPyStringList("{'a': 'b'}").ok).toBe(false);
  });

  it('rejects garbage', () => {
    for (const src of ['hello world', '[a, b]', '', '[,]', "['a' 'b']"]) {
      expect(readPyStringList(src).ok, src).toBe(false);
    }
  });

  it('reports an unterminated string with an offset and never throws', () => {
    const r = readPyStringList("['a', 'b");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.offset).toBe(8);
      expect(r.error).toContain('unterminated');
    }
  });
});

describe('readPyKeywordArgs', () => {
  it('reads a realistic argparse Namespace body in order', () => {
    const body =
      "backend='vllm', num_prompts=100, request_rate=inf, seed=0, ignore_eos=True, base_url=None, dispatch_function=<function cmd at 0x2ae0>, metadata=None, goodput=['ttft:5']";
    const r = readPyKeywordArgs(body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map(([k]) => k)).toEqual([
      'backend',
      'num_prompts',
      'request_rate',
      'seed',
      'ignore_eos',
      'base_url',
      'dispatch_function',
      'metadata',
      'goodput',
    ]);
    const args = new Map(r.value);
    expect(args.get('backend')).toBe('vllm');
    expect(args.get('num_prompts')).toBe(100);
    expect(args.get('request_rate')).toBe(Number.POSITIVE_INFINITY);
    expect(args.get('seed')).toBe(0);
    expect(args.get('ignore_eos')).toBe(true);
    expect(args.get('base_url')).toBeNull();
    expect(args.get('dispatch_function')).toEqual({ opaque: '<function cmd at 0x2ae0>' });
    expect(args.get('metadata')).toBeNull();
    expect(args.get('goodput')).toEqual(['ttft:5']);
  });

  it('reads nested values, enums and paths', () => {
    const r = readPyKeywordArgs(
      "load_format=<LoadFormat.AUTO: 'auto'>, download_dir=PosixPath('/x'), dtype=LoadFormat.AUTO, kv={'a': (1, 2)}",
    );
    expect(r).toEqual({
      ok: true,
      value: [
        ['load_format', { opaque: "<LoadFormat.AUTO: 'auto'>" }],
        ['download_dir', { opaque: "PosixPath('/x')" }],
        ['dtype', { opaque: 'LoadFormat.AUTO' }],
        ['kv', { dict: [['a', [1, 2]]] }],
      ],
    });
  });

  it('reads an empty body as no arguments', () => {
    expect(readPyKeywordArgs('')).toEqual({ ok: true, value: [] });
    expect(readPyKeywordArgs('   ')).toEqual({ ok: true, value: [] });
  });

  it('reports malformed bodies with an offset', () => {
    for (const src of ["model='m', por", 'a=1 b=2', '=1', 'a=', "a='x", '1=2', 'a=1,']) {
      const r = readPyKeywordArgs(src);
      expect(r.ok, src).toBe(false);
      if (!r.ok) {
        expect(r.offset, src).toBeGreaterThanOrEqual(0);
        expect(r.offset, src).toBeLessThanOrEqual(src.length);
      }
    }
    const cut = readPyKeywordArgs("model='m', por");
    expect(cut).toMatchObject({ ok: false, offset: 14 });
  });
});

describe('pyReprString', () => {
  it('uses single quotes by default', () => {
    expect(pyReprString('abc')).toBe("'abc'");
    expect(pyReprString('')).toBe("''");
    expect(pyReprString('say "hi"')).toBe(`'say "hi"'`);
  });

  it('uses double quotes when the text holds \' but no "', () => {
    expect(pyReprString("it's")).toBe(`"it's"`);
    expect(pyReprString(`say "hi" it's`)).toBe(String.raw`'say "hi" it\'s'`);
  });

  it('escapes backslash, newline, tab and control characters', () => {
    expect(pyReprString('a\\b')).toBe(String.raw`'a\\b'`);
    expect(pyReprString('a\nb')).toBe(String.raw`'a\nb'`);
    expect(pyReprString('a\tb\rc')).toBe(String.raw`'a\tb\rc'`);
    expect(pyReprString('\x07')).toBe(String.raw`'\x07'`);
    expect(pyReprString('\x00\x1f\x7f')).toBe(String.raw`'\x00\x1f\x7f'`);
    expect(pyReprString('a\x07\\\n"\'')).toBe(String.raw`'a\x07\\\n"\''`);
  });

  it('keeps non-ASCII text as is', () => {
    expect(pyReprString('é')).toBe("'é'");
    expect(pyReprString('日本語 😀')).toBe("'日本語 😀'");
  });

  it('round-trips through readPyLiteral', () => {
    for (const s of ['', 'a', "it's", 'say "hi" it\'s', 'a\\b\n\t\r\x07\x00', 'café 😀', '\x7f\x1b[0m']) {
      expect(readPyLiteral(pyReprString(s))).toEqual({ ok: true, value: s });
    }
  });
});

describe('pyReprStringList', () => {
  it('writes a list as Python does', () => {
    expect(pyReprStringList([])).toBe('[]');
    expect(pyReprStringList(['a'])).toBe("['a']");
    expect(pyReprStringList(['a', "b's", 'c\n'])).toBe(String.raw`['a', "b's", 'c\n']`);
  });

  it('round-trips through readPyStringList', () => {
    const items = ['ttft:5', "it's", 'x"y', '\\'];
    expect(readPyStringList(pyReprStringList(items))).toEqual({ ok: true, value: items });
  });
});

describe('pyReprFloat', () => {
  it("matches Python's repr()", () => {
    const cases: Array<[number, string]> = [
      [0.0, '0.0'],
      [-0.0, '-0.0'],
      [1.0, '1.0'],
      [12797.0, '12797.0'],
      [3203.0584950697084, '3203.0584950697084'],
      [0.1, '0.1'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [1e16, '1e+16'],
      [123456789012345.6, '123456789012345.6'],
      [1.5e-7, '1.5e-07'],
      [2.5e20, '2.5e+20'],
      [-4.76, '-4.76'],
      [Number.NaN, 'nan'],
      [Number.POSITIVE_INFINITY, 'inf'],
      [Number.NEGATIVE_INFINITY, '-inf'],
      [9999999999999998, '9999999999999998.0'],
      [1e22, '1e+22'],
      [1e100, '1e+100'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [-1e-5, '-1e-05'],
      [100.0, '100.0'],
    ];
    for (const [x, expected] of cases) expect(pyReprFloat(x), String(x)).toBe(expected);
  });

  it('round-trips 200 pseudo-random doubles of mixed magnitudes', () => {
    // fixed-seed 32-bit LCG (Numerical Recipes constants)
    let state = 12345;
    const next = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    for (let i = 0; i < 200; i++) {
      const exponent = Math.floor(next() * 29) - 8; // 1e-8 .. 1e20
      const mantissa = 1 + next() * 9;
      const sign = next() < 0.3 ? -1 : 1;
      const x = sign * mantissa * 10 ** exponent;
      const text = pyReprFloat(x);
      expect(Number(text), `${x} -> ${text}`).toBe(x);
      // Python's float repr is either scientific or has a decimal point
      expect(text, String(x)).toMatch(/^-?(?:\d+\.\d+|\d(?:\.\d+)?e[-+]\d{2,3})$/);
    }
  });
});

describe('escapes at the edges of Unicode', () => {
  it('refuses a \\U escape beyond the last code point instead of throwing', () => {
    const r = readPyLiteral("'\\UFFFFFFFF'");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('beyond the last Unicode code point');
  });

  it('escapes non-printable characters outside ASCII as Python does', () => {
    expect(pyReprString('\x85')).toBe("'\\x85'");
    expect(pyReprString('a\u2028b')).toBe("'a\\u2028b'");
    expect(pyReprString('\u00a0')).toBe("'\\xa0'");
    expect(pyReprString('é ü')).toBe("'é ü'");
  });
});
