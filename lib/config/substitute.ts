/**
 * `${VAR}` and `${VAR:-default}` in configuration text, filled in from an environment record before
 * the YAML is parsed (so `port: ${DO_HTTP_PORT:-80}` becomes a number). `$${` writes a literal `${`,
 * e.g. for shell in cloud-init. Whole-line `#` comments are left alone so they can show the syntax.
 */
import { InputError, type Problem } from '../errors.js';

/** App-wide variables App Platform binds at deploy time. */
export const APP_BINDABLE_VARIABLES = ['APP_DOMAIN', 'APP_URL', 'APP_ID'] as const;

export interface SubstituteOptions {
  /**
   * Leave App Platform's bindable variables (`${APP_URL}`, `${db.DATABASE_URL}`, `${_self.URL}`) for
   * App Platform to fill in: an app spec sends them as written.
   */
  keepBindables?: boolean;
}

export interface Substitution {
  text: string;
  /** One per reference that could not be filled, at `line <n>`. Values are never quoted. */
  problems: Problem[];
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

export function substitute(
  text: string,
  env: Record<string, string | undefined>,
  options: SubstituteOptions = {},
): Substitution {
  const problems: Problem[] = [];
  const lines = text.split('\n').map((line, index) => {
    if (/^\s*#/.test(line)) return line;
    const path = `line ${index + 1}`;
    return line.replace(REFERENCE, (match: string, inner: string | undefined) => {
      if (match === '$${') return '${';
      if (inner === undefined) {
        problems.push({ path, message: `"\${" has no closing "}" on the same line` });
        return match;
      }
      if (options.keepBindables && isBindableVariable(inner)) return match;
      const parsed = EXPRESSION.exec(inner);
      if (parsed === null) {
        problems.push({
          path,
          message: `"${match}" is not a valid reference: write \${NAME} or \${NAME:-default}`,
        });
        return match;
      }
      const [, name = '', fallback] = parsed;
      const value = env[name];
      // Shell semantics for `:-`: an empty value also takes the default.
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      problems.push({
        path,
        message: `\${${name}} is unset or empty and has no default: set ${name} or write \${${name}:-default}`,
      });
      return match;
    });
  });
  return { text: lines.join('\n'), problems };
}

/** `substitute`, throwing an InputError about `subject` (the file) that lists every unfilled reference. */
export function substituteOrThrow(
  text: string,
  env: Record<string, string | undefined>,
  subject: string,
  options: SubstituteOptions = {},
): string {
  const { text: result, problems } = substitute(text, env, options);
  if (problems.length > 0) throw new InputError(subject, problems);
  return result;
}
