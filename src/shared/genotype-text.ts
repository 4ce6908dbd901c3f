// The genotype's text forms (DARTS reference text and its dialects, our JSON) and genotype validation.
import { genotypeSchema, type Genotype, type GenotypeEdge } from './genotype';
import { PRIMITIVES, isPrimitive, type Primitive } from './search-space';
import { closestName } from './closest-name';

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export type GenotypeCell = 'normal' | 'reduce';
/** A genotype field by its model name (the text format writes `normal_concat`, `reduce_concat`). */
export type GenotypeField = 'normal' | 'normalConcat' | 'reduce' | 'reduceConcat';

export type GenotypeErrorCode =
  | 'empty' // nothing to parse
  | 'syntax' // a token where it cannot be (missing comma, stray '=', bad character, unterminated string)
  | 'unbalanced' // brackets that do not pair up
  | 'trailing' // text after the end of the genotype
  | 'not-a-genotype' // the text is a value, but not Genotype(...) nor a genotype object
  | 'missing-field'
  | 'unknown-field'
  | 'duplicate-field'
  | 'bad-value' // a value of the wrong shape (a string where an index goes, a fraction, …)
  | 'unknown-op' // an operation name this engine does not implement
  | 'op-not-in-space' // a known operation outside the `ops` it was checked against
  | 'pair-count' // pairs not a multiple of K, no pairs, or a node count other than required
  | 'node-size' // a node of the nested form with other than K pairs
  | 'input-range' // an input state that does not exist yet for its node
  | 'concat-range' // a concat state that is not an intermediate node of the cell, or an empty concat
  | 'concat-duplicate';

export interface GenotypeErrorInfo {
  code: GenotypeErrorCode;
  /** The problem alone, without location (e.g. `input 6 does not exist yet — node 2 accepts inputs 0..3`). */
  reason: string;
  cell?: GenotypeCell;
  field?: GenotypeField;
  /** 0-based index into the cell's flat pair list (the reference's order). */
  pair?: number;
  /** 0-based intermediate node (state 2 + node). */
  node?: number;
  /** 1-based position in the text, for errors found while parsing text. */
  line?: number;
  column?: number;
  /** Two lines: the offending line (clipped around the column) and a caret under the column. */
  excerpt?: string;
}

/**
 * A genotype that cannot be read or is not well formed. `message` is one line,
 * `line L, column C: <cell> pair P (node N): <reason>` with the parts that are known;
 * `excerpt` (text errors only) shows where, with a caret.
 */
export class GenotypeError extends Error {
  override readonly name = 'GenotypeError';
  readonly code: GenotypeErrorCode;
  readonly reason: string;
  readonly cell: GenotypeCell | undefined;
  readonly field: GenotypeField | undefined;
  readonly pair: number | undefined;
  readonly node: number | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly excerpt: string | undefined;

  constructor(info: GenotypeErrorInfo) {
    super(composeMessage(info));
    this.code = info.code;
    this.reason = info.reason;
    this.cell = info.cell;
    this.field = info.field;
    this.pair = info.pair;
    this.node = info.node;
    this.line = info.line;
    this.column = info.column;
    this.excerpt = info.excerpt;
  }

  /** The message and, for text errors, the excerpt under it: what a CLI prints. */
  get detail(): string {
    return this.excerpt === undefined ? this.message : `${this.message}\n${this.excerpt}`;
  }
}

const FIELD_TEXT: Record<GenotypeField, string> = {
  normal: 'normal',
  normalConcat: 'normal_concat',
  reduce: 'reduce',
  reduceConcat: 'reduce_concat',
};

function composeMessage(info: GenotypeErrorInfo): string {
  const where = info.line !== undefined && info.column !== undefined ? `line ${info.line}, column ${info.column}: ` : '';
  let subject = '';
  if (info.cell !== undefined && info.pair !== undefined) {
    subject = `${info.cell} pair ${info.pair}${info.node !== undefined ? ` (node ${info.node})` : ''}: `;
  } else if (info.cell !== undefined && info.node !== undefined) {
    subject = `${info.cell} node ${info.node}: `;
  } else if (info.field !== undefined) {
    subject = `${FIELD_TEXT[info.field]}: `;
  } else if (info.cell !== undefined) {
    subject = `${info.cell}: `;
  }
  return where + subject + info.reason;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

export interface GenotypeCheckOptions {
  /** Inputs kept per intermediate node (default 2, as DARTS). */
  k?: number;
  /** The operations allowed (a search space's `ops`); any primitive when absent. */
  ops?: readonly Primitive[];
  /** Require exactly this many intermediate nodes in each cell. */
  nodes?: number;
}

/** What an issue points at, so a text parser can place it. */
type IssueTarget =
  | { kind: 'cell' }
  | { kind: 'op'; pair: number }
  | { kind: 'input'; pair: number }
  | { kind: 'concat' }
  | { kind: 'concat-item'; item: number };

interface Issue {
  info: GenotypeErrorInfo;
  target: IssueTarget;
}

const CELLS = ['normal', 'reduce'] as const;
const CONCAT_OF = { normal: 'normalConcat', reduce: 'reduceConcat' } as const satisfies Record<GenotypeCell, GenotypeField>;

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`K must be a whole number ≥ 1, got ${k}`);
}

function knownOps(): string {
  return PRIMITIVES.join(', ');
}

function collectIssues(g: Genotype, opts: GenotypeCheckOptions): Issue[] {
  const k = opts.k ?? 2;
  checkK(k);
  const issues: Issue[] = [];
  for (const cell of CELLS) {
    const pairs: unknown = g[cell];
    const concatField = CONCAT_OF[cell];
    const concat: unknown = g[concatField];
    if (!Array.isArray(pairs)) {
      issues.push({ info: { code: 'bad-value', cell, reason: 'must be a list of (op, input) pairs' }, target: { kind: 'cell' } });
      continue;
    }
    if (pairs.length === 0) {
      issues.push({ info: { code: 'pair-count', cell, reason: `has no pairs — each intermediate node takes exactly ${k}` }, target: { kind: 'cell' } });
    } else if (pairs.length % k !== 0) {
      issues.push({
        info: { code: 'pair-count', cell, reason: `${pairs.length} pairs is not a multiple of K=${k} (each intermediate node takes exactly ${k} inputs)` },
        target: { kind: 'cell' },
      });
    }
    const nodes = Math.ceil(pairs.length / k);
    if (opts.nodes !== undefined && pairs.length > 0 && nodes !== opts.nodes) {
      issues.push({
        info: { code: 'pair-count', cell, reason: `${pairs.length} pairs make ${nodes} nodes, but ${opts.nodes} are required (${opts.nodes * k} pairs at K=${k})` },
        target: { kind: 'cell' },
      });
    }
    pairs.forEach((edge: GenotypeEdge, pair) => {
      const node = Math.floor(pair / k);
      const at = { cell, pair, node };
      const op: unknown = edge?.op;
      const input: unknown = edge?.input;
      if (typeof op !== 'string' || !isPrimitive(op)) {
        issues.push({ info: { ...at, code: 'unknown-op', reason: unknownOpReason(String(op)) }, target: { kind: 'op', pair } });
      } else if (opts.ops !== undefined && !opts.ops.includes(op)) {
        issues.push({
          info: { ...at, code: 'op-not-in-space', reason: `operation '${op}' is not in this search space (ops: ${opts.ops.join(', ')})` },
          target: { kind: 'op', pair },
        });
      }
      if (typeof input !== 'number' || !Number.isInteger(input) || input < 0) {
        issues.push({ info: { ...at, code: 'bad-value', reason: `input ${String(input)} is not a state index (a whole number ≥ 0)` }, target: { kind: 'input', pair } });
      } else if (input > node + 1) {
        issues.push({
          info: { ...at, code: 'input-range', reason: `input ${input} does not exist yet — node ${node} accepts inputs 0..${node + 1}` },
          target: { kind: 'input', pair },
        });
      }
    });
    if (!Array.isArray(concat)) {
      issues.push({ info: { code: 'bad-value', cell, field: concatField, reason: 'must be a list of state indices' }, target: { kind: 'concat' } });
      continue;
    }
    if (concat.length === 0) {
      issues.push({
        info: { code: 'concat-range', cell, field: concatField, reason: `is empty — a cell must output at least one of its states 2..${nodes + 1}` },
        target: { kind: 'concat' },
      });
    }
    const seen = new Set<number>();
    concat.forEach((state: unknown, item) => {
      if (typeof state !== 'number' || !Number.isInteger(state) || state < 2 || state > nodes + 1) {
        const range = nodes >= 1 ? `states 2..${nodes + 1}` : 'no states';
        issues.push({
          info: { code: 'concat-range', cell, field: concatField, reason: `state ${String(state)} is out of range — a cell with ${nodes} node${nodes === 1 ? '' : 's'} can concatenate ${range}` },
          target: { kind: 'concat-item', item },
        });
      } else if (seen.has(state)) {
        issues.push({ info: { code: 'concat-duplicate', cell, field: concatField, reason: `state ${state} is listed twice` }, target: { kind: 'concat-item', item } });
      } else {
        seen.add(state);
      }
    });
  }
  return issues;
}

/**
 * Every problem with a genotype, first to last (normal before reduce): pair counts that are not a
 * multiple of K, unknown operations or ones outside `ops`, inputs that do not exist yet for their
 * node (node i accepts inputs 0 … i+1), concat states out of range or repeated.
 */
export function genotypeIssues(g: Genotype, opts: GenotypeCheckOptions = {}): GenotypeError[] {
  return collectIssues(g, opts).map((issue) => new GenotypeError(issue.info));
}

/** Throws the first of `genotypeIssues` as a GenotypeError; returns quietly for a well-formed genotype. */
export function validateGenotype(g: Genotype, opts: GenotypeCheckOptions = {}): void {
  const [first] = collectIssues(g, opts);
  if (first !== undefined) throw new GenotypeError(first.info);
}

/** Intermediate nodes per cell (pairs / K); throws if a cell's pairs are not a multiple of K or the cells disagree. */
export function nodesOf(g: Genotype, k = 2): number {
  checkK(k);
  for (const cell of CELLS) {
    if (g[cell].length === 0 || g[cell].length % k !== 0) {
      throw new GenotypeError({ code: 'pair-count', cell, reason: `${g[cell].length} pairs is not a positive multiple of K=${k}` });
    }
  }
  const normal = g.normal.length / k;
  const reduce = g.reduce.length / k;
  if (normal !== reduce) {
    throw new GenotypeError({ code: 'pair-count', reason: `the normal cell has ${normal} nodes but the reduction cell has ${reduce}` });
  }
  return normal;
}

function unknownOpReason(name: string): string {
  const hint = closestName(name, PRIMITIVES);
  return `unknown operation '${name}'${hint ? ` — did you mean '${hint}'?` : ''} (known: ${knownOps()})`;
}

// ---------------------------------------------------------------------------------------------
// Text: source positions and excerpts
// ---------------------------------------------------------------------------------------------

/** A place in the source text: 0-based offset, 1-based line and column (UTF-16 units). */
interface Pos {
  offset: number;
  line: number;
  column: number;
}

class Source {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  pos(offset: number): Pos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  /** `where` for a message about another place: `column 12` on the same line, else `line 3, column 12`. */
  where(at: Pos, from: Pos): string {
    return at.line === from.line ? `column ${at.column}` : `line ${at.line}, column ${at.column}`;
  }

  excerpt(at: Pos): string {
    const start = this.lineStarts[at.line - 1]!;
    const nextStart = this.lineStarts[at.line] ?? this.text.length + 1;
    const line = this.text.slice(start, nextStart - 1).replace(/\r$/, '').replace(/\t/g, ' ');
    const col = at.column - 1;
    const width = 72;
    const from = Math.max(0, Math.min(col - 36, line.length - width));
    const to = Math.min(line.length, from + width);
    const head = from > 0 ? '…' : '';
    const tail = to < line.length ? '…' : '';
    return `${head}${line.slice(from, to)}${tail}\n${' '.repeat(head.length + col - from)}^`;
  }

  fail(info: GenotypeErrorInfo, at: Pos | undefined): never {
    if (at === undefined) throw new GenotypeError(info);
    throw new GenotypeError({ ...info, line: at.line, column: at.column, excerpt: this.excerpt(at) });
  }
}

// ---------------------------------------------------------------------------------------------
// Text: tokenizer
// ---------------------------------------------------------------------------------------------

type TokenType = 'name' | 'string' | 'number' | 'punct' | 'eof';

interface Token {
  type: TokenType;
  /** Identifier (dots included), string contents, number or punctuation text. */
  value: string;
  /** The token as written. */
  raw: string;
  at: Pos;
  end: Pos;
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const PUNCT = '()[]{},=:';
const NAME_START = /[A-Za-z_]/;
const NAME_RE = /[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*/y;
const NUMBER_RE = /[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', '/': '/', '\\': '\\', "'": "'", '"': '"' };

function tokenize(src: Source): Token[] {
  const text = src.text;
  const tokens: Token[] = [];
  const push = (type: TokenType, value: string, start: number, end: number): void => {
    tokens.push({ type, value, raw: text.slice(start, end), at: src.pos(start), end: src.pos(end) });
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (NAME_START.test(c)) {
      NAME_RE.lastIndex = i;
      const m = NAME_RE.exec(text)!;
      push('name', m[0], i, i + m[0].length);
      i += m[0].length;
    } else if (/\d/.test(c) || ((c === '-' || c === '+') && /\d/.test(text[i + 1] ?? ''))) {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(text)!;
      push('number', m[0], i, i + m[0].length);
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      i = readString(src, i, push);
    } else if (PUNCT.includes(c)) {
      push('punct', c, i, i + 1);
      i++;
    } else if ('‘’“”'.includes(c)) {
      src.fail({ code: 'syntax', reason: `curly quote ${c} — genotype text needs straight quotes ' or "` }, src.pos(i));
    } else {
      src.fail({ code: 'syntax', reason: `unexpected character '${c}'` }, src.pos(i));
    }
  }
  const endOffset = tokens.length > 0 ? tokens[tokens.length - 1]!.end.offset : text.length;
  tokens.push({ type: 'eof', value: '', raw: '', at: src.pos(endOffset), end: src.pos(endOffset) });
  return tokens;
}

function readString(src: Source, start: number, push: (type: TokenType, value: string, start: number, end: number) => void): number {
  const text = src.text;
  const quote = text[start]!;
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== quote && text[i] !== '\n') {
    if (text[i] === '\\' && i + 1 < text.length) {
      const e = text[i + 1]!;
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      value += ESCAPES[e] ?? `\\${e}`;
      i += 2;
      continue;
    }
    value += text[i];
    i++;
  }
  if (text[i] !== quote) {
    src.fail({ code: 'syntax', reason: `unterminated string — the ${quote} opened here is never closed on its line` }, src.pos(start));
  }
  push('string', value, start, i + 1);
  return i + 1;
}

/** Pair every bracket before parsing, so an unbalanced one is reported where it is, not where parsing trips. */
function checkBrackets(src: Source, tokens: Token[]): void {
  const open: Token[] = [];
  for (const tok of tokens) {
    if (tok.type !== 'punct') continue;
    if (OPENERS[tok.value] !== undefined) {
      open.push(tok);
    } else if (CLOSERS[tok.value] !== undefined) {
      const top = open.pop();
      if (top === undefined) {
        src.fail({ code: 'unbalanced', reason: `unbalanced brackets — '${tok.value}' closes nothing (no '${CLOSERS[tok.value]}' is open)` }, tok.at);
      }
      if (OPENERS[top.value] !== tok.value) {
        src.fail(
          { code: 'unbalanced', reason: `unbalanced brackets — '${tok.value}' cannot close '${top.value}' opened at ${src.where(top.at, tok.at)} (expected '${OPENERS[top.value]}')` },
          tok.at,
        );
      }
    }
  }
  const top = open.pop();
  if (top !== undefined) {
    const eof = tokens[tokens.length - 1]!.at;
    src.fail({ code: 'unbalanced', reason: `unbalanced brackets — '${top.value}' opened at ${src.where(top.at, eof)} is never closed` }, eof);
  }
}

// ---------------------------------------------------------------------------------------------
// Text: a small value grammar (Python literals, JSON, calls) — recursive descent
// ---------------------------------------------------------------------------------------------
//   top   := [NAME '='] value EOF
//   value := STRING | NUMBER | NAME | NAME '(' args ')' | '[' items ']' | '(' items ')' | '{' entries '}'
//   args  := [arg (',' arg)* [',']]          arg := NAME '=' value | value
//   items := [value (',' value)* [',']]      entries := [key ':' value (',' key ':' value)* [',']]

/** A parsed value; `at` is absent for values that came from a JS object rather than text. */
type Ast =
  | { kind: 'call'; name: string; args: Arg[]; at?: Pos }
  | { kind: 'list' | 'tuple'; items: Ast[]; at?: Pos }
  | { kind: 'dict'; entries: Entry[]; at?: Pos }
  | { kind: 'string'; value: string; at?: Pos }
  | { kind: 'number'; value: number; raw: string; at?: Pos }
  | { kind: 'name'; value: string; at?: Pos };

interface Arg {
  name?: string;
  at?: Pos;
  value: Ast;
}

interface Entry {
  key: string;
  at?: Pos;
  value: Ast;
}

class Parser {
  private i = 0;

  constructor(
    private readonly src: Source,
    private readonly tokens: Token[],
  ) {}

  top(): { name: string | undefined; value: Ast } {
    let name: string | undefined;
    if (this.peek().type === 'name' && this.isPunct(this.peek(1), '=')) {
      name = this.next().value;
      this.next();
    }
    const value = this.value('Genotype(...) or a JSON object');
    const rest = this.peek();
    if (rest.type !== 'eof') {
      this.src.fail({ code: 'trailing', reason: `unexpected ${describeToken(rest)} after the end of the genotype` }, rest.at);
    }
    return { name, value };
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.type !== 'eof') this.i++;
    return tok;
  }

  private isPunct(tok: Token, p: string): boolean {
    return tok.type === 'punct' && tok.value === p;
  }

  private value(expected: string): Ast {
    const tok = this.next();
    switch (tok.type) {
      case 'string':
        return { kind: 'string', value: tok.value, at: tok.at };
      case 'number':
        return { kind: 'number', value: Number(tok.value), raw: tok.value, at: tok.at };
      case 'name':
        if (this.isPunct(this.peek(), '(')) {
          this.next();
          return { kind: 'call', name: tok.value, args: this.args(tok.value), at: tok.at };
        }
        return { kind: 'name', value: tok.value, at: tok.at };
      case 'punct':
        if (tok.value === '[') return { kind: 'list', items: this.items(']'), at: tok.at };
        if (tok.value === '(') return { kind: 'tuple', items: this.items(')'), at: tok.at };
        if (tok.value === '{') return { kind: 'dict', entries: this.entries(), at: tok.at };
        break;
      case 'eof':
        break;
    }
    return this.src.fail({ code: 'syntax', reason: `expected ${expected}, found ${describeToken(tok)}` }, tok.at);
  }

  /** After an item: a comma (then maybe the closer, for a trailing comma) or the closer. True when closed. */
  private separator(close: string, after: string): boolean {
    const tok = this.next();
    if (this.isPunct(tok, close)) return true;
    if (this.isPunct(tok, ',')) {
      if (this.isPunct(this.peek(), close)) {
        this.next();
        return true;
      }
      return false;
    }
    return this.src.fail({ code: 'syntax', reason: `expected ',' or '${close}' after ${after}, found ${describeToken(tok)}` }, tok.at);
  }

  private items(close: string): Ast[] {
    const items: Ast[] = [];
    if (this.isPunct(this.peek(), close)) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.value('a value'));
      if (this.separator(close, 'an item')) return items;
    }
  }

  private args(callee: string): Arg[] {
    const args: Arg[] = [];
    if (this.isPunct(this.peek(), ')')) {
      this.next();
      return args;
    }
    let keywords = false;
    for (;;) {
      const tok = this.peek();
      if (tok.type === 'name' && this.isPunct(this.peek(1), '=')) {
        this.next();
        this.next();
        keywords = true;
        args.push({ name: tok.value, at: tok.at, value: this.value(`a value for ${tok.value}`) });
      } else {
        if (keywords) this.src.fail({ code: 'syntax', reason: `positional argument after keyword arguments in ${callee}(...)` }, tok.at);
        args.push({ at: tok.at, value: this.value('an argument') });
      }
      if (this.separator(')', `an argument of ${callee}(...)`)) return args;
    }
  }

  private entries(): Entry[] {
    const entries: Entry[] = [];
    if (this.isPunct(this.peek(), '}')) {
      this.next();
      return entries;
    }
    for (;;) {
      const key = this.next();
      if (key.type !== 'string' && key.type !== 'name') {
        this.src.fail({ code: 'syntax', reason: `expected a key in quotes, found ${describeToken(key)}` }, key.at);
      }
      const colon = this.next();
      if (!this.isPunct(colon, ':')) {
        this.src.fail({ code: 'syntax', reason: `expected ':' after the key '${key.value}', found ${describeToken(colon)}` }, colon.at);
      }
      entries.push({ key: key.value, at: key.at, value: this.value(`a value for '${key.value}'`) });
      if (this.separator('}', 'an entry')) return entries;
    }
  }
}

function describeToken(tok: Token): string {
  if (tok.type === 'eof') return 'the end of the text';
  const raw = tok.raw.length > 24 ? `${tok.raw.slice(0, 23)}…` : tok.raw;
  return tok.type === 'string' ? raw : `'${raw}'`;
}

function describeAst(ast: Ast): string {
  switch (ast.kind) {
    case 'call':
      return `${ast.name}(...)`;
    case 'list':
      return 'a list [...]';
    case 'tuple':
      return 'a tuple (...)';
    case 'dict':
      return 'an object {...}';
    case 'string':
      return `'${ast.value}'`;
    case 'number':
      return ast.raw;
    case 'name':
      return ast.value;
  }
}

/** A JS value (parsed JSON) as the same tree the text parser builds, without positions. */
function astOf(value: unknown): Ast {
  if (Array.isArray(value)) return { kind: 'list', items: value.map(astOf) };
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'number') return { kind: 'number', value, raw: String(value) };
  if (value !== null && typeof value === 'object') {
    return { kind: 'dict', entries: Object.entries(value).map(([key, v]) => ({ key, value: astOf(v) })) };
  }
  return { kind: 'name', value: value === null ? 'null' : typeof value === 'boolean' ? String(value) : typeof value };
}

// ---------------------------------------------------------------------------------------------
// From the value tree to a Genotype
// ---------------------------------------------------------------------------------------------

interface Located {
  genotype: Genotype;
  /** Where each part was written (absent for JSON objects), to place validation errors. */
  cells: Record<GenotypeCell, { at?: Pos; pairs: { op?: Pos; input?: Pos }[] }>;
  concats: Record<GenotypeCell, { at?: Pos; items: (Pos | undefined)[] }>;
}

const FIELD_NAMES: Record<string, GenotypeField> = {
  normal: 'normal',
  reduce: 'reduce',
  normal_concat: 'normalConcat',
  normalConcat: 'normalConcat',
  reduce_concat: 'reduceConcat',
  reduceConcat: 'reduceConcat',
};
/** Positional order of the reference namedtuple. */
const FIELD_ORDER: readonly GenotypeField[] = ['normal', 'normalConcat', 'reduce', 'reduceConcat'];

class Reader {
  constructor(
    private readonly src: Source | undefined,
    private readonly k: number,
  ) {}

  private fail(info: GenotypeErrorInfo, at: Pos | undefined): never {
    if (this.src !== undefined) return this.src.fail(info, at);
    throw new GenotypeError(info);
  }

  genotype(ast: Ast): Located {
    const fields = new Map<GenotypeField, { value: Ast; at?: Pos }>();
    const expected = 'normal, normal_concat, reduce, reduce_concat';
    const add = (key: string, at: Pos | undefined, value: Ast): void => {
      const field = Object.hasOwn(FIELD_NAMES, key) ? FIELD_NAMES[key] : undefined;
      if (field === undefined) this.fail({ code: 'unknown-field', reason: `unknown field '${key}' (a genotype has ${expected})` }, at);
      if (fields.has(field)) this.fail({ code: 'duplicate-field', field, reason: `given twice` }, at);
      fields.set(field, { value, at });
    };
    if (ast.kind === 'call') {
      if (ast.name.split('.').pop() !== 'Genotype') {
        this.fail({ code: 'not-a-genotype', reason: `expected Genotype(...), found ${ast.name}(...)` }, ast.at);
      }
      ast.args.forEach((arg, i) => {
        if (arg.name !== undefined) return add(arg.name, arg.at, arg.value);
        const field = FIELD_ORDER[i];
        if (field === undefined) this.fail({ code: 'syntax', reason: `Genotype(...) takes 4 fields (${expected}), not ${ast.args.length}` }, arg.at);
        add(FIELD_TEXT[field], arg.at, arg.value);
      });
    } else if (ast.kind === 'dict') {
      for (const entry of ast.entries) add(entry.key, entry.at, entry.value);
    } else {
      this.fail({ code: 'not-a-genotype', reason: `expected Genotype(...) or a genotype object, found ${describeAst(ast)}` }, ast.at);
    }

    const located: Located = {
      genotype: { normal: [], normalConcat: [], reduce: [], reduceConcat: [] },
      cells: { normal: { pairs: [] }, reduce: { pairs: [] } },
      concats: { normal: { items: [] }, reduce: { items: [] } },
    };
    for (const [field, { value }] of fields) {
      switch (field) {
        case 'normal':
        case 'reduce':
          this.cell(value, field, located);
          break;
        case 'normalConcat':
          this.concat(value, 'normal', located);
          break;
        case 'reduceConcat':
          this.concat(value, 'reduce', located);
          break;
      }
    }
    for (const field of FIELD_ORDER) {
      if (!fields.has(field)) {
        const what = ast.kind === 'call' ? 'Genotype(...)' : 'the genotype object';
        this.fail({ code: 'missing-field', field, reason: `missing — ${what} needs ${expected}` }, ast.at);
      }
    }
    return located;
  }

  private cell(ast: Ast, cell: GenotypeCell, out: Located): void {
    if (ast.kind !== 'list' && ast.kind !== 'tuple') {
      this.fail({ code: 'bad-value', cell, reason: `expected a list of (op, input) pairs, found ${describeAst(ast)}` }, ast.at);
    }
    out.cells[cell].at = ast.at;
    const isGroup = (item: Ast): boolean =>
      (item.kind === 'list' || item.kind === 'tuple') && item.items.length > 0 && item.items.every((x) => x.kind === 'list' || x.kind === 'tuple' || x.kind === 'dict');
    const nested = ast.items.length > 0 && isGroup(ast.items[0]!);
    const pairs: Ast[] = [];
    ast.items.forEach((item, node) => {
      if (!nested) {
        pairs.push(item);
        return;
      }
      if (!isGroup(item)) {
        this.fail(
          { code: 'bad-value', cell, node, reason: `expected a list of this node's ${this.k} pairs (the per-node form [[(op, i), (op, i)], ...]), found ${describeAst(item)}` },
          item.at,
        );
      }
      const group = item as Extract<Ast, { kind: 'list' | 'tuple' }>;
      if (group.items.length !== this.k) {
        this.fail({ code: 'node-size', cell, node, reason: `has ${group.items.length} pairs, but each node takes exactly K=${this.k}` }, group.at);
      }
      pairs.push(...group.items);
    });
    pairs.forEach((pairAst, pair) => {
      const { edge, op, input } = this.edge(pairAst, cell, pair);
      out.genotype[cell].push(edge);
      out.cells[cell].pairs.push({ op, input });
    });
  }

  private edge(ast: Ast, cell: GenotypeCell, pair: number): { edge: GenotypeEdge; op?: Pos; input?: Pos } {
    const at = { cell, pair, node: Math.floor(pair / this.k) };
    let opAst: Ast | undefined;
    let inputAst: Ast | undefined;
    if ((ast.kind === 'tuple' || ast.kind === 'list') && ast.items.length === 2) {
      [opAst, inputAst] = ast.items;
    } else if (ast.kind === 'dict') {
      for (const entry of ast.entries) {
        if (entry.key === 'op') opAst = entry.value;
        else if (entry.key === 'input') inputAst = entry.value;
        else this.fail({ ...at, code: 'unknown-field', reason: `unknown key '${entry.key}' in a pair (expected op, input)` }, entry.at);
      }
      if (opAst === undefined || inputAst === undefined) {
        this.fail({ ...at, code: 'missing-field', reason: `a pair needs both 'op' and 'input'` }, ast.at);
      }
    } else {
      const found = ast.kind === 'tuple' || ast.kind === 'list' ? `${ast.items.length} item${ast.items.length === 1 ? '' : 's'}` : describeAst(ast);
      this.fail({ ...at, code: 'bad-value', reason: `expected an ('op', input) pair, found ${found}` }, ast.at);
    }
    opAst = opAst!;
    inputAst = inputAst!;
    if (opAst.kind !== 'string') {
      this.fail({ ...at, code: 'bad-value', reason: `expected an operation name in quotes, found ${describeAst(opAst)}` }, opAst.at);
    }
    if (!isPrimitive(opAst.value)) this.fail({ ...at, code: 'unknown-op', reason: unknownOpReason(opAst.value) }, opAst.at);
    if (inputAst.kind !== 'number' || !Number.isInteger(inputAst.value) || inputAst.value < 0) {
      this.fail({ ...at, code: 'bad-value', reason: `expected an input state index (a whole number ≥ 0), found ${describeAst(inputAst)}` }, inputAst.at);
    }
    return { edge: { op: opAst.value, input: inputAst.value }, op: opAst.at, input: inputAst.at };
  }

  private concat(ast: Ast, cell: GenotypeCell, out: Located): void {
    const field = CONCAT_OF[cell];
    const slot = out.concats[cell];
    slot.at = ast.at;
    // `list(range(2, 6))` and `list([2, 3])` are the same as their argument.
    if (ast.kind === 'call' && ast.name === 'list' && ast.args.length === 1 && ast.args[0]!.name === undefined) {
      return this.concat(ast.args[0]!.value, cell, out);
    }
    if (ast.kind === 'call' && ast.name === 'range') {
      const bounds = ast.args.map((arg) => {
        if (arg.name !== undefined || arg.value.kind !== 'number' || !Number.isInteger(arg.value.value)) {
          this.fail({ code: 'bad-value', cell, field, reason: `range(...) takes whole numbers, found ${describeAst(arg.value)}` }, arg.at);
        }
        return arg.value.value;
      });
      if (bounds.length < 1 || bounds.length > 3) {
        this.fail({ code: 'bad-value', cell, field, reason: `range(...) takes 1 to 3 numbers, not ${bounds.length}` }, ast.at);
      }
      const [start, stop, step] = bounds.length === 1 ? [0, bounds[0]!, 1] : [bounds[0]!, bounds[1]!, bounds[2] ?? 1];
      if (step === 0) this.fail({ code: 'bad-value', cell, field, reason: 'range(...) step must not be zero' }, ast.at);
      const values: number[] = [];
      for (let v = start; step > 0 ? v < stop : v > stop; v += step) {
        if (values.length > 1000) this.fail({ code: 'bad-value', cell, field, reason: 'range(...) is too long' }, ast.at);
        values.push(v);
      }
      out.genotype[field] = values;
      slot.items = values.map(() => ast.at);
      return;
    }
    if (ast.kind !== 'list' && ast.kind !== 'tuple') {
      this.fail({ code: 'bad-value', cell, field, reason: `expected a list of states like [2, 3, 4, 5] or range(2, 6), found ${describeAst(ast)}` }, ast.at);
    }
    for (const item of ast.items) {
      if (item.kind !== 'number' || !Number.isInteger(item.value)) {
        this.fail({ code: 'bad-value', cell, field, reason: `expected a state index (a whole number), found ${describeAst(item)}` }, item.at);
      }
      out.genotype[field].push(item.value);
      slot.items.push(item.at);
    }
  }
}

/** Check a located genotype; the first problem is thrown at the place it was written. */
function checkLocated(located: Located, opts: GenotypeCheckOptions, src: Source | undefined): Genotype {
  const [first] = collectIssues(located.genotype, opts);
  if (first !== undefined) {
    const cell = first.info.cell;
    let at: Pos | undefined;
    if (cell !== undefined) {
      const t = first.target;
      if (t.kind === 'cell') at = located.cells[cell].at;
      else if (t.kind === 'op' || t.kind === 'input') at = located.cells[cell].pairs[t.pair]?.[t.kind];
      else if (t.kind === 'concat') at = located.concats[cell].at;
      else at = located.concats[cell].items[t.item] ?? located.concats[cell].at;
    }
    if (src !== undefined) src.fail(first.info, at);
    throw new GenotypeError(first.info);
  }
  const parsed = genotypeSchema.safeParse(located.genotype);
  if (!parsed.success) {
    // Not reachable through the checks above; kept so the schema stays the last word.
    throw new GenotypeError({ code: 'bad-value', reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Public text and JSON API
// ---------------------------------------------------------------------------------------------

/** Parse, and also return the name the text assigned (`DARTS_V2 = Genotype(...)` → `DARTS_V2`). */
export function parseNamedGenotype(text: string, opts: GenotypeCheckOptions = {}): { name: string | undefined; genotype: Genotype } {
  checkK(opts.k ?? 2);
  const src = new Source(text);
  const tokens = tokenize(src);
  if (tokens.length === 1) {
    throw new GenotypeError({ code: 'empty', reason: 'no genotype given — paste Genotype(normal=[...], normal_concat=[...], reduce=[...], reduce_concat=[...]) or its JSON' });
  }
  checkBrackets(src, tokens);
  const { name, value } = new Parser(src, tokens).top();
  const located = new Reader(src, opts.k ?? 2).genotype(value);
  return { name, genotype: checkLocated(located, opts, src) };
}

/**
 * Read a genotype from text: the DARTS reference form `Genotype(normal=[('sep_conv_3x3', 1), ...],
 * normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=range(2, 6))`, optionally `NAME = ...`,
 * in any spacing or quoting, trailing commas allowed; the per-node form `normal=[[(op, i), (op, i)], ...]`;
 * or our JSON (`genotypeToJson`'s object, snake_case concat keys accepted). The result is validated
 * (`validateGenotype` with `opts`); every problem throws a GenotypeError with line and column.
 */
export function parseGenotype(text: string, opts: GenotypeCheckOptions = {}): Genotype {
  return parseNamedGenotype(text, opts).genotype;
}

/** The canonical reference text; `formatGenotype(parseGenotype(t))` is a fixed point after one round. */
export function formatGenotype(g: Genotype): string {
  const pairs = (edges: readonly GenotypeEdge[]): string => `[${edges.map((e) => `('${e.op}', ${e.input})`).join(', ')}]`;
  const states = (xs: readonly number[]): string => `[${xs.join(', ')}]`;
  return `Genotype(normal=${pairs(g.normal)}, normal_concat=${states(g.normalConcat)}, reduce=${pairs(g.reduce)}, reduce_concat=${states(g.reduceConcat)})`;
}

/** The JSON form: the `genotypeSchema` object, copied (no shared arrays with `g`). */
export type GenotypeJson = Genotype;

export function genotypeToJson(g: Genotype): GenotypeJson {
  return {
    normal: g.normal.map(({ op, input }) => ({ op, input })),
    normalConcat: [...g.normalConcat],
    reduce: g.reduce.map(({ op, input }) => ({ op, input })),
    reduceConcat: [...g.reduceConcat],
  };
}

/**
 * A validated genotype from a parsed JSON value: our object (camelCase or snake_case concat keys;
 * pairs as `{op, input}` or `[op, input]`, flat or one list per node). A string is parsed as text.
 */
export function genotypeFromJson(value: unknown, opts: GenotypeCheckOptions = {}): Genotype {
  if (typeof value === 'string') return parseGenotype(value, opts);
  checkK(opts.k ?? 2);
  const located = new Reader(undefined, opts.k ?? 2).genotype(astOf(value));
  return checkLocated(located, opts, undefined);
}
