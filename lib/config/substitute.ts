/**
 * `${VAR}` and `${VAR:-default}` in configuration files, filled in from an environment record.
 * `$${` writes a literal `${`, e.g. for shell in cloud-init.
 *
 * Values are filled into the parsed YAML, never into its text: a value holding a line break, ` #`
 * or `: ` stays one string and cannot add, drop or retype a field. So the text is parsed with each
 * reference replaced by a placeholder token (letters and digits, valid anywhere in YAML), and the
 * tokens are then replaced inside the parsed scalars. A plain scalar that is exactly one reference
 * still takes the value's YAML type, so `port: ${DO_HTTP_PORT:-80}` is a number. References in
 * comments are never filled, so they can show the syntax.
 */
import { type Document, isScalar, parseDocument, type Scalar, visit } from 'yaml';
import type { Problem } from '../errors.js';

/** App-wide variables App Platform binds at deploy time. */
export const APP_BINDABLE_VARIABLES = ['APP_DOMAIN', 'APP_URL', 'APP_ID'] as const;

export interface SubstituteOptions {
  /**
   * Leave App Platform's bindable variables (`${APP_URL}`, `${db.DATABASE_URL}`, `${_self.URL}`) for
   * App Platform to fill in: an app spec sends them as written.
   */
  keepBindables?: boolean;
}

/** One `${…}` of the text: what it stands for, or why it cannot be filled. */
interface Reference {
  line: number;
  value?: string;
  problem?: string;
  /** From the environment or a default: as a whole plain scalar it may be a number or a boolean. */
  typed: boolean;
}

/** A line's replaced span, in 0-based columns of the marked and of the original line. */
interface Span {
  marked: [number, number];
  original: [number, number];
}

/** The text with every reference replaced by a token, ready to be parsed. */
export interface MarkedText {
  text: string;
  references: ReadonlyMap<string, Reference>;
  /** Matches any token of this text. */
  tokens: RegExp;
  /** The 1-based column in the original text for a column of the marked text (YAML errors). */
  originalColumn(line: number, column: number): number;
}

const REFERENCE = /\$\$\{|\$\{([^}\n]*)\}|\$\{/g;
const EXPRESSION = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;
/** `component.VARIABLE`; component names may contain dashes, `_self` refers to the component itself. */
const DOTTED_BINDABLE = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;

export function isBindableVariable(expression: string): boolean {
  return (
    (APP_BINDABLE_VARIABLES as readonly string[]).includes(expression) || DOTTED_BINDABLE.test(expression)
  );
}

/** What one reference (`match`, with `inner` between the braces) stands for. */
function resolve(
  match: string,
  inner: string | undefined,
  env: Record<string, string | undefined>,
  options: SubstituteOptions,
): Omit<Reference, 'line'> {
  if (match === '$${') return { value: '${', typed: false };
  if (inner === undefined) return { problem: `"\${" has no closing "}" on the same line`, typed: false };
  if (options.keepBindables && isBindableVariable(inner)) return { value: match, typed: false };
  const parsed = EXPRESSION.exec(inner);
  if (parsed === null) {
    return {
      problem: `"${match}" is not a valid reference: write \${NAME} or \${NAME:-default}`,
      typed: false,
    };
  }
  const [, name = '', fallback] = parsed;
  const value = env[name];
  // Shell semantics for `:-`: an empty value also takes the default.
  if (value !== undefined && value !== '') return { value, typed: true };
  if (fallback !== undefined) return { value: fallback, typed: true };
  return {
    problem: `\${${name}} is unset or empty and has no default: set ${name} or write \${${name}:-default}`,
    typed: false,
  };
}

/** A token prefix that the text does not contain, so no token can be confused with the text. */
function tokenPrefix(text: string): string {
  let prefix = 'base2ref';
  while (text.includes(prefix)) prefix += 'x';
  return prefix;
}

/** Replace every reference of `text` by a token, resolving each against `env`. */
export function markReferences(
  text: string,
  env: Record<string, string | undefined>,
  options: SubstituteOptions = {},
): MarkedText {
  const prefix = tokenPrefix(text);
  const references = new Map<string, Reference>();
  const spans = new Map<number, Span[]>();
  const lines = text.split('\n').map((line, index) => {
    const lineSpans: Span[] = [];
    let shift = 0;
    const marked = line.replace(REFERENCE, (match: string, inner: string | undefined, at: number) => {
      const token = `${prefix}${references.size}z`;
      references.set(token, { line: index + 1, ...resolve(match, inner, env, options) });
      lineSpans.push({
        marked: [at + shift, at + shift + token.length],
        original: [at, at + match.length],
      });
      shift += token.length - match.length;
      return token;
    });
    if (lineSpans.length > 0) spans.set(index + 1, lineSpans);
    return marked;
  });
  return {
    text: lines.join('\n'),
    references,
    tokens: new RegExp(`${prefix}\\d+z`, 'g'),
    originalColumn(line, column) {
      let offset = 0;
      for (const span of spans.get(line) ?? []) {
        if (column - 1 >= span.marked[1]) offset = span.original[1] - span.marked[1];
        else if (column - 1 >= span.marked[0]) return span.original[0] + 1;
      }
      return column + offset;
    },
  };
}

/** A value that is one whole plain scalar takes its YAML type when it is a number or a boolean. */
function typedValue(value: string): unknown {
  if (/\s/.test(value) || value === '') return value;
  const document = parseDocument(value);
  const node = document.contents;
  if (document.errors.length > 0 || !isScalar(node) || node.type !== 'PLAIN') return value;
  return typeof node.value === 'number' || typeof node.value === 'boolean' ? node.value : value;
}

/**
 * Fill the tokens of `marked` inside the parsed `document` (which it changes); the problems of the
 * references in use, by line. A key that becomes equal to another of its map is a problem too.
 */
export function fillReferences(document: Document, marked: MarkedText): Problem[] {
  const problems: Problem[] = [];
  const fill = (node: Scalar, isKey: boolean) => {
    if (typeof node.value !== 'string') return;
    const source = node.value;
    let used = false;
    const filled = source.replace(marked.tokens, (token) => {
      const reference = marked.references.get(token);
      if (reference === undefined) return token;
      used = true;
      if (reference.value !== undefined) return reference.value;
      problems.push({ path: `line ${reference.line}`, message: reference.problem ?? 'cannot be filled' });
      return token;
    });
    if (!used) return;
    const whole = marked.references.get(source);
    node.value = whole?.typed && !isKey && node.type === 'PLAIN' ? typedValue(filled) : filled;
  };
  visit(document, {
    Scalar(key, node) {
      fill(node, key === 'key');
    },
  });
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        const value = isScalar(key) ? key.value : key;
        if (seen.has(value)) {
          const line = lineAt(marked.text, isScalar(key) ? key.range?.[0] : undefined);
          problems.push({ path: line, message: 'is a key given twice once variables are filled' });
        }
        seen.add(value);
      }
    },
  });
  return problems.sort((a, b) => lineNumber(a.path) - lineNumber(b.path));
}

function lineAt(text: string, offset: number | undefined): string {
  return offset === undefined ? 'file' : `line ${text.slice(0, offset).split('\n').length}`;
}

function lineNumber(path: string): number {
  return Number(/^line (\d+)$/.exec(path)?.[1] ?? 0);
}
