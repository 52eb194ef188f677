/**
 * Cron schedules of scheduled triggers: the standard five fields (minute hour day-of-month month
 * day-of-week), evaluated in UTC against the emulator's virtual clock.
 */
import { CronExpressionParser } from 'cron-parser';

/** Undefined when the expression is valid, else why not. */
export function cronProblem(expression: string): string | undefined {
  if (expression.trim().split(/\s+/).length !== 5)
    return `invalid cron expression "${expression}": expected 5 fields`;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return undefined;
  } catch (error) {
    return `invalid cron expression "${expression}": ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The first run strictly after `after` (virtual epoch milliseconds). */
export function nextRun(expression: string, after: number): number {
  return CronExpressionParser.parse(expression, { currentDate: new Date(after), tz: 'UTC' })
    .next()
    .getTime();
}
