import { componentsOf, KIND_WORDS } from './components.js';
import type { DeploymentRecord } from './model.js';
import { failureAt, marks, WAIT_END } from './timeline.js';

type StepStatus = 'PENDING' | 'RUNNING' | 'SUCCESS' | 'ERROR' | 'UNKNOWN';

interface StepPlan {
  name: string;
  start: number;
  end: number;
  component?: string;
  messageBase?: string;
  /** This step is where the deployment's failure shows. */
  fails?: boolean;
  children?: StepPlan[];
}

export interface ProgressStep {
  name: string;
  status: StepStatus;
  started_at?: string;
  ended_at?: string;
  component_name?: string;
  message_base?: string;
  reason?: { code: string; message: string };
  steps?: ProgressStep[];
}

export interface Progress {
  pending_steps: number;
  running_steps: number;
  success_steps: number;
  error_steps: number;
  total_steps: number;
  steps: ProgressStep[];
}

/**
 * The step tree App Platform shows for a deployment: build (initialize, one step per component),
 * then deploy (initialize, per component deploy + wait, finalize). Counts are over leaf steps, so
 * `success_steps == total_steps` exactly when the deployment is live, as doctl's `--wait` expects.
 */
function plan(d: DeploymentRecord): StepPlan[] {
  const m = marks(d);
  const build = d.timing.build;
  const deploy = d.timing.deploy;
  const components = componentsOf(d.spec);
  const fails = (phase: 'build' | 'deploy', name: string) =>
    d.failure?.phase === phase && d.failure.component === name;
  const buildWork = m.buildStart + build * 0.1;
  const deployWork = m.deployStart + deploy * 0.1;
  const deployMid = m.deployStart + deploy * 0.5;
  const waitEnd = m.deployStart + deploy * WAIT_END;
  return [
    {
      name: 'build',
      start: m.buildStart,
      end: m.buildEnd,
      children: [
        { name: 'initialize', start: m.buildStart, end: buildWork },
        {
          name: 'components',
          start: buildWork,
          end: m.buildEnd,
          children: components.map((c) => ({
            name: c.name,
            start: buildWork,
            end: m.buildEnd,
            component: c.name,
            messageBase: `Building ${KIND_WORDS[c.kind]}`,
            fails: fails('build', c.name),
          })),
        },
      ],
    },
    {
      name: 'deploy',
      start: m.deployStart,
      end: m.deployEnd,
      children: [
        { name: 'initialize', start: m.deployStart, end: deployWork },
        {
          name: 'components',
          start: deployWork,
          end: waitEnd,
          children: components.map((c) => ({
            name: c.name,
            start: deployWork,
            end: waitEnd,
            component: c.name,
            children: [
              {
                name: 'deploy',
                start: deployWork,
                end: deployMid,
                component: c.name,
                messageBase: `Deploying ${KIND_WORDS[c.kind]}`,
              },
              {
                name: 'wait',
                start: deployMid,
                end: waitEnd,
                component: c.name,
                messageBase: `Waiting for ${KIND_WORDS[c.kind]}`,
                fails: fails('deploy', c.name),
              },
            ],
          })),
        },
        { name: 'finalize', start: waitEnd, end: m.deployEnd },
      ],
    },
  ];
}

export function progressAt(d: DeploymentRecord, t: number): Progress {
  const failed = failureAt(d);
  const iso = (at: number) => new Date(at).toISOString();
  const counts: Record<StepStatus, number> = { PENDING: 0, RUNNING: 0, SUCCESS: 0, ERROR: 0, UNKNOWN: 0 };

  const leaf = (step: StepPlan): Pick<ProgressStep, 'status' | 'started_at' | 'ended_at' | 'reason'> => {
    if (step.fails && failed !== undefined && t >= step.end) {
      const reason = { code: d.failure!.code, message: d.failure!.message };
      return { status: 'ERROR', started_at: iso(step.start), ended_at: iso(step.end), reason };
    }
    if (failed !== undefined && step.start >= failed) return { status: 'PENDING' };
    const stop = d.stop && t >= d.stop.at ? d.stop.at : undefined;
    if (stop !== undefined && step.start >= stop) return { status: 'PENDING' };
    // A step cut short by a newer deployment or a cancel never finished either way.
    if (stop !== undefined && step.end > stop)
      return { status: 'UNKNOWN', started_at: iso(step.start), ended_at: iso(stop) };
    if (t < step.start) return { status: 'PENDING' };
    if (t < step.end) return { status: 'RUNNING', started_at: iso(step.start) };
    return { status: 'SUCCESS', started_at: iso(step.start), ended_at: iso(step.end) };
  };

  const render = (step: StepPlan): ProgressStep => {
    const labels = {
      ...(step.component ? { component_name: step.component } : {}),
      ...(step.messageBase ? { message_base: step.messageBase } : {}),
    };
    if (!step.children) {
      const state = leaf(step);
      counts[state.status]++;
      return { name: step.name, ...state, ...labels };
    }
    const steps = step.children.map(render);
    const status = combine(steps.map((s) => s.status));
    const started = steps.find((s) => s.started_at)?.started_at;
    const ended = status === 'PENDING' || status === 'RUNNING' ? undefined : latest(steps);
    return {
      name: step.name,
      status,
      ...(started ? { started_at: started } : {}),
      ...(ended ? { ended_at: ended } : {}),
      ...labels,
      steps,
    };
  };

  const steps = plan(d).map(render);
  return {
    pending_steps: counts.PENDING,
    running_steps: counts.RUNNING,
    success_steps: counts.SUCCESS,
    error_steps: counts.ERROR,
    total_steps: Object.values(counts).reduce((a, b) => a + b, 0),
    steps,
  };
}

function combine(statuses: StepStatus[]): StepStatus {
  if (statuses.includes('ERROR')) return 'ERROR';
  if (statuses.every((s) => s === 'SUCCESS')) return 'SUCCESS';
  if (statuses.every((s) => s === 'PENDING')) return 'PENDING';
  if (statuses.includes('RUNNING')) return 'RUNNING';
  if (statuses.includes('UNKNOWN')) return 'UNKNOWN';
  return 'RUNNING';
}

function latest(steps: ProgressStep[]): string | undefined {
  const ends = steps.map((s) => s.ended_at).filter((e): e is string => e !== undefined);
  return ends.sort().at(-1);
}
