/**
 * DigitalOcean's size limits on Functions, with OpenWhisk's answers: an invocation's request (its
 * parameters) and an activation's result are at most 1 MB, a function's code at most 48 MB. A
 * request over the limit is refused with 413 before anything runs; a result over it ends the
 * activation as the action developer's error.
 */
import { OwError } from './errors.js';

export const MAX_PAYLOAD_BYTES = 1024 * 1024;
export const MAX_RESULT_BYTES = 1024 * 1024;
export const MAX_CODE_BYTES = 48 * 1024 * 1024;

/** 413 `<field> larger than allowed: <is> > <allowed> bytes.` when `bytes` is over `allowed`. */
export function checkSize(field: 'Request' | 'Exec', bytes: number, allowed: number): void {
  if (bytes > allowed) throw new OwError(413, `${field} larger than allowed: ${bytes} > ${allowed} bytes.`);
}

/** The error an over-long result is replaced with, or undefined when it fits. */
export function oversizeResult(result: unknown): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(result ?? {}), 'utf8');
  return bytes > MAX_RESULT_BYTES
    ? `The action produced a response that exceeded the allowed length: ${bytes} > ${MAX_RESULT_BYTES} bytes.`
    : undefined;
}

/** The bytes of an action's code: decoded for a base64 zip, as text otherwise. */
export function codeBytes(code: string, binary: boolean): number {
  return binary ? Buffer.byteLength(code, 'base64') : Buffer.byteLength(code, 'utf8');
}
