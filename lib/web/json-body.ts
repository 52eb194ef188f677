/**
 * Reads a request body as one JSON object, refusing what JSON.parse would silently accept: a key
 * given twice in one object (JSON.parse keeps the last, so `{"dry_run":true,"dry_run":false}` would
 * run for real) and nesting deeper than any input of ours. The repeats are found on the syntax tree
 * of @humanwhocodes/momoa, a strict JSON parser that keeps every member as written (ESLint's JSON
 * support finds duplicate keys on the same tree), so no hand-written tokenizer decides what a key is.
 */
import { type AnyNode, parse as parseTree } from '@humanwhocodes/momoa';
import { InputError } from '../errors.js';
import { HttpError } from './http-error.js';
import { shownName } from './shown-name.js';

/** Far beyond any input of ours (a few levels), and well within what the tree parser's recursion survives. */
export const MAX_JSON_DEPTH = 64;

export function parseJsonObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'input', 'The request body is not valid JSON.', {
      hint: 'Send a JSON object, e.g. {"env":"staging"}.',
    });
  }
  if (!isRecord(parsed)) throw notAnObject();
  if (depthOf(parsed) > MAX_JSON_DEPTH) {
    throw new HttpError(400, 'input', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, {
      hint: 'Send the parameters as the fields of one flat object.',
    });
  }
  const repeated = repeatedKey(text);
  if (repeated !== undefined) {
    throw new InputError(
      'The request',
      [{ path: shownName(repeated), message: 'is given more than once in the JSON body' }],
      {
        hint: 'Give each field once.',
      },
    );
  }
  return parsed;
}

export function notAnObject(): HttpError {
  return new HttpError(400, 'input', 'The request body must be a JSON object.', {
    hint: 'Send the parameters as the fields of one object.',
  });
}

/** How deeply arrays and objects nest, counted without recursion (the value may be 100,000 deep). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The path (`a.b[0].c`) of the first key an object gives twice, by its decoded name; undefined if none. */
function repeatedKey(text: string): string | undefined {
  const stack: [AnyNode, string][] = [[parseTree(text, { mode: 'json' }).body, '']];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (node.type === 'Array') {
      node.elements.forEach((element, index) => {
        stack.push([element.value, `${path}[${index}]`]);
      });
    } else if (node.type === 'Object') {
      const seen = new Set<string>();
      for (const member of node.members) {
        const name = member.name.type === 'String' ? member.name.value : member.name.name;
        const memberPath = path === '' ? name : `${path}.${name}`;
        if (seen.has(name)) return memberPath;
        seen.add(name);
        stack.push([member.value, memberPath]);
      }
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
