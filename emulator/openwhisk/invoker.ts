/**
 * Invokes actions: resolves parameters the way OpenWhisk does (package parameters, then the
 * action's, then the request's; `init` ones become environment variables), runs the action in
 * its own process and records the activation. Blocking callers wait at most DigitalOcean's
 * synchronous limit, scaled by the emulator's clock, counted from the moment the runtime starts.
 *
 * The one deliberate difference from DigitalOcean: an activation someone waits for (a web request,
 * a blocking invocation) gets a context deadline (`getRemainingTimeInMillis`, `deadline`) no later
 * than that scaled cut, where DigitalOcean gives the action's full time limit. Actions run at real
 * speed while the cut follows the emulator's clock, so at time scale 50 the caller gets 202 after
 * 0.6 s although the action believes it has 30 s; with the deadline moved, a function that honours
 * its context (answering `in_progress` before the deadline) answers in time, which is what matters
 * on DigitalOcean, where web calls are cut at 30 s. Non-blocking activations (triggers,
 * `blocking=false`) keep the full time limit.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { EmuClock } from '../core/clock.js';
import type { Admission } from './admission.js';
import type { CodeLocation, CodeStore } from './code-store.js';
import { keyValue, mergeKeyValues } from './entities.js';
import { OW_MESSAGES, OwError, transactionId } from './errors.js';
import type { ProcessPool } from './process-pool.js';
import { type RunOutcome, type RunRequest, runAction } from './runner.js';
import { oversizeResult } from './size-limits.js';
import type { ActionRecord, ActivationRecord, KeyValue, NamespaceRecord } from './state.js';

/** DigitalOcean answers blocking invocations and web requests within 30 s, then with 202. */
export const SYNC_LIMIT_MS = 30_000;
/** DigitalOcean keeps activations for 3 days. */
const RETENTION_MS = 3 * 24 * 3600_000;
const LOG_LIMIT_BYTES = 256 * 1024;

export interface Invocation {
  activationId: string;
  /** Resolves once the action's runtime is up (or the invocation failed before it could be). */
  started: Promise<void>;
  /** Resolves once the action has answered, before its process has wound down. */
  answered: Promise<void>;
  done: Promise<ActivationRecord>;
}

export interface InvokerOptions {
  clock: EmuClock;
  runtimeNode: string;
  apiHost: () => string;
  code: CodeStore;
  pool: ProcessPool;
  admission: Admission;
}

export class Invoker {
  constructor(private readonly o: InvokerOptions) {}

  /** Rejects a payload that sets a parameter the action fixed (annotation `final`). */
  checkFinalParameters(ns: NamespaceRecord, action: ActionRecord, keys: Iterable<string>): void {
    if (keyValue(action.annotations, 'final') !== true) return;
    const fixed = new Set(
      boundParameters(ns, action)
        .filter((kv) => kv.value != null)
        .map((kv) => kv.key),
    );
    for (const key of keys) if (fixed.has(key)) throw new OwError(400, OW_MESSAGES.parametersNotAllowed);
  }

  /**
   * Starts an activation; throws 429 (OwError) when the namespace is at its invocation limits.
   * `syncLimitMs` (virtual) is the cut of a caller who waits: the action's context deadline is
   * brought forward to it.
   */
  invoke(
    ns: NamespaceRecord,
    action: ActionRecord,
    payload: Record<string, unknown>,
    options: { syncLimitMs?: number } = {},
  ): Invocation {
    this.o.admission.admit(ns.name);
    const activationId = randomBytes(16).toString('hex');
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    let markAnswered: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      markAnswered = resolve;
    });
    const requested = performance.now();
    const start = this.o.clock.now();
    const finish = (ran: RunOutcome): ActivationRecord => {
      this.o.admission.release(ns.name);
      const tooLong = ran.statusCode <= 1 ? oversizeResult(ran.result) : undefined;
      const outcome: RunOutcome = tooLong ? { ...ran, statusCode: 2, result: { error: tooLong } } : ran;
      markStarted();
      markAnswered();
      const record = activationRecord(ns, action, { activationId, start, outcome });
      record.annotations.unshift({
        key: 'waitTime',
        value: Math.max(0, Math.round(performance.now() - requested - outcome.durationMs)),
      });
      store(ns, record, this.o.clock.now());
      return record;
    };
    const done = (async () => {
      if (!action.exec.kind.startsWith('nodejs:')) {
        return finish(
          failure(2, `The emulator runs Node.js functions only; '${action.exec.kind}' cannot run here.`),
        );
      }
      let files: { bootstrap: string; caFile: string };
      let code: CodeLocation;
      try {
        files = await this.o.code.runtimeFiles();
        code = await this.o.code.locate(action.exec);
      } catch {
        return finish(failure(2, 'There was an error uncompressing the action Zip archive.'));
      }
      const request = this.runRequest(ns, action, payload, activationId, code, files);
      if (options.syncLimitMs !== undefined) {
        request.deadlineMs = Math.min(request.timeoutMs, Math.ceil(this.o.clock.toReal(options.syncLimitMs)));
      }
      const handle = runAction(request);
      this.o.pool.track(handle.process);
      void handle.started.then(markStarted);
      void handle.answered.then(markAnswered);
      return finish(await handle.done);
    })();
    return { activationId, started, answered, done };
  }

  /**
   * The activation if the action answers within `virtualMs` of its runtime starting, else
   * undefined. The process winding down after the answer does not count against the limit.
   */
  async waitFor(invocation: Invocation, virtualMs = SYNC_LIMIT_MS): Promise<ActivationRecord | undefined> {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const expired = new Promise<undefined>((resolve) => {
      void invocation.started.then(() => {
        // The action may have answered already: no timer is left behind to hold the process open.
        if (!settled) timer = setTimeout(() => resolve(undefined), this.o.clock.toReal(virtualMs));
      });
    });
    void invocation.answered.then(() => {
      settled = true;
      clearTimeout(timer);
    });
    try {
      return await Promise.race([invocation.done, expired]);
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }

  private runRequest(
    ns: NamespaceRecord,
    action: ActionRecord,
    payload: Record<string, unknown>,
    activationId: string,
    code: CodeLocation,
    files: { bootstrap: string; caFile: string },
  ): RunRequest {
    const bound = boundParameters(ns, action);
    const params: Record<string, unknown> = {};
    const initEnv: Record<string, unknown> = {};
    for (const kv of bound) (kv.init ? initEnv : params)[kv.key] = kv.value;
    const functionName = `/${ns.name}/${action.qualifiedName}`;
    const requestId = transactionId();
    const cwd = code.kind === 'archive' ? code.path : dirname(code.path);
    return {
      nodeBinary: this.o.runtimeNode,
      bootstrap: files.bootstrap,
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: cwd,
        TZ: 'UTC',
        LANG: 'C.UTF-8',
        // Actions call the emulator's API over HTTPS, so they trust its CA as clients do.
        NODE_EXTRA_CA_CERTS: files.caFile,
        __OW_API_HOST: this.o.apiHost(),
        __OW_NAMESPACE: ns.name,
        __OW_ACTION_NAME: functionName,
        __OW_ACTION_VERSION: action.version,
        __OW_ACTIVATION_ID: activationId,
        __OW_TRANSACTION_ID: requestId,
      },
      code,
      main: action.exec.main ?? 'main',
      initEnv,
      params: { ...params, ...payload },
      context: {
        functionName,
        functionVersion: action.version,
        activationId,
        requestId,
        apiHost: this.o.apiHost(),
        namespace: ns.name,
      },
      timeoutMs: action.limits.timeout,
      memoryMb: action.limits.memory,
      logLimitBytes: LOG_LIMIT_BYTES,
      now: () => this.o.clock.now(),
    };
  }
}

/** The parameters an action runs with before the request's: its package's, then its own. */
function boundParameters(ns: NamespaceRecord, action: ActionRecord): KeyValue[] {
  const inherited =
    action.packageName === undefined ? [] : (ns.packages.get(action.packageName)?.parameters ?? []);
  return mergeKeyValues(inherited, action.parameters);
}

function failure(statusCode: 2 | 3, error: string): RunOutcome {
  return { statusCode, result: { error }, logs: [], initMs: 0, durationMs: 0, timedOut: false };
}

function activationRecord(
  ns: NamespaceRecord,
  action: ActionRecord,
  r: { activationId: string; start: number; outcome: RunOutcome },
): ActivationRecord {
  const { outcome } = r;
  return {
    activationId: r.activationId,
    namespace: ns.name,
    name: action.name,
    qualifiedName: action.qualifiedName,
    version: action.version,
    start: r.start,
    end: r.start + outcome.durationMs,
    duration: outcome.durationMs,
    statusCode: outcome.statusCode,
    result: outcome.result,
    logs: outcome.logs,
    annotations: [
      { key: 'path', value: `${ns.name}/${action.qualifiedName}` },
      { key: 'kind', value: action.exec.kind },
      { key: 'timeout', value: outcome.timedOut },
      { key: 'limits', value: action.limits },
      { key: 'initTime', value: outcome.initMs },
    ],
  };
}

function store(ns: NamespaceRecord, record: ActivationRecord, now: number): void {
  ns.activations.set(record.activationId, record);
  for (const [id, old] of ns.activations) {
    if (now - old.start <= RETENTION_MS) break;
    ns.activations.delete(id);
  }
}
