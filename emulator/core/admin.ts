import type { EmuClock } from './clock.js';
import type { FaultRuleInput, Faults } from './faults.js';
import { badRequest, notFound } from './http-error.js';
import type { RateLimiter } from './rate-limit.js';
import type { RequestLog } from './request-log.js';
import type { Router } from './router.js';
import type { TimingProfile } from './types.js';

export interface AdminDeps {
  router: Router;
  clock: EmuClock;
  /** The timing profile the modules read at request time: changing a field changes what follows. */
  timing: TimingProfile;
  faults: Faults;
  limiter: RateLimiter;
  log: RequestLog;
  dumpState(): Record<string, unknown>;
  resetState(): void;
  counters(): Record<string, number>;
}

/**
 * The emulator's own control API under /_emulator/ (bearer-authenticated like the API, but not
 * rate-limited, fault-injected or logged): reset, faults, clock, request log, state dump.
 */
export function registerAdmin(d: AdminDeps): void {
  const r = d.router;
  r.add('POST', '/_emulator/reset', () => {
    d.resetState();
    d.faults.clear();
    d.limiter.reset();
    d.log.clear();
    return { status: 204 };
  });

  r.add('GET', '/_emulator/faults', () => ({ status: 200, body: { faults: d.faults.list() } }));
  r.add('POST', '/_emulator/faults', (req) => {
    const inputs = Array.isArray(req.body) ? req.body : [req.body];
    try {
      const added = inputs.map((input) => d.faults.add(input as FaultRuleInput));
      return { status: 201, body: { faults: added } };
    } catch (error) {
      throw badRequest(`Invalid fault rule: ${(error as Error).message}`);
    }
  });
  r.add('DELETE', '/_emulator/faults', () => {
    d.faults.clear();
    return { status: 204 };
  });
  r.add('DELETE', '/_emulator/faults/:id', (req) => {
    if (!d.faults.remove(req.params.id!)) throw notFound();
    return { status: 204 };
  });

  const clockBody = () => ({
    now: d.clock.iso(),
    now_ms: Math.floor(d.clock.now()),
    time_scale: d.clock.timeScale,
  });
  r.add('GET', '/_emulator/clock', () => ({ status: 200, body: clockBody() }));
  r.add('POST', '/_emulator/clock', (req) => {
    const body = (req.body ?? {}) as { time_scale?: unknown; advance_ms?: unknown };
    try {
      if (body.time_scale !== undefined) d.clock.setTimeScale(Number(body.time_scale));
      if (body.advance_ms !== undefined) d.clock.advance(Number(body.advance_ms));
    } catch (error) {
      throw badRequest((error as Error).message);
    }
    return { status: 200, body: clockBody() };
  });

  r.add('GET', '/_emulator/requests', (req) => {
    const since = Number(req.query.get('since') ?? 0);
    return {
      status: 200,
      body: { requests: d.log.list(Number.isFinite(since) ? since : 0), last_seq: d.log.lastSeq },
    };
  });
  r.add('DELETE', '/_emulator/requests', () => {
    d.log.clear();
    return { status: 204 };
  });

  r.add('GET', '/_emulator/state', () => ({
    status: 200,
    body: { ...d.dumpState(), _counters: d.counters() },
  }));
  // The timing profile, field by field in virtual milliseconds (e.g. deletions that take an hour).
  r.add('GET', '/_emulator/timing', () => ({ status: 200, body: d.timing }));
  r.add('POST', '/_emulator/timing', (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fields = Object.entries(body);
    for (const [name, value] of fields) {
      if (!(name in d.timing))
        throw badRequest(`${name} is not a timing field (GET /_emulator/timing lists them)`);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw badRequest(`${name} must be a number of milliseconds, 0 or more`);
    }
    Object.assign(d.timing, body);
    return { status: 200, body: d.timing };
  });
  r.add('GET', '/_emulator/rate-limit', () => ({ status: 200, body: d.limiter.options }));
  r.add('POST', '/_emulator/rate-limit', (req) => {
    const body = (req.body ?? {}) as { per_minute?: unknown; per_hour?: unknown };
    const next = { ...d.limiter.options };
    if (body.per_minute !== undefined) next.perMinute = Number(body.per_minute);
    if (body.per_hour !== undefined) next.perHour = Number(body.per_hour);
    if (!(next.perMinute > 0 && next.perHour > 0))
      throw badRequest('per_minute and per_hour must be positive');
    d.limiter.options = next;
    d.limiter.reset();
    return { status: 200, body: d.limiter.options };
  });
}
