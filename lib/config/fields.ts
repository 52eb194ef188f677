/** Field schemas shared by the manifest and the app spec. */
import * as z from 'zod';
import { customError } from './input.js';

/** An integer in [min, max]; one message for every way of missing it. */
export function integerBetween(min: number, max: number, message: string) {
  return z.int(customError(message)).min(min, message).max(max, message);
}

export const portSchema = integerBetween(1, 65535, 'must be a port number between 1 and 65535');
export const httpPathSchema = z
  .string()
  .startsWith('/', 'must be a path starting with /')
  .max(2048, 'must be at most 2048 characters')
  .regex(/^[^\s\u0000-\u001f\u007f]*$/, 'must be a URL path without spaces or control characters');
export const envKeySchema = z
  .string()
  .max(255, 'must be at most 255 characters')
  .regex(
    /^[_A-Za-z][_A-Za-z0-9]*$/,
    'must be a variable name: letters, digits and _, not starting with a digit',
  );
/**
 * Environment values are text. YAML reads `8080` and `true` as a number and a boolean, which read back
 * exactly; a fraction such as `1.10` would not, so it must be quoted.
 */
export const envValueSchema = z.union(
  [z.string(), z.boolean().transform(String), z.int().transform(String)],
  customError("must be text: quote it ('1.10') so YAML keeps it exactly as written"),
);
