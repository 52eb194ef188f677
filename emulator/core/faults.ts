/**
 * Fault injection, controlled per test through POST /_emulator/faults.
 * An HTTP rule matches requests by method and path pattern (`*` matches within a segment,
 * `**` across segments) and then, while it has uses left, does one of:
 *  - `error`: answer `status` without touching state;
 *  - `commit-then-error`: let the request change state, then answer `status` (default 500);
 *  - `drop`: close the connection without an answer, state untouched;
 *  - `commit-then-drop`: change state, then close the connection without an answer;
 *  - `latency`: add `latency_ms` (virtual) before handling.
 * A build rule makes App Platform deployments of matching images fail in the given phase.
 * An action rule makes matching actions (a droplet's resize, power on, …) end `errored`: accepted,
 * then failed on DigitalOcean's side, their effect never applied.
 */
export type HttpFaultMode = 'error' | 'commit-then-error' | 'drop' | 'commit-then-drop' | 'latency';

export interface HttpFaultRule {
  kind: 'http';
  id: string;
  method?: string;
  path: string;
  mode: HttpFaultMode;
  status?: number;
  /** DigitalOcean error body to answer with (defaults follow the status). */
  body?: { id: string; message: string };
  latency_ms?: number;
  /** Uses left; undefined = unlimited. */
  count?: number;
  /** Chance of applying on each match, 0..1 (default 1). */
  probability?: number;
  /** Seeds this rule's own draws for `probability`, so a run can be repeated exactly. */
  seed?: number;
  /** Matches to let through untouched before the rule starts applying. */
  skip?: number;
  hits: number;
}

export interface BuildFaultRule {
  kind: 'build';
  id: string;
  /** Image pattern matched against `repository:tag` (or `repository@digest`), `*` wildcards. */
  image: string;
  phase: 'build' | 'deploy';
  message?: string;
  count?: number;
  hits: number;
}

export interface ActionFaultRule {
  kind: 'action';
  id: string;
  /** Action type pattern (`resize`, `power_*`), `*` wildcards; default every type. */
  type: string;
  /** Only actions on this resource (a droplet id). */
  resource_id?: number;
  count?: number;
  /** Matches to let through before the rule starts applying. */
  skip?: number;
  hits: number;
}

export type FaultRule = HttpFaultRule | BuildFaultRule | ActionFaultRule;

export type FaultRuleInput =
  | Omit<HttpFaultRule, 'id' | 'hits'>
  | Omit<BuildFaultRule, 'id' | 'hits'>
  | Omit<ActionFaultRule, 'id' | 'hits'>;

const HTTP_MODES = new Set<HttpFaultMode>([
  'error',
  'commit-then-error',
  'drop',
  'commit-then-drop',
  'latency',
]);

export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;

  /** The draws of rules that carry a seed. */
  private readonly seeded = new Map<string, () => number>();

  constructor(private readonly random: () => number = Math.random) {}

  add(input: FaultRuleInput): FaultRule {
    const rule = validateRule(input, `f${this.nextId++}`);
    this.rules.push(rule);
    if (rule.kind === 'http' && rule.seed !== undefined) this.seeded.set(rule.id, seededRandom(rule.seed));
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    this.seeded.delete(id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
    this.seeded.clear();
  }

  /** The HTTP rule that applies to this request, consuming one use of it. */
  matchHttp(method: string, path: string): HttpFaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.kind !== 'http' || !isLive(rule)) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!globMatch(rule.path, path)) continue;
      rule.hits++;
      if (rule.skip !== undefined && rule.hits <= rule.skip) continue;
      const draw = this.seeded.get(rule.id) ?? this.random;
      if (rule.probability !== undefined && draw() >= rule.probability) continue;
      if (rule.count !== undefined) rule.count--;
      return rule;
    }
    return undefined;
  }

  /** The action rule for an action starting now, consuming one use of it. */
  matchAction(type: string, resourceId: number | null): ActionFaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.kind !== 'action' || !isLive(rule) || !globMatch(rule.type, type)) continue;
      if (rule.resource_id !== undefined && rule.resource_id !== resourceId) continue;
      rule.hits++;
      if (rule.skip !== undefined && rule.hits <= rule.skip) continue;
      if (rule.count !== undefined) rule.count--;
      return rule;
    }
    return undefined;
  }

  /** The build rule for an image, consuming one use of it. */
  matchBuild(image: string): BuildFaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.kind !== 'build' || !isLive(rule) || !globMatch(rule.image, image)) continue;
      rule.hits++;
      if (rule.count !== undefined) rule.count--;
      return rule;
    }
    return undefined;
  }
}

/** mulberry32: a small, well-mixed 32-bit generator; the same seed gives the same draws. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isLive(rule: FaultRule): boolean {
  return rule.count === undefined || rule.count > 0;
}

/** `*` matches within a path segment, `**` across segments; everything else is literal. */
export function globMatch(pattern: string, text: string): boolean {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`).test(text);
}

function validateRule(input: FaultRuleInput, id: string): FaultRule {
  const problems: string[] = [];
  const raw = input as unknown as Record<string, unknown>;
  const kind = raw.kind ?? 'http';
  const positiveInt = (key: string) => {
    const v = raw[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0))
      problems.push(`${key} must be a whole number ≥ 0`);
  };
  positiveInt('count');
  if (kind === 'build') {
    if (typeof raw.image !== 'string' || raw.image === '') problems.push('image is required');
    const phase = raw.phase ?? 'build';
    if (phase !== 'build' && phase !== 'deploy') problems.push('phase must be build or deploy');
    if (problems.length) throw new RangeError(problems.join('; '));
    return { ...(input as BuildFaultRule), kind: 'build', phase: phase as 'build' | 'deploy', id, hits: 0 };
  }
  if (kind === 'action') {
    if (raw.type !== undefined && (typeof raw.type !== 'string' || raw.type === ''))
      problems.push('type must be an action type pattern such as resize');
    if (raw.resource_id !== undefined && !Number.isInteger(raw.resource_id))
      problems.push('resource_id must be a whole number');
    positiveInt('skip');
    if (problems.length) throw new RangeError(problems.join('; '));
    return { ...(input as ActionFaultRule), kind: 'action', type: (raw.type as string) ?? '*', id, hits: 0 };
  }
  if (kind !== 'http') problems.push('kind must be http, build or action');
  if (typeof raw.path !== 'string' || !raw.path.startsWith('/')) problems.push('path must start with /');
  if (!HTTP_MODES.has(raw.mode as HttpFaultMode))
    problems.push(`mode must be one of ${[...HTTP_MODES].join(', ')}`);
  if (
    raw.status !== undefined &&
    !(Number.isInteger(raw.status) && (raw.status as number) >= 400 && (raw.status as number) <= 599)
  )
    problems.push('status must be 400..599');
  if (raw.mode === 'latency' && !(typeof raw.latency_ms === 'number' && raw.latency_ms >= 0))
    problems.push('latency_ms is required for latency');
  if (
    raw.probability !== undefined &&
    !(typeof raw.probability === 'number' && raw.probability >= 0 && raw.probability <= 1)
  )
    problems.push('probability must be between 0 and 1');
  positiveInt('skip');
  if (raw.seed !== undefined && !Number.isInteger(raw.seed)) problems.push('seed must be a whole number');
  if (problems.length) throw new RangeError(problems.join('; '));
  return { ...(input as HttpFaultRule), kind: 'http', id, hits: 0 };
}
