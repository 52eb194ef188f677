import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LogType } from './log-lines.js';

/** Which log a URL serves. */
export interface LogRef {
  app: string;
  deployment: string;
  component?: string;
  type: LogType;
  follow: boolean;
  /** Only the last N lines (doctl's `--tail`). */
  tail?: number;
}

/**
 * Log URLs need no bearer token (doctl and app_action fetch them with a plain HTTP client), so
 * they carry their own: the log reference is signed with a secret only the emulator knows.
 */
export class LogUrls {
  constructor(
    private readonly baseUrl: () => string,
    private readonly secret: Buffer = randomBytes(32),
  ) {}

  url(ref: LogRef): string {
    const payload = Buffer.from(JSON.stringify(ref)).toString('base64url');
    return `${this.baseUrl()}/_emulator/logs/${payload}?token=${this.sign(payload)}`;
  }

  /** The reference a URL was signed for, or undefined when the token does not match. */
  verify(payload: string, token: string | null): LogRef | undefined {
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(token ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LogRef;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
