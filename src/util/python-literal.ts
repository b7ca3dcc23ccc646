/**
 * A strict reader and writer for the small subset of Python literal syntax found in published
 * benchmark data: `repr()` of lists, tuples, dicts, strings, numbers, booleans and None, plus the
 * opaque `<...>` object reprs that appear in `Namespace(...)` lines.
 *
 * Reading never throws: it returns `{ ok: false, error, offset }` with the character offset where the
 * input stopped making sense.
 */

/** A value read from a Python literal. Objects that cannot be represented (`<function f at 0x..>`,
 * `LoadFormat.AUTO`, `PosixPath('x')`) become `{ opaque: text }`. */
export type PyValue =
  | string
  | number
  | boolean
  | null
  | PyValue[]
  | { readonly dict: ReadonlyArray<readonly [PyValue, PyValue]> }
  | { readonly opaque: string };

/** Result of reading a Python literal: never throws. */
export type PyReadResult<T> = { ok: true; value: T } | { ok: false; error: string; offset: number };

class PyReadError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NUMBER_RE = /^[-+]?(?:\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?|\.\d[\d_]*(?:[eE][-+]?\d+)?|inf|nan)/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_.]*/;

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  fail(message: string): never {
    throw new PyReadError(message, this.pos);
  }

  skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos++;
  }

  peek(): string {
    return this.src[this.pos] ?? '';
  }

  expect(ch: string): void {
    this.skipSpace();
    if (this.peek() !== ch) this.fail(`expected '${ch}' but found ${this.describeHere()}`);
    this.pos++;
  }

  describeHere(): string {
    return this.pos >= this.src.length ? 'end of input' : `'${this.src.slice(this.pos, this.pos + 12)}'`;
  }

  value(): PyValue {
    this.skipSpace();
    const ch = this.peek();
    if (ch === '') this.fail('unexpected end of input');
    if (ch === "'" || ch === '"') return this.string();
    if (ch === '[') return this.sequence('[', ']');
    if (ch === '(') return this.sequence('(', ')');
    if (ch === '{') return this.dict();
    if (ch === '<') return { opaque: this.angle() };
    const num = NUMBER_RE.exec(this.src.slice(this.pos));
    if (num && (ch !== 'i' || num[0] === 'inf') && (ch !== 'n' || num[0] === 'nan')) {
      const text = num[0];
      // an identifier that merely starts with "inf"/"nan" (e.g. "info") is not a number
      const after = this.src[this.pos + text.length] ?? '';
      if (!/[A-Za-z0-9_]/.test(after)) {
        this.pos += text.length;
        return parsePyNumber(text);
      }
    }
    const ident = IDENT_RE.exec(this.src.slice(this.pos));
    if (ident) {
      const word = ident[0];
      this.pos += word.length;
      if (word === 'True') return true;
      if (word === 'False') return false;
      if (word === 'None') return null;
      // a call such as PosixPath('x') or an enum member such as LoadFormat.AUTO: opaque
      if (this.peek() === '(') {
        const start = this.pos - word.length;
        this.sequence('(', ')');
        return { opaque: this.src.slice(start, this.pos) };
      }
      return { opaque: word };
    }
    this.fail(`unexpected ${this.describeHere()}`);
  }

  string(): string {
    const quote = this.peek();
    this.pos++;
    let out = '';
    while (true) {
      if (this.pos >= this.src.length) this.fail('unterminated string');
      const c = this.src[this.pos++] ?? '';
      if (c === quote) return out;
      if (c === '\n') this.fail('newline inside a string');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.src[this.pos++] ?? '';
      switch (e) {
        case '\\':
        case "'":
        case '"':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '0':
          out += '\0';
          break;
        case 'a':
          out += '\x07';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'v':
          out += '\v';
          break;
        case 'x':
          out += this.hexChar(2);
          break;
        case 'u':
          out += this.hexChar(4);
          break;
        case 'U':
          out += this.hexChar(8);
          break;
        default:
          // Python keeps unknown escapes verbatim
          out += `\\${e}`;
      }
    }
  }

  hexChar(n: number): string {
    const hex = this.src.slice(this.pos, this.pos + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) this.fail(`bad \\x/\\u escape '${hex}'`);
    const cp = Number.parseInt(hex, 16);
    if (cp > 0x10ffff) this.fail(`escape '${hex}' is beyond the last Unicode code point`);
    this.pos += n;
    return String.fromCodePoint(cp);
  }

  sequence(open: string, close: string): PyValue[] {
    this.expect(open);
    const items: PyValue[] = [];
    this.skipSpace();
    if (this.peek() === close) {
      this.pos++;
      return items;
    }
    while (true) {
      items.push(this.value());
      this.skipSpace();
      const c = this.peek();
      if (c === ',') {
        this.pos++;
        this.skipSpace();
        if (this.peek() === close) {
          this.pos++;
          return items;
        }
        continue;
      }
      if (c === close) {
        this.pos++;
        return items;
      }
      this.fail(`expected ',' or '${close}' but found ${this.describeHere()}`);
    }
  }

  dict(): { dict: Array<[PyValue, PyValue]> } {
    this.expect('{');
    const entries: Array<[PyValue, PyValue]> = [];
    this.skipSpace();
    if (this.peek() === '}') {
      this.pos++;
      return { dict: entries };
    }
    while (true) {
      const k = this.value();
      this.expect(':');
      const v = this.value();
      entries.push([k, v]);
      this.skipSpace();
      const c = this.peek();
      if (c === ',') {
        this.pos++;
        this.skipSpace();
        if (this.peek() === '}') {
          this.pos++;
          return { dict: entries };
        }
        continue;
      }
      if (c === '}') {
        this.pos++;
        return { dict: entries };
      }
      this.fail(`expected ',' or '}' but found ${this.describeHere()}`);
    }
  }

  /** `<...>` with nesting and quoted strings inside (e.g. `<LoadFormat.AUTO: 'auto'>`). */
  angle(): string {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] ?? '';
      if (c === "'" || c === '"') {
        this.string();
        continue;
      }
      this.pos++;
      if (c === '<') depth++;
      else if (c === '>') {
        depth--;
        if (depth === 0) return this.src.slice(start, this.pos);
      }
    }
    this.pos = start;
    this.fail("unterminated '<...>'");
  }
}

function parsePyNumber(text: string): number {
  if (text === 'inf' || text === '+inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  if (text.endsWith('nan')) return Number.NaN;
  return Number(text.replaceAll('_', ''));
}

function run<T>(src: string, f: (r: Reader) => T): PyReadResult<T> {
  const r = new Reader(src);
  try {
    const value = f(r);
    r.skipSpace();
    if (r.pos !== src.length) return { ok: false, error: `trailing text ${r.describeHere()}`, offset: r.pos };
    return { ok: true, value };
  } catch (e) {
    if (e instanceof PyReadError) return { ok: false, error: e.message, offset: e.offset };
    throw e;
  }
}

/** Reads one Python literal (the whole input must be one value). */
export function readPyLiteral(src: string): PyReadResult<PyValue> {
  return run(src, (r) => r.value());
}

/** Reads a Python list of strings such as `['a', "b's"]`; anything else is an error. */
export function readPyStringList(src: string): PyReadResult<string[]> {
  const res = readPyLiteral(src);
  if (!res.ok) return res;
  if (!Array.isArray(res.value) || !res.value.every((v): v is string => typeof v === 'string')) {
    return { ok: false, error: 'not a list of strings', offset: 0 };
  }
  return { ok: true, value: res.value };
}

/**
 * Reads the inside of `Namespace(a=1, b='x', ...)` (keyword arguments, as Python's argparse prints
 * them). Returns the arguments in order.
 */
export function readPyKeywordArgs(src: string): PyReadResult<Array<[string, PyValue]>> {
  return run(src, (r: Reader) => {
    const out: Array<[string, PyValue]> = [];
    r.skipSpace();
    if (r.pos >= src.length) return out;
    while (true) {
      r.skipSpace();
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(r.pos));
      if (!m) r.fail(`expected an argument name but found ${r.describeHere()}`);
      r.pos += m[0].length;
      r.expect('=');
      out.push([m[0], r.value()]);
      r.skipSpace();
      if (r.pos >= src.length) return out;
      r.expect(',');
    }
  });
}

/** Characters Python's `str.isprintable()` rejects: categories Other (Cc, Cf, Cs, Co, Cn) and Separator (Zs, Zl, Zp), except the ASCII space. */
const NON_PRINTABLE = /^[\p{C}\p{Z}]$/u;

function pyEscape(cp: number): string {
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** Python's `repr()` of a str: single quotes unless the text holds a single quote and no double quote. */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f || (ch !== ' ' && NON_PRINTABLE.test(ch))) out += pyEscape(cp);
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a list of str, e.g. `['a', 'b']`. */
export function pyReprStringList(items: readonly string[]): string {
  return `[${items.map(pyReprString).join(', ')}]`;
}

/**
 * Python's `repr()` of a float (shortest round-trip digits, scientific notation below 1e-4 and from
 * 1e16, always a '.0' on integral values): what pandas writes into CSV.
 */
export function pyReprFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant = '', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  const negative = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, '0')}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}
