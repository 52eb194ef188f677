/**
 * Reading a YAML configuration file: parse, then fill `${VAR}` references into the parsed values
 * (lib/config/substitute.ts). Problems name the line and never quote it, because a filled-in value
 * may be a secret.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseDocument, type YAMLError } from 'yaml';
import { InputError, type Problem } from '../errors.js';
import { fillReferences, type MarkedText, markReferences, type SubstituteOptions } from './substitute.js';

/** The parsed document of `path`; `subject` is how the file is named in errors. */
export function readYamlFile(
  path: string,
  env: Record<string, string | undefined>,
  subject: string,
  options: SubstituteOptions = {},
): unknown {
  let text: string;
  try {
    // Only a regular file of a sane size: /dev/zero or a FIFO would never end.
    const stat = statSync(path);
    if (!stat.isFile()) throw new InputError(subject, [{ path: 'file', message: 'is not a regular file' }]);
    if (stat.size > MAX_YAML_BYTES) {
      throw new InputError(subject, [
        { path: 'file', message: `is larger than ${MAX_YAML_BYTES / 1024} KB` },
      ]);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'the file does not exist' : `cannot be read (${code ?? 'unknown error'})`;
    throw new InputError(subject, [{ path: 'file', message }], { cause: error });
  }
  return parseYaml(text, subject, env, options);
}

/**
 * YAML's own messages can quote the source (a substituted secret), so a problem is described from
 * the error code alone.
 */
const YAML_ERRORS: Record<string, string> = {
  BAD_INDENT: 'wrong indentation',
  BAD_SCALAR_START: 'a plain value starting with a reserved character (quote it)',
  BLOCK_AS_IMPLICIT_KEY: 'a second ": " on one line (quote the value)',
  DUPLICATE_KEY: 'a key given twice',
  MISSING_CHAR: 'a missing character (an unclosed quote or bracket?)',
  MULTIPLE_DOCS: 'more than one document',
  TAB_AS_INDENT: 'a tab used for indentation',
  UNEXPECTED_TOKEN: 'an unexpected character',
};

function yamlProblem(error: YAMLError, marked: MarkedText): Problem {
  const position = error.linePos?.[0];
  const what = YAML_ERRORS[error.code] ?? error.code.toLowerCase().replaceAll('_', ' ');
  const column = position ? ` at column ${marked.originalColumn(position.line, position.col)}` : '';
  return {
    path: position ? `line ${position.line}` : 'file',
    message: `is not valid YAML${column}: ${what}`,
  };
}

/** `text` parsed, with `${VAR}` filled from `env`; `subject` is how the file is named in errors. */
export function parseYaml(
  text: string,
  subject: string,
  env: Record<string, string | undefined> = {},
  options: SubstituteOptions = {},
): unknown {
  const marked = markReferences(text, env, options);
  const document = parseDocument(marked.text);
  if (document.errors.length > 0) {
    throw new InputError(
      subject,
      document.errors.map((error) => yamlProblem(error, marked)),
    );
  }
  const problems = fillReferences(document, marked);
  if (problems.length > 0) throw new InputError(subject, problems);
  try {
    // Aliases are expanded here (an alias bomb, an unknown alias): the message may quote the
    // source, which can hold a substituted secret, so only its kind is reported.
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const what = /alias/i.test(String((error as Error).message))
      ? 'an alias that cannot be expanded (unknown, or too many)'
      : 'content that cannot be read';
    throw new InputError(subject, [{ path: 'file', message: `is not valid YAML: ${what}` }]);
  }
}

/** Manifests and app specs are a few KB; this is far above any real one. */
const MAX_YAML_BYTES = 1024 * 1024;
