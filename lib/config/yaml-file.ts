/**
 * Reading a YAML configuration file: substitute variables, then parse. Problems name the line and
 * never quote it, because a substituted value may be a secret.
 */
import { readFileSync } from 'node:fs';
import { parseDocument, type YAMLError } from 'yaml';
import { InputError, type Problem } from '../errors.js';
import { type SubstituteOptions, substituteOrThrow } from './substitute.js';

/** The parsed document of `path`; `subject` is how the file is named in errors. */
export function readYamlFile(
  path: string,
  env: Record<string, string | undefined>,
  subject: string,
  options: SubstituteOptions = {},
): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'the file does not exist' : `cannot be read (${code ?? 'unknown error'})`;
    throw new InputError(subject, [{ path: 'file', message }], { cause: error });
  }
  return parseYaml(substituteOrThrow(text, env, subject, options), subject);
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

function yamlProblem(error: YAMLError): Problem {
  const position = error.linePos?.[0];
  const what = YAML_ERRORS[error.code] ?? error.code.toLowerCase().replaceAll('_', ' ');
  return {
    path: position ? `line ${position.line}` : 'file',
    message: `is not valid YAML${position ? ` at column ${position.col}` : ''}: ${what}`,
  };
}

export function parseYaml(text: string, subject: string): unknown {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new InputError(subject, document.errors.map(yamlProblem));
  return document.toJS();
}
