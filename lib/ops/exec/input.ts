/**
 * The exec input. `command` is a command line by design (pipes, `&&` and quotes are the user's to
 * use), so it is only bounded in size; `target` names things we look up and is validated strictly,
 * so nothing but a name of ours can reach a lookup, a message or a URL.
 */
import * as z from 'zod';
import { commonInputSchema, customError } from '../../config/input.js';
import { COMPONENT_NAME_PATTERN } from '../../config/names.js';

export const MAX_TIMEOUT_SECONDS = 900;
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** Per stream and per target; results travel in a function response, which DigitalOcean caps. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
export const MAX_OUTPUT_BYTES = 1024 * 1024;
export const MAX_COMMAND_LENGTH = 10_000;

const DROPLET_TARGET = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$/;
/** App Platform instance names: the component name and generated suffixes, e.g. `web-6f9d7c8b5-x2kqp`. */
const INSTANCE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type ExecTarget =
  | { kind: 'droplets' }
  | { kind: 'droplet'; name: string }
  | { kind: 'app'; component: string; instance?: string };

const TARGET_RULE =
  'must be a droplet name of the deployment, `droplets` (all of them), or `app/<component>` ' +
  '(optionally `app/<component>/<instance>`)';

/** Pure: the target's parts, or undefined when the text is not a target. */
export function parseTarget(text: string): ExecTarget | undefined {
  if (text === 'droplets') return { kind: 'droplets' };
  if (text.startsWith('app/')) {
    const [component, instance, ...rest] = text.slice('app/'.length).split('/');
    if (rest.length > 0 || !component || !COMPONENT_NAME_PATTERN.test(component)) return undefined;
    if (instance === undefined) return { kind: 'app', component };
    return INSTANCE_PATTERN.test(instance) ? { kind: 'app', component, instance } : undefined;
  }
  return DROPLET_TARGET.test(text) ? { kind: 'droplet', name: text } : undefined;
}

/** A whole number from a number or from the text a CLI flag or query parameter carries. */
function wholeNumber(min: number, max: number, unit: string, suffix?: RegExp) {
  const message = `must be a whole number of ${unit} from ${min} to ${max}`;
  const text = z.string().transform((value, ctx) => {
    const digits = suffix ? value.trim().replace(suffix, '') : value.trim();
    if (/^\d+$/.test(digits)) return Number(digits);
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });
  return z
    .union([z.number(), text], customError(message))
    .pipe(z.number().int(message).min(min, message).max(max, message));
}

/**
 * `command_timeout` is the same as `timeout`: on the command line `--timeout` bounds the whole
 * invocation, so `--command-timeout` is how a person sets the command's own limit there.
 */
const commandTimeoutAlias = (raw: unknown) => {
  if (typeof raw !== 'object' || raw === null || !('command_timeout' in raw)) return raw;
  const { command_timeout, ...rest } = raw as Record<string, unknown>;
  return 'timeout' in rest ? raw : { ...rest, timeout: command_timeout };
};

const execFields = commonInputSchema
  .extend({
    target: z.string().refine((value) => parseTarget(value) !== undefined, TARGET_RULE),
    command: z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_COMMAND_LENGTH, `must be at most ${MAX_COMMAND_LENGTH} characters`),
    /** Seconds for the whole run of each target: connecting (while a droplet boots) and the command. */
    timeout: wholeNumber(1, MAX_TIMEOUT_SECONDS, 'seconds', /s$/).default(DEFAULT_TIMEOUT_SECONDS),
    /** An App Platform instance of the component (as `app/<component>/<instance>` does). */
    instance: z
      .string()
      .regex(INSTANCE_PATTERN, 'must be an instance name such as web-6f9d7c8b5-x2kqp')
      .optional(),
    max_output_bytes: wholeNumber(1, MAX_OUTPUT_BYTES, 'bytes').default(DEFAULT_MAX_OUTPUT_BYTES),
  })
  .superRefine((input, ctx) => {
    if (input.instance === undefined) return;
    const target = parseTarget(input.target);
    if (target?.kind !== 'app') {
      ctx.addIssue({
        code: 'custom',
        path: ['instance'],
        message: 'only applies to an app/<component> target',
      });
    } else if (target.instance !== undefined && target.instance !== input.instance) {
      ctx.addIssue({
        code: 'custom',
        path: ['instance'],
        message: `names another instance than the target (${target.instance}): give it once`,
      });
    }
  });

export const execInputSchema = z.preprocess(commandTimeoutAlias, execFields);

export type ExecInput = z.output<typeof execFields>;

/** The target with the `instance` field folded in. */
export function targetOf(input: Pick<ExecInput, 'target' | 'instance'>): ExecTarget {
  const target = parseTarget(input.target);
  if (!target) throw new RangeError(`not a target: ${input.target}`);
  if (target.kind === 'app' && input.instance !== undefined) return { ...target, instance: input.instance };
  return target;
}
