/**
 * A refusal decided by the web adapter itself (wrong method, unsupported body, bad JSON). It is a
 * ToolError like any other, so the one top-level catch shapes it; only the status code varies.
 */
import { type ErrorKind, ToolError, type ToolErrorOptions } from '../errors.js';

export class HttpError extends ToolError {
  readonly kind: ErrorKind;
  readonly exitCode = 2;
  readonly statusCode: number;

  constructor(statusCode: number, kind: ErrorKind, message: string, options: ToolErrorOptions = {}) {
    super(message, options);
    this.statusCode = statusCode;
    this.kind = kind;
  }
}
