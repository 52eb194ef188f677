/**
 * PUT of an action, as the OpenWhisk controller does it: create needs `exec`; an update merges the
 * new content over the old (annotations merged key by key, the rest replaced when given) and bumps
 * the patch version. Limits follow DigitalOcean's: 100 ms – 15 min (default 3 s), 128 MB – 1 GB
 * (default 256 MB).
 */

import { mergeKeyValues, nextVersion, parseKeyValues } from './entities.js';
import { malformed, OwError } from './errors.js';
import { RUNTIME_KINDS } from './runtimes.js';
import type { ActionExec, ActionLimits, ActionRecord, KeyValue } from './state.js';

export const DEFAULT_LIMITS: ActionLimits = { timeout: 3_000, memory: 256, logs: 16, concurrency: 1 };
const TIMEOUT_RANGE = { min: 100, max: 900_000 };
const MEMORY_RANGE = { min: 128, max: 1_024 };

/** A base64 zip starts with the bytes `PK\x03\x04`. */
const ZIP_BASE64_PREFIX = 'UEsDB';

export interface ActionPutTarget {
  packageName: string | undefined;
  name: string;
  qualifiedName: string;
  now: number;
}

export function applyActionPut(
  body: unknown,
  target: ActionPutTarget,
  existing: ActionRecord | undefined,
): ActionRecord {
  const content = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const exec = content.exec === undefined ? undefined : parseExec(content.exec);
  if (!existing && !exec) throw new OwError(400, 'exec undefined');
  const parameters = parseKeyValues(content.parameters, 'parameters');
  const annotations = parseKeyValues(content.annotations, 'annotations');
  const limits = parseLimits(content.limits, existing?.limits ?? DEFAULT_LIMITS);
  const finalExec = exec ?? existing!.exec;
  return {
    qualifiedName: target.qualifiedName,
    packageName: target.packageName,
    name: target.name,
    exec: finalExec,
    parameters: parameters ?? existing?.parameters ?? [],
    annotations: withExecAnnotation(
      mergeKeyValues(existing?.annotations ?? [], annotations ?? []),
      finalExec.kind,
    ),
    limits,
    version: typeof content.version === 'string' ? content.version : nextVersion(existing?.version),
    publish: typeof content.publish === 'boolean' ? content.publish : (existing?.publish ?? false),
    updated: target.now,
  };
}

function parseExec(raw: unknown): ActionExec {
  if (typeof raw !== 'object' || raw === null) throw malformed('exec must be an object');
  const { kind, code, binary, main } = raw as Record<string, unknown>;
  if (typeof kind !== 'string') throw malformed("exec undefined: 'kind' is required");
  if (!RUNTIME_KINDS.includes(kind)) {
    throw new OwError(
      400,
      `The specified runtime '${kind}' is not supported by this platform. Valid values are: '${RUNTIME_KINDS.join("', '")}'.`,
    );
  }
  if (typeof code !== 'string') throw malformed(`exec: 'code' must be a string for kind '${kind}'`);
  if (
    main !== undefined &&
    (typeof main !== 'string' || !/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?$/.test(main))
  ) {
    throw malformed("exec: 'main' must name a function, e.g. 'main' or 'index.main'");
  }
  const isBinary = binary === true || (binary === undefined && code.startsWith(ZIP_BASE64_PREFIX));
  return { kind, code, binary: isBinary, ...(typeof main === 'string' && main !== '' ? { main } : {}) };
}

function parseLimits(raw: unknown, base: ActionLimits): ActionLimits {
  if (raw === undefined || raw === null) return base;
  if (typeof raw !== 'object') throw malformed('limits must be an object');
  const { timeout, memory, logs, concurrency } = raw as Record<string, unknown>;
  const limits = { ...base };
  if (timeout !== undefined) {
    const ms = wholeNumber(timeout, 'timeout');
    if (ms > TIMEOUT_RANGE.max)
      throw malformed(
        `duration ${ms} milliseconds exceeds allowed threshold of ${TIMEOUT_RANGE.max} milliseconds`,
      );
    if (ms < TIMEOUT_RANGE.min)
      throw malformed(
        `duration ${ms} milliseconds below allowed threshold of ${TIMEOUT_RANGE.min} milliseconds`,
      );
    limits.timeout = ms;
  }
  if (memory !== undefined) {
    const mb = wholeNumber(memory, 'memory');
    if (mb > MEMORY_RANGE.max)
      throw malformed(`memory size ${mb} MB exceeds allowed threshold of ${MEMORY_RANGE.max} MB`);
    if (mb < MEMORY_RANGE.min)
      throw malformed(`memory size ${mb} MB below allowed threshold of ${MEMORY_RANGE.min} MB`);
    limits.memory = mb;
  }
  if (logs !== undefined) limits.logs = wholeNumber(logs, 'logs');
  if (concurrency !== undefined) limits.concurrency = wholeNumber(concurrency, 'concurrency');
  return limits;
}

function wholeNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw malformed(`${field} limit malformed`);
  return value;
}

/** OpenWhisk records the runtime kind as an `exec` annotation on every action. */
function withExecAnnotation(annotations: KeyValue[], kind: string): KeyValue[] {
  return mergeKeyValues(annotations, [{ key: 'exec', value: kind }]);
}
