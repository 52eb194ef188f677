import { notFound } from '../core/http-error.js';
import { paginate } from '../core/paginate.js';
import type { EmulatorModule } from '../core/types.js';

/** What a module asks for when something it does takes time (a droplet boot, a power off, …). */
export interface ActionStart {
  type: string;
  resourceId: number | null;
  resourceType: string;
  /** Virtual milliseconds from now until the action completes. */
  durationMs: number;
  /** The region the action runs in, in the spec's region shape. */
  region?: RegionJson;
  /** Runs once when the action completes: on the first read after that, or on its timer. */
  onComplete?: () => void;
}

export interface RegionJson {
  slug: string;
  name: string;
  features: string[];
  available: boolean;
  sizes: string[];
}

export interface ActionJson {
  id: number;
  status: 'in-progress' | 'completed' | 'errored';
  type: string;
  started_at: string;
  completed_at: string | null;
  resource_id: number | null;
  resource_type: string;
  region?: RegionJson;
  region_slug: string | null;
}

/** Set as `services.set('actions', …)`: the one action store every module records into. */
export interface ActionsService {
  start(input: ActionStart): ActionJson;
  get(id: number): ActionJson | undefined;
  /** Actions on one resource, newest first. */
  listFor(resourceType: string, resourceId: number): ActionJson[];
  /** Runs the completion side effects of every action due by now, in completion order. */
  settle(): void;
}

interface ActionRecord extends ActionStart {
  id: number;
  startedAt: number;
  settled: boolean;
  /** An action fault rule matched it: it ends `errored` and its effect never applies. */
  errored: boolean;
}

/**
 * `/v2/actions`: status is `in-progress` until started_at + duration on the virtual clock, then
 * `completed`. Side effects run lazily on the first read after that (so a clock jump applies them at
 * once, in order) and also from a timer, so effects nobody reads (a droplet host going down after a
 * power off) still happen.
 */
export const actionsModule: EmulatorModule = {
  name: 'actions',
  register(core) {
    const actions = new Map<number, ActionRecord>();
    const timers = new Set<NodeJS.Timeout>();

    const dueAt = (a: ActionRecord) => a.startedAt + a.durationMs;
    const view = (a: ActionRecord): ActionJson => {
      const done = core.clock.now() >= dueAt(a);
      return {
        id: a.id,
        status: done ? (a.errored ? 'errored' : 'completed') : 'in-progress',
        type: a.type,
        started_at: core.clock.iso(a.startedAt),
        completed_at: done ? core.clock.iso(dueAt(a)) : null,
        resource_id: a.resourceId,
        resource_type: a.resourceType,
        ...(a.region ? { region: a.region } : {}),
        region_slug: a.region?.slug ?? null,
      };
    };

    const settle = () => {
      const now = core.clock.now();
      const due = [...actions.values()]
        .filter((a) => !a.settled && now >= dueAt(a))
        .sort((a, b) => dueAt(a) - dueAt(b) || a.id - b.id);
      for (const action of due) {
        action.settled = true;
        if (action.errored) continue;
        try {
          action.onComplete?.();
        } catch (error) {
          process.stderr.write(
            `emulator: action ${action.id} (${action.type}) side effect failed: ${String(error)}\n`,
          );
        }
      }
    };

    const schedule = (action: ActionRecord) => {
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          settle();
          // The time scale may have been lowered since: wait for the rest.
          if (!action.settled && actions.get(action.id) === action) schedule(action);
        },
        Math.max(1, Math.ceil(core.clock.toReal(dueAt(action) - core.clock.now()))),
      );
      timer.unref();
      timers.add(timer);
    };

    const clearTimers = () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    };

    const service: ActionsService = {
      start(input) {
        const action: ActionRecord = {
          ...input,
          id: core.ids.next('action', 2_400_000_000),
          startedAt: core.clock.now(),
          settled: false,
          errored: core.faults.matchAction(input.type, input.resourceId) !== undefined,
        };
        actions.set(action.id, action);
        if (action.onComplete) schedule(action);
        return view(action);
      },
      get(id) {
        settle();
        const action = actions.get(id);
        return action && view(action);
      },
      listFor(resourceType, resourceId) {
        settle();
        return newestFirst([...actions.values()])
          .filter((a) => a.resourceType === resourceType && a.resourceId === resourceId)
          .map(view);
      },
      settle,
    };

    core.route('GET', '/v2/actions', (req) => {
      settle();
      const all = newestFirst([...actions.values()]).map(view);
      return { status: 200, body: paginate(req, core.baseUrl(), 'actions', all) };
    });
    core.route('GET', '/v2/actions/:action_id', (req) => {
      const action = service.get(Number(req.params.action_id));
      if (!action) throw notFound();
      return { status: 200, body: { action } };
    });

    core.services.set('actions', service);
    core.state('actions', {
      dump: () => {
        settle();
        return newestFirst([...actions.values()]).map(view);
      },
      reset: () => {
        clearTimers();
        actions.clear();
      },
    });
    core.onStop(clearTimers);
  },
};

function newestFirst(list: ActionRecord[]): ActionRecord[] {
  return list.sort((a, b) => b.id - a.id);
}
