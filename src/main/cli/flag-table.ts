// CLI flags ↔ config paths, one table per command: builds a config input from flag strings and words a schema's complaints by flag.
import { z } from 'zod';
import { closestName } from '../../shared/closest-name';

export interface FlagRule {
  /** As typed: `--channels`. */
  flag: string;
  /** Where its value goes in the config input (and where the schema's issues about it point). */
  path: readonly string[];
  /** How the text is read: an integer, a number, text, or a comma-separated list. */
  kind: 'int' | 'number' | 'text' | 'list';
  /** Words accepted instead of a number (`auto`, `last`); passed on as they are. */
  words?: readonly string[];
}

/** A bad flag value, said as `--flag must be … (got …)`; the CLI prints it without a stack. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

/** `--discretize-images` → `discretizeImages`, the key commander stores it under. */
export const attributeOf = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

type Values = Record<string, unknown>;

/** A given value as the user typed it: numbers bare, other text quoted. */
const show = (v: unknown) => (typeof v !== 'string' ? JSON.stringify(v) : v.trim() !== '' && Number.isFinite(Number(v)) ? v : `'${v}'`);

/** The config input the given flags describe (flags not given are left out, so the schema's defaults apply). */
export function inputFromFlags(rules: readonly FlagRule[], values: Values): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const rule of rules) {
    const raw = values[attributeOf(rule.flag)];
    if (raw === undefined || typeof raw === 'boolean') continue;
    setAt(input, rule.path, readValue(rule, String(raw)));
  }
  return input;
}

function readValue(rule: FlagRule, text: string): unknown {
  if (rule.words?.includes(text)) return text;
  const alternatives = rule.words?.length ? `${rule.words.join(' or ')} or ` : '';
  if (rule.kind === 'text') return text;
  if (rule.kind === 'list') return text.split(',').map((s) => s.trim());
  const n = text.trim() === '' ? NaN : Number(text);
  if (rule.kind === 'int' && !Number.isInteger(n)) throw new FlagError(`${rule.flag} must be ${alternatives}an integer (got ${show(text)})`);
  if (rule.kind === 'number' && !Number.isFinite(n)) throw new FlagError(`${rule.flag} must be ${alternatives}a number (got ${show(text)})`);
  return n;
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path.at(-1)!] = value;
}

/** Runs `build` (which parses with a zod schema); its schema errors come back as one FlagError naming the flags. */
export function withFlagErrors<T>(rules: readonly FlagRule[], values: Values, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof z.ZodError) throw new FlagError(explainIssues(e, rules, values));
    throw e;
  }
}

/** One line per issue: the flag (or, for a setting no flag sets, its config path), the rule, and the value given. */
export function explainIssues(error: z.ZodError, rules: readonly FlagRule[], values: Values): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.map(String);
    // The rule whose path is the longest prefix of the issue's path (a list flag owns its elements).
    const rule = rules
      .filter((r) => r.path.length <= path.length && r.path.every((k, i) => k === path[i]))
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (!rule) return `${path.join('.') || 'config'}: ${issue.message}`;
    const raw = values[attributeOf(rule.flag)];
    const element = rule.kind === 'list' && path.length > rule.path.length ? String(raw).split(',')[Number(path[rule.path.length])]?.trim() : undefined;
    const got = element !== undefined ? `got ${show(element)}` : raw === undefined ? 'not given: the default or preset value' : `got ${show(raw)}`;
    const text = ruleText(issue, rule, element ?? (typeof raw === 'string' ? raw : undefined));
    return `${rule.flag}${text.startsWith(':') ? '' : ' '}${text} (${got})`;
  });
  return [...new Set(lines)].join('\n');
}

function ruleText(issue: z.core.$ZodIssue, rule: FlagRule, given: string | undefined): string {
  const alternatives = rule.words?.length ? `${rule.words.join(' or ')} or ` : '';
  const what = rule.kind === 'int' ? 'an integer' : 'a number';
  switch (issue.code) {
    case 'too_small':
      // An integer > 0 reads better as ≥ 1.
      if (issue.origin === 'number' && rule.kind === 'int' && !issue.inclusive) return `must be ${alternatives}${what} ≥ ${Math.floor(Number(issue.minimum)) + 1}`;
      if (issue.origin === 'number') return `must be ${alternatives}${what} ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must have at least ${issue.minimum} characters`;
      return `needs at least ${issue.minimum} ${rule.kind === 'list' ? 'entries' : 'items'}`;
    case 'too_big':
      if (issue.origin === 'number' && rule.kind === 'int' && !issue.inclusive) return `must be ${alternatives}${what} ≤ ${Math.ceil(Number(issue.maximum)) - 1}`;
      if (issue.origin === 'number') return `must be ${alternatives}${what} ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
      if (issue.origin === 'string') return `must have at most ${issue.maximum} characters`;
      return `takes at most ${issue.maximum} ${rule.kind === 'list' ? 'entries' : 'items'}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_type':
      return `must be ${alternatives}${issue.expected === 'int' ? 'an integer' : issue.expected === 'number' ? 'a number' : `a ${issue.expected}`}`;
    case 'invalid_value': {
      const options = issue.values.map(String);
      const hint = given === undefined ? undefined : closestName(given, options);
      return `must be one of ${options.join(', ')}${hint ? ` — did you mean '${hint}'?` : ''}`;
    }
    case 'invalid_union':
      return `must be ${alternatives}${rule.kind === 'int' ? 'an integer' : rule.kind === 'number' ? 'a number' : 'valid'}`;
    default:
      // A rule the schema states in words (`channels must be even …`).
      return `: ${issue.message}`;
  }
}

/** A flag whose value picks one of a few names (a preset, a recipe): the name, or a FlagError with a suggestion. */
export function choice<T extends string>(flag: string, value: string, options: readonly T[]): T {
  if ((options as readonly string[]).includes(value)) return value as T;
  const hint = closestName(value, options);
  throw new FlagError(`${flag} must be one of ${options.join(', ')}${hint ? ` — did you mean '${hint}'?` : ''} (got ${show(value)})`);
}
