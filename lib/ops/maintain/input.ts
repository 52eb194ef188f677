import type * as z from 'zod';
import { booleanParamSchema, commonInputSchema } from '../../config/input.js';
import { lockInputShape } from '../../lock/input.js';

export const maintainInputSchema = commonInputSchema.extend({
  /** Detect and report only: no repair, no clean-up, no mutating call (`dry_run` means the same). */
  report_only: booleanParamSchema.default(false),
  /** Remove stale resources the deployment owns (old droplet generations, untagged registry images). */
  cleanup: booleanParamSchema.default(true),
  /**
   * Seconds to wait while deploy, edit or teardown holds the deployment. Maintain does not wait
   * unless asked (0): it runs on a schedule, and the next run repairs what this one could not.
   */
  ...lockInputShape,
});

export type MaintainInput = z.output<typeof maintainInputSchema>;
