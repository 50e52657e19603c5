/**
 * The protobuf text format (schema.pbtxt) for TFDV's Schema: a tokenizer + recursive-descent
 * parser and a printer, driven by the field table in descriptor.ts.
 *
 * Why hand-written: protobufjs (8.x, `ext/textformat`) and @bufbuild/protobuf (`txtpb`) gained
 * text-format support only in 2026; protobufjs reports errors with a line but no column (and
 * value errors such as a bad enum with no position at all), and both need the Schema's .proto
 * descriptors compiled in. This module is small, has exact line:column errors, and accepts the
 * grammar of the text format spec that schema files use: `field: value`, `field { ... }`,
 * `field: { ... }`, `field < ... >`, `field: [a, b]` lists, `,`/`;` separators, `#` comments,
 * single/double-quoted strings with C escapes and adjacent-string concatenation, decimal / hex /
 * octal integers, floats with f suffix, inf / nan, enum names or numbers, true/false/t/f/1/0.
 * Extensions and Any expansion (`[type.googleapis.com/...]`) are refused with their position.
 */
import { UserError } from '../util/errors';
import { FieldDescriptor, MessageDescriptor, messageDescriptor } from './descriptor';
import type { Schema } from './types';

interface Token {
  kind: 'ident' | 'number' | 'string' | 'punct' | 'eof';
  text: string;
  /** Decoded value of a string token. */
  value?: string;
  line: number;
  column: number;
}

export class TextFormatError extends UserError {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: number,
    message: string,
    hint?: string,
  ) {
    super(`${source}:${line}:${column}: ${message}`, hint);
    this.name = 'UserError';
  }
}

class Tokenizer {
  private pos = 0;
  private line = 1;
  private column = 1;
  private peeked?: Token;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  error(token: Pick<Token, 'line' | 'column'>, message: string, hint?: string): TextFormatError {
    return new TextFormatError(this.source, token.line, token.column, message, hint);
  }

  peek(): Token {
    if (!this.peeked) this.peeked = this.read();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  private advance(n = 1): void {
    for (let i = 0; i < n; i++) {
      if (this.text[this.pos] === '\n') {
        this.line++;
        this.column = 1;
      } else {
        this.column++;
      }
      this.pos++;
    }
  }

  private read(): Token {
    // Whitespace and # comments.
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) return { kind: 'eof', text: '', line: this.line, column: this.column };
      if (ch === '#') {
        while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.advance();
        continue;
      }
      if (/\s/.test(ch)) {
        this.advance();
        continue;
      }
      break;
    }
    const start = { line: this.line, column: this.column };
    const rest = this.text.slice(this.pos);
    const ch = rest[0];
    if (ch === '"' || ch === "'") return { kind: 'string', ...this.readString(ch, start), ...start };
    const number = /^(?:0[xX][0-9A-Fa-f]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fF]?)/.exec(rest);
    if (number && /[0-9.]/.test(ch)) {
      if (/^[A-Za-z_]/.test(rest.slice(number[0].length))) {
        throw this.error(start, `invalid number "${rest.slice(0, number[0].length + 1)}"`);
      }
      this.advance(number[0].length);
      return { kind: 'number', text: number[0], ...start };
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (ident) {
      this.advance(ident[0].length);
      return { kind: 'ident', text: ident[0], ...start };
    }
    if ('{}<>:[],;-/.'.includes(ch)) {
      this.advance();
      return { kind: 'punct', text: ch, ...start };
    }
    throw this.error(start, `unexpected character ${JSON.stringify(ch)}`);
  }

  /** A quoted string with C escapes; the text format stores bytes, which we decode as UTF-8. */
  private readString(quote: string, start: { line: number; column: number }): { text: string; value: string } {
    const bytes: number[] = [];
    const begin = this.pos;
    this.advance();
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined || ch === '\n') throw this.error(start, 'unterminated string', `close it with ${quote} on the same line.`);
      if (ch === quote) {
        this.advance();
        break;
      }
      if (ch !== '\\') {
        const code = this.text.codePointAt(this.pos)!;
        const char = String.fromCodePoint(code);
        bytes.push(...Buffer.from(char, 'utf8'));
        this.advance(char.length);
        continue;
      }
      const escapePos = { line: this.line, column: this.column };
      this.advance();
      const e = this.text[this.pos];
      const simple: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, '\\': 92, '?': 63, a: 7, b: 8, f: 12, v: 11 };
      if (e !== undefined && e in simple) {
        bytes.push(simple[e]);
        this.advance();
        continue;
      }
      const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.pos, this.pos + 3));
      if (octal) {
        bytes.push(parseInt(octal[0], 8) & 0xff);
        this.advance(octal[0].length);
        continue;
      }
      const hex = /^[xX]([0-9A-Fa-f]{1,2})/.exec(this.text.slice(this.pos, this.pos + 3));
      if (hex) {
        bytes.push(parseInt(hex[1], 16));
        this.advance(hex[0].length);
        continue;
      }
      const unicode = /^(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))/.exec(this.text.slice(this.pos, this.pos + 9));
      if (unicode) {
        bytes.push(...Buffer.from(String.fromCodePoint(parseInt(unicode[1] ?? unicode[2], 16)), 'utf8'));
        this.advance(unicode[0].length);
        continue;
      }
      throw this.error(escapePos, `invalid escape "\\${e ?? ''}" in string`);
    }
    return { text: this.text.slice(begin, this.pos), value: Buffer.from(bytes).toString('utf8') };
  }
}

type JsonObject = Record<string, unknown>;

/** Parses a Schema from the text format; errors name `source:line:column`. */
export function parseSchemaText(text: string, source = 'schema.pbtxt'): Schema {
  const tokens = new Tokenizer(text, source);
  const schema = parseMessageBody(tokens, messageDescriptor('Schema'), 'eof', 0) as unknown as Schema;
  if (!schema.feature) schema.feature = [];
  return schema;
}

/**
 * protobuf's own parsers (C++ TextFormat and JSON, which TFDV uses) refuse messages nested deeper
 * than 100 levels; so do we, with the position, instead of running out of stack on a 5,000-deep
 * struct_domain.
 */
export const MAX_NESTING_DEPTH = 100;

function checkDepth(tokens: Tokenizer, open: Token, depth: number): void {
  if (depth > MAX_NESTING_DEPTH) {
    throw tokens.error(
      open,
      `messages are nested more than ${MAX_NESTING_DEPTH} levels deep here (protobuf's recursion limit, which TFDV's parser applies too)`,
      'flatten the schema: nest struct_domain features fewer than 100 levels deep.',
    );
  }
}

function parseMessageBody(tokens: Tokenizer, descriptor: MessageDescriptor, end: 'eof' | '}' | '>', depth: number): JsonObject {
  const out: JsonObject = {};
  const seen = new Set<string>();
  for (;;) {
    const token = tokens.peek();
    if (end === 'eof' ? token.kind === 'eof' : token.kind === 'punct' && token.text === end) {
      tokens.next();
      return out;
    }
    if (token.kind === 'eof') throw tokens.error(token, `missing "${end}" at end of input`, `close the message opened earlier with "${end}".`);
    if (token.kind === 'punct' && token.text === '[') throw tokens.error(token, 'extensions and Any expansions ([...]) are not supported in schema files');
    if (token.kind !== 'ident') throw tokens.error(token, `expected a field name, found ${describe(token)}`);
    tokens.next();
    if (descriptor.open) {
      parseOpenField(tokens, out, token, depth);
    } else {
      const field = descriptor.fields.find((f) => f.name === token.text);
      if (!field) {
        throw tokens.error(
          token,
          `unknown field "${token.text}" in ${descriptor.name}`,
          `known fields of ${descriptor.name}: ${descriptor.fields.map((f) => f.name).join(', ')}.`,
        );
      }
      if (!field.repeated && seen.has(field.name)) throw tokens.error(token, `field "${field.name}" of ${descriptor.name} is set twice; it is not repeated`);
      seen.add(field.name);
      parseField(tokens, out, field, token, depth);
    }
    const sep = tokens.peek();
    if (sep.kind === 'punct' && (sep.text === ',' || sep.text === ';')) tokens.next();
  }
}

function parseField(tokens: Tokenizer, out: JsonObject, field: FieldDescriptor, nameToken: Token, depth: number): void {
  const add = (value: unknown) => {
    if (field.repeated) ((out[field.json] ??= []) as unknown[]).push(value);
    else out[field.json] = value;
  };
  if (field.kind === 'message') {
    const sep = tokens.peek();
    if (sep.kind === 'punct' && sep.text === ':') tokens.next();
    const parseOne = () => {
      const open = tokens.next();
      if (!(open.kind === 'punct' && (open.text === '{' || open.text === '<'))) {
        throw tokens.error(open, `expected "{" to start ${field.name} (a ${field.message} message), found ${describe(open)}`);
      }
      checkDepth(tokens, open, depth + 1);
      return parseMessageBody(tokens, messageDescriptor(field.message!), open.text === '{' ? '}' : '>', depth + 1);
    };
    if (isPunct(tokens.peek(), '[')) parseList(tokens, field, () => add(parseOne()));
    else add(parseOne());
    return;
  }
  const colon = tokens.next();
  if (!isPunct(colon, ':')) throw tokens.error(colon, `expected ":" after ${nameToken.text}, found ${describe(colon)}`);
  if (isPunct(tokens.peek(), '[')) {
    if (!field.repeated) throw tokens.error(tokens.peek(), `field "${field.name}" is not repeated; a list [...] is not allowed`);
    parseList(tokens, field, () => add(parseScalar(tokens, field)));
    return;
  }
  add(parseScalar(tokens, field));
}

function parseList(tokens: Tokenizer, field: FieldDescriptor, parseOne: () => void): void {
  tokens.next();
  if (isPunct(tokens.peek(), ']')) {
    tokens.next();
    return;
  }
  for (;;) {
    parseOne();
    const t = tokens.next();
    if (isPunct(t, ']')) return;
    if (!isPunct(t, ',')) throw tokens.error(t, `expected "," or "]" in the list of ${field.name}, found ${describe(t)}`);
  }
}

function parseScalar(tokens: Tokenizer, field: FieldDescriptor): unknown {
  const start = tokens.peek();
  switch (field.kind) {
    case 'string': {
      if (start.kind !== 'string') throw tokens.error(start, `field "${field.name}" needs a quoted string, found ${describe(start)}`);
      let value = '';
      while (tokens.peek().kind === 'string') value += tokens.next().value;
      return value;
    }
    case 'bool': {
      const t = tokens.next();
      if (t.kind === 'ident' && ['true', 't', 'True'].includes(t.text)) return true;
      if (t.kind === 'ident' && ['false', 'f', 'False'].includes(t.text)) return false;
      if (t.kind === 'number' && (t.text === '1' || t.text === '0')) return t.text === '1';
      throw tokens.error(t, `field "${field.name}" needs true or false, found ${describe(t)}`);
    }
    case 'enum': {
      const t = tokens.next();
      if (t.kind === 'ident' && field.values!.includes(t.text)) return t.text;
      if (t.kind === 'number' && /^[0-9]+$/.test(t.text) && Number(t.text) < field.values!.length) return field.values![Number(t.text)];
      throw tokens.error(t, `invalid value ${describe(t)} for enum field "${field.name}"`, `use one of: ${field.values!.join(', ')}.`);
    }
    case 'int64':
    case 'double': {
      const negative = isPunct(start, '-');
      if (negative) tokens.next();
      const t = tokens.next();
      const sign = negative ? -1 : 1;
      if (field.kind === 'double' && t.kind === 'ident' && /^(inf|infinity)$/i.test(t.text)) return sign * Infinity;
      if (field.kind === 'double' && t.kind === 'ident' && /^nan$/i.test(t.text)) return NaN;
      if (t.kind !== 'number') throw tokens.error(t, `field "${field.name}" needs a number, found ${describe(t)}`);
      if (field.kind === 'int64') {
        if (!/^(0[xX][0-9A-Fa-f]+|[0-9]+)$/.test(t.text)) throw tokens.error(t, `field "${field.name}" is an integer (int64); "${t.text}" is not an integer`);
        const value = /^0[0-7]+$/.test(t.text) ? parseInt(t.text, 8) : Number(t.text);
        return sign * value;
      }
      return sign * parseFloat(t.text.replace(/[fF]$/, '').replace(/^0[xX].*/, (h) => String(parseInt(h, 16))));
    }
  }
  throw new Error(`unhandled kind ${field.kind}`);
}

/** Fields of messages we carry without interpreting: repeated when they repeat, values as written. */
function parseOpenField(tokens: Tokenizer, out: JsonObject, nameToken: Token, depth: number): void {
  const key = nameToken.text.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const add = (value: unknown) => {
    if (!(key in out)) out[key] = value;
    else if (Array.isArray(out[key]) && (out[key] as unknown[] & { repeatedField?: boolean }).repeatedField) (out[key] as unknown[]).push(value);
    else {
      const list = [out[key], value] as unknown[] & { repeatedField?: boolean };
      Object.defineProperty(list, 'repeatedField', { value: true });
      out[key] = list;
    }
  };
  let t = tokens.peek();
  if (isPunct(t, ':')) {
    tokens.next();
    t = tokens.peek();
  }
  if (isPunct(t, '{') || isPunct(t, '<')) {
    tokens.next();
    checkDepth(tokens, t, depth + 1);
    add(parseMessageBody(tokens, { name: nameToken.text, fields: [], open: true }, t.text === '{' ? '}' : '>', depth + 1));
    return;
  }
  if (t.kind === 'string') {
    let value = '';
    while (tokens.peek().kind === 'string') value += tokens.next().value;
    add(value);
    return;
  }
  const negative = isPunct(t, '-');
  if (negative) tokens.next();
  const v = tokens.next();
  if (v.kind === 'number') {
    add((negative ? -1 : 1) * Number(v.text.replace(/[fF]$/, '')));
    return;
  }
  if (v.kind === 'ident') {
    if (v.text === 'true' || v.text === 'false') add(v.text === 'true');
    else add(negative ? `-${v.text}` : v.text);
    return;
  }
  throw tokens.error(v, `expected a value for "${nameToken.text}", found ${describe(v)}`);
}

function isPunct(t: Token, text: string): boolean {
  return t.kind === 'punct' && t.text === text;
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of input';
  if (t.kind === 'string') return `string ${t.text}`;
  return `"${t.text}"`;
}

// ---------------------------------------------------------------------------------------------
// Printer

/** Writes a Schema in the text format as protobuf's printer does (2-space indent, field-number order). */
export function formatSchemaText(schema: Schema): string {
  const lines: string[] = [];
  printMessage(schema as unknown as JsonObject, messageDescriptor('Schema'), lines, '');
  return lines.join('\n') + (lines.length ? '\n' : '');
}

function printMessage(value: JsonObject, descriptor: MessageDescriptor, lines: string[], indent: string): void {
  if (descriptor.open) {
    for (const [key, v] of Object.entries(value)) {
      const name = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      for (const item of Array.isArray(v) ? v : [v]) printOpenValue(name, item, lines, indent);
    }
    return;
  }
  for (const field of descriptor.fields) {
    const v = value[field.json];
    if (v === undefined || v === null) continue;
    const items = field.repeated ? (v as unknown[]) : [v];
    for (const item of items) {
      if (field.kind === 'message') {
        lines.push(`${indent}${field.name} {`);
        printMessage(item as JsonObject, messageDescriptor(field.message!), lines, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}${field.name}: ${formatScalar(field, item)}`);
      }
    }
  }
}

function printOpenValue(name: string, v: unknown, lines: string[], indent: string): void {
  if (v !== null && typeof v === 'object') {
    lines.push(`${indent}${name} {`);
    printMessage(v as JsonObject, { name, fields: [], open: true }, lines, `${indent}  `);
    lines.push(`${indent}}`);
  } else if (typeof v === 'string') {
    // Identifiers (enum values) were read unquoted; everything else is a string.
    lines.push(`${indent}${name}: ${/^-?[A-Z][A-Z0-9_]*$/.test(v) ? v : quote(v)}`);
  } else if (typeof v === 'number') {
    lines.push(`${indent}${name}: ${Number.isInteger(v) ? String(v) : formatDouble(v)}`);
  } else {
    lines.push(`${indent}${name}: ${String(v)}`);
  }
}

function formatScalar(field: FieldDescriptor, v: unknown): string {
  switch (field.kind) {
    case 'string':
      return quote(String(v));
    case 'bool':
      return v ? 'true' : 'false';
    case 'enum':
      return String(v);
    case 'int64':
      return String(Math.trunc(Number(v)));
    case 'double':
      return formatDouble(Number(v));
    default:
      throw new Error(`cannot print ${field.kind}`);
  }
}

/** Python's repr of a float (what protobuf's Python text printer writes): 1.0, 0.5, 1e-05, 1e+16. */
export function formatDouble(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = v.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(v);
  return /[.e]/.test(fixed) ? fixed : `${fixed}.0`;
}

/** C-style escaping as protobuf's text printer: non-ASCII bytes as octal, quotes and backslash escaped. */
function quote(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x22) out += '\\"';
    else if (byte === 0x27) out += "\\'";
    else if (byte === 0x5c) out += '\\\\';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}
