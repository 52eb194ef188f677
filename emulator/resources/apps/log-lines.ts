import { createHash } from 'node:crypto';
import {
  type Component,
  componentsOf,
  hasInstances,
  imageRef,
  KIND_WORDS,
  sourceLabel,
} from './components.js';
import type { AppRecord, DeploymentRecord } from './model.js';
import { liveAt, marks, phaseAt, WAIT_END } from './timeline.js';

export type LogType = 'BUILD' | 'DEPLOY' | 'RUN';

export interface LogLine {
  at: number;
  component: string;
  text: string;
}

const REGISTRY_NAMES: Record<string, string> = {
  DOCR: 'DigitalOcean Container Registry',
  DOCKER_HUB: 'Docker Hub',
  GHCR: 'GitHub Container Registry',
};

function failureLines(d: DeploymentRecord, at: number, component: string): LogLine[] {
  const f = d.failure!;
  return [
    { at, component, text: `✘ ${f.phase} failed: ${f.message}` },
    { at, component, text: `Reason: ${f.code}` },
  ];
}

function buildLines(d: DeploymentRecord, c: Component): LogLine[] {
  const m = marks(d);
  const b = d.timing.build;
  const at = (fraction: number) => m.buildStart + b * fraction;
  const line = (when: number, text: string): LogLine => ({ at: when, component: c.name, text });
  const image = c.spec.image;
  const lines = image
    ? [
        line(
          at(0.1),
          `Preparing image ${imageRef(image)} from ${REGISTRY_NAMES[image.registry_type ?? ''] ?? 'registry'}`,
        ),
        line(
          at(0.4),
          `Pulled image ${imageRef(image)} (${image.digest ?? `sha256:${digestOf(imageRef(image))}`})`,
        ),
      ]
    : [
        line(at(0.1), `Fetching source ${sourceLabel(c.spec)}`),
        line(at(0.3), `Detected ${(c.spec.environment_slug as string | undefined) ?? 'Dockerfile'} build`),
        ...(c.spec.build_command
          ? [line(at(0.4), `Running build command: ${c.spec.build_command as string}`)]
          : []),
      ];
  if (d.failure?.phase === 'build' && d.failure.component === c.name)
    return [...lines, ...failureLines(d, m.buildEnd, c.name)];
  return [
    ...lines,
    line(at(0.8), 'Uploading the build to the App Platform registry'),
    line(m.buildEnd, '✔ build complete'),
  ];
}

function deployLines(d: DeploymentRecord, c: Component): LogLine[] {
  const m = marks(d);
  const dd = d.timing.deploy;
  const line = (fraction: number, text: string): LogLine => ({
    at: m.deployStart + dd * fraction,
    component: c.name,
    text,
  });
  const count = c.spec.instance_count ?? 1;
  const lines = hasInstances(c.kind)
    ? [
        line(0.1, `Starting ${count} instance${count === 1 ? '' : 's'} of ${KIND_WORDS[c.kind]} ${c.name}`),
        line(
          0.5,
          c.kind === 'service'
            ? `Waiting for health checks on port ${c.spec.http_port ?? 8080}`
            : 'Waiting for instances to start',
        ),
      ]
    : [line(0.1, `Publishing ${KIND_WORDS[c.kind]} ${c.name}`)];
  if (d.failure?.phase === 'deploy' && d.failure.component === c.name) {
    return [...lines, ...failureLines(d, m.deployStart + dd * WAIT_END, c.name)];
  }
  return [...lines, line(WAIT_END, '✔ deployed and healthy')];
}

function runLines(d: DeploymentRecord, c: Component): LogLine[] {
  const start = liveAt(d)!;
  const lines: LogLine[] = [{ at: start, component: c.name, text: `Starting ${sourceLabel(c.spec)}` }];
  if (c.kind === 'service') {
    lines.push({ at: start, component: c.name, text: `Listening on port ${c.spec.http_port ?? 8080}` });
  }
  return [...lines, ...d.requests.filter((r) => r.component === c.name)];
}

/**
 * The log of one deployment for a type, optionally one component, as of `t`; undefined when the
 * deployment never reached that phase (DigitalOcean answers 400 for those).
 */
export function logLines(
  d: DeploymentRecord,
  type: LogType,
  component: string | undefined,
  t: number,
): LogLine[] | undefined {
  const m = marks(d);
  const end = d.stop ? Math.min(t, d.stop.at) : t;
  let reached: boolean;
  let make: (c: Component) => LogLine[];
  if (type === 'BUILD') {
    reached = end >= m.buildStart;
    make = (c) => buildLines(d, c);
  } else if (type === 'DEPLOY') {
    reached = end >= m.deployStart && d.failure?.phase !== 'build';
    make = (c) => deployLines(d, c);
  } else {
    const live = liveAt(d);
    reached = live !== undefined && live <= t;
    make = (c) => (hasInstances(c.kind) ? runLines(d, c) : []);
  }
  if (!reached) return undefined;
  const components = componentsOf(d.spec).filter((c) => component === undefined || c.name === component);
  const lines = components.flatMap(make).filter((l) => l.at <= end);
  return lines.sort((a, b) => a.at - b.at);
}

/** Whether more lines of this type can still come (the phase is running, or the deployment is live). */
export function isLogOpen(app: AppRecord, d: DeploymentRecord, type: LogType, t: number): boolean {
  const { phase } = phaseAt(app, d, t);
  if (type === 'BUILD') return phase === 'PENDING_BUILD' || phase === 'BUILDING';
  if (type === 'DEPLOY') return phase === 'PENDING_DEPLOY' || phase === 'DEPLOYING' || phase === 'BUILDING';
  return phase === 'ACTIVE';
}

/** `<component> <RFC 3339 nano timestamp> <message>`, the line format doctl's `--no-prefix` strips. */
export function formatLine(line: LogLine): string {
  return `${line.component} ${new Date(line.at).toISOString().replace('Z', '000000Z')} ${line.text}`;
}

function digestOf(ref: string): string {
  return createHash('sha256').update(ref).digest('hex');
}
