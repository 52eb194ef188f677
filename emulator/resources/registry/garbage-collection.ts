import { badRequest, conflict, notFound } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import type { RegistryContext } from './context.js';
import type { ImageStore } from './images.js';

export const GC_TYPES = [
  'untagged manifests only',
  'unreferenced blobs only',
  'untagged manifests and unreferenced blobs',
] as const;
export type GcType = (typeof GC_TYPES)[number];

/** The phases a run walks through, each a quarter of `timing.registryGcMs`, before `succeeded`. */
const PHASES = [
  'requested',
  'waiting for write JWTs to expire',
  'scanning manifests',
  'deleting unreferenced blobs',
];

export interface GarbageCollectionRun {
  uuid: string;
  registryName: string;
  type: GcType;
  createdAt: number;
  cancelledAt: number | undefined;
  /** Set once the run's effects are applied (the first time anything is read after it ends). */
  result: { blobsDeleted: number; freedBytes: number } | undefined;
}

/**
 * Garbage collection runs, on the virtual clock: a run's status is derived from its start time when
 * read, and its effects (untagged manifests and/or unreferenced blobs deleted, bytes freed) are
 * applied by `settle`, which every registry request calls first. One run at a time; the registry is
 * read-only (no pushes) while one is active.
 */
export class GarbageCollector {
  private runs: GarbageCollectionRun[] = [];

  constructor(
    private readonly images: ImageStore,
    private readonly now: () => number,
    private readonly durationMs: () => number,
  ) {}

  clear(): void {
    this.runs = [];
  }

  active(): GarbageCollectionRun | undefined {
    return this.runs.find((run) => run.cancelledAt === undefined && this.now() < this.endsAt(run));
  }

  start(uuid: string, registryName: string, type: GcType): GarbageCollectionRun {
    if (this.active()) throw conflict('a garbage collection is already running on this registry');
    const run: GarbageCollectionRun = {
      uuid,
      registryName,
      type,
      createdAt: this.now(),
      cancelledAt: undefined,
      result: undefined,
    };
    this.runs.unshift(run);
    return run;
  }

  find(uuid: string): GarbageCollectionRun | undefined {
    return this.runs.find((run) => run.uuid === uuid);
  }

  list(): GarbageCollectionRun[] {
    return [...this.runs];
  }

  cancel(run: GarbageCollectionRun): void {
    if (run !== this.active()) throw conflict('only a running garbage collection can be cancelled');
    run.cancelledAt = this.now();
  }

  /** Applies the effects of runs that have finished since the last call. */
  settle(): void {
    for (const run of this.runs) {
      if (run.result || run.cancelledAt !== undefined || this.now() < this.endsAt(run)) continue;
      if (run.type !== 'unreferenced blobs only') this.images.deleteUntaggedManifests();
      const freed =
        run.type === 'untagged manifests only'
          ? { blobs: 0, bytes: 0 }
          : this.images.deleteUnreferencedBlobs();
      run.result = { blobsDeleted: freed.blobs, freedBytes: freed.bytes };
    }
  }

  json(run: GarbageCollectionRun, iso: (ms: number) => string) {
    const phaseMs = this.durationMs() / PHASES.length;
    const elapsed = (run.cancelledAt ?? this.now()) - run.createdAt;
    const phase = Math.min(Math.floor(elapsed / phaseMs), PHASES.length);
    const status =
      run.cancelledAt !== undefined ? 'cancelled' : phase >= PHASES.length ? 'succeeded' : PHASES[phase]!;
    const updatedAt = run.cancelledAt ?? run.createdAt + phase * phaseMs;
    return {
      uuid: run.uuid,
      registry_name: run.registryName,
      status,
      created_at: iso(run.createdAt),
      updated_at: iso(updatedAt),
      blobs_deleted: run.result?.blobsDeleted ?? 0,
      freed_bytes: run.result?.freedBytes ?? 0,
    };
  }

  private endsAt(run: GarbageCollectionRun): number {
    return run.createdAt + this.durationMs();
  }
}

export function registerGarbageCollectionRoutes(ctx: RegistryContext): void {
  const { core, gc } = ctx;
  const base = '/v2/registry/:registry_name/garbage-collection';
  const json = (run: GarbageCollectionRun) => gc.json(run, (ms) => core.clock.iso(ms));

  ctx.route('POST', base, (req) => {
    const registry = ctx.requireRegistry(req.params.registry_name);
    const body = (req.body ?? {}) as { type?: unknown };
    const type = body.type ?? 'unreferenced blobs only';
    if (!GC_TYPES.includes(type as GcType)) throw badRequest(`type must be one of: ${GC_TYPES.join(', ')}`);
    const run = gc.start(core.ids.uuid(), registry.name, type as GcType);
    return { status: 201, body: { garbage_collection: json(run) } };
  });

  ctx.route('GET', base, (req) => {
    ctx.requireRegistry(req.params.registry_name);
    const run = gc.active();
    if (!run) throw notFound();
    return { status: 200, body: { garbage_collection: json(run) } };
  });

  ctx.route('GET', `${base}s`, (req) => {
    ctx.requireRegistry(req.params.registry_name);
    return { status: 200, body: paginate(req, core.baseUrl(), 'garbage_collections', gc.list().map(json)) };
  });

  ctx.route('PUT', `${base}/:garbage_collection_uuid`, (req) => {
    ctx.requireRegistry(req.params.registry_name);
    const run = gc.find(req.params.garbage_collection_uuid ?? '');
    if (!run) throw notFound();
    if ((req.body as { cancel?: unknown } | undefined)?.cancel !== true)
      throw badRequest('send {"cancel": true} to cancel a garbage collection');
    gc.cancel(run);
    return { status: 200, body: { garbage_collection: json(run) } };
  });
}
