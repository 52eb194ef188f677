/**
 * `npm run bootstrap -- --destroy`: removes what bootstrap made (the triggers of the package's
 * functions, the functions it deployed, the package) and the namespace only when bootstrap created
 * it and nothing else lives there. Base2's own resources (apps, droplets, …) are never looked at.
 */
import { readFileSync } from 'node:fs';
import type { Clock, Random } from '../../lib/clock.js';
import { createDoClient, createHttps, isNotFound } from '../../lib/do/index.js';
import { type BootstrapResult, namespaceSummary } from './bootstrap-plane.js';
import {
  deleteNamespace,
  deleteTrigger,
  findNamespace,
  type NamespaceInfo,
  readTriggers,
} from './namespace.js';
import { OpenWhisk, type OwPackage } from './openwhisk.js';
import { ANNOTATIONS, annotation, MANAGER } from './plan.js';
import { loadPlaneEnv } from './plane-env.js';
import { readProject } from './project.js';

export interface DestroyOptions {
  root: string;
  source: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  random: Random;
  onProgress?: (line: string) => void;
}

type RemovedKind = 'trigger' | 'function' | 'package' | 'namespace';

export interface DestroyResult {
  status: 'removed' | 'nothing_to_remove';
  namespace: (BootstrapResult['namespace'] & { deleted: boolean }) | undefined;
  removed: { kind: RemovedKind; name: string }[];
  /** What was left in place, and why. */
  kept: string[];
  api_calls: number;
}

export async function destroyPlane(options: DestroyOptions): Promise<DestroyResult> {
  const progress = options.onProgress ?? (() => undefined);
  const plane = loadPlaneEnv(options.source, options.root);
  const env = plane.env;
  // Only the package's name is needed: a placeholder stands in for the secret it does not use.
  const pkgName = readProject(options.root, {
    ...options.source,
    OPS_WEB_SECRET: 'not-needed-to-destroy',
  }).name;
  const caPem = env.caFile === undefined ? undefined : readFileSync(env.caFile, 'utf8');
  const clients = { clock: options.clock, random: options.random, caPem };
  const api = createDoClient({
    ...clients,
    token: env.token,
    apiUrl: env.apiUrl,
    rateLimitPerMinute: env.rateLimitPerMinute,
  });
  const https = createHttps(clients);
  const removed: DestroyResult['removed'] = [];
  const kept: string[] = [];
  const done = (kind: RemovedKind, name: string) => {
    removed.push({ kind, name });
    progress(`${kind} ${name}: deleted`);
  };
  const keep = (line: string) => {
    kept.push(line);
    progress(`kept ${line}`);
  };
  const result = (
    namespace: NamespaceInfo | undefined,
    pkg: OwPackage | undefined,
    deleted: boolean,
  ): DestroyResult => ({
    status: removed.length > 0 ? 'removed' : 'nothing_to_remove',
    namespace: namespace && { ...namespaceSummary(namespace, createdNamespace(pkg)), deleted },
    removed,
    kept,
    api_calls: api.calls.summary().total + https.calls.summary().total,
  });

  try {
    const namespace = await findNamespace(api, plane.label);
    if (!namespace) {
      progress(`no namespace labelled ${plane.label}: nothing to remove`);
      return result(undefined, undefined, false);
    }
    const ow = new OpenWhisk(namespace, https);
    const pkg = await ow.getPackage(pkgName);
    if (pkg && annotation(pkg.annotations, ANNOTATIONS.managedBy) !== MANAGER) {
      keep(`package ${pkgName}: not created by base2-do, left alone`);
      return result(namespace, undefined, false);
    }
    for (const trigger of await triggersOf(api, namespace)) {
      if (!trigger.function.startsWith(`${pkgName}/`)) continue;
      await tolerateMissing(deleteTrigger(api, namespace.namespace, trigger.name));
      done('trigger', trigger.name);
    }
    let foreign = 0;
    for (const { name } of pkg?.actions ?? []) {
      const action = await ow.getAction(pkgName, name);
      if (action && annotation(action.annotations, ANNOTATIONS.codeSha256) === undefined) {
        foreign += 1;
        keep(`function ${pkgName}/${name}: not deployed by base2-do, left alone`);
        continue;
      }
      await ow.deleteAction(pkgName, name);
      done('function', `${pkgName}/${name}`);
    }
    if (!pkg) return result(namespace, pkg, false);
    if (foreign > 0) {
      keep(`package ${pkgName}: it still holds functions base2-do did not deploy`);
      return result(namespace, pkg, false);
    }

    // The namespace goes first when it is ours and otherwise empty: the package carries the record
    // that bootstrap created it, so a run interrupted here can still finish the job next time.
    if (createdNamespace(pkg) && (await onlyOurPackageLeft(ow, api, namespace, pkgName))) {
      await tolerateMissing(deleteNamespace(api, namespace));
      done('package', pkgName);
      done('namespace', namespace.label);
      return result(namespace, pkg, true);
    }
    await ow.deletePackage(pkgName);
    done('package', pkgName);
    keep(
      createdNamespace(pkg)
        ? `namespace ${namespace.label}: it holds other packages, functions or triggers`
        : `namespace ${namespace.label}: bootstrap did not create it`,
    );
    return result(namespace, pkg, false);
  } finally {
    await Promise.all([api.close(), https.close()]);
  }
}

/** The namespace's triggers; none on an account without the scheduled triggers preview. */
async function triggersOf(api: Parameters<typeof readTriggers>[0], namespace: NamespaceInfo) {
  const schedule = await readTriggers(api, namespace.namespace);
  return schedule.available ? schedule.triggers : [];
}

async function onlyOurPackageLeft(
  ow: OpenWhisk,
  api: Parameters<typeof readTriggers>[0],
  namespace: NamespaceInfo,
  pkgName: string,
): Promise<boolean> {
  const [contents, triggers] = await Promise.all([ow.contents(), triggersOf(api, namespace)]);
  return (
    contents.actions.length === 0 &&
    triggers.length === 0 &&
    contents.packages.every((name) => name === pkgName)
  );
}

function createdNamespace(pkg: OwPackage | undefined): boolean {
  return annotation(pkg?.annotations ?? [], ANNOTATIONS.createdNamespace) === true;
}

/** Already gone is as good as deleted: destroy can run again after a partial run. */
async function tolerateMissing(work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
