/**
 * An edit's plan: what it touches is checked against the manifest first (no API call), then read
 * from DigitalOcean, then planned (pure) part by part — app, droplets, records — into one unit.
 */
import type { Deployment } from '../../config/manifest.js';
import { InputError, type Problem } from '../../errors.js';
import { type AppState, findApp } from '../../resources/app/index.js';
import { type DomainActual, domainModule } from '../../resources/domain/index.js';
import { type ActualDroplets, dropletsModule, type ImageRef } from '../../resources/droplets/index.js';
import type { PlanStep } from '../../resources/types.js';
import type { OpContext } from '../types.js';
import { type AppEdit, planAppEdit } from './app-edit.js';
import {
  type DropletEdit,
  type DropletFields,
  findDropletBaseline,
  planDropletEdit,
} from './droplets-edit.js';
import type { ChangeSet } from './input.js';
import { planRecordEdit, type RecordEdit } from './records-edit.js';

/** Which parts of the deployment the change set touches. */
export interface Touched {
  app: boolean;
  droplets: boolean;
  records: boolean;
}

/** Pure: the parts touched, or the problems of asking a deployment for parts it does not have. */
export function touchedBy(deployment: Deployment, changes: ChangeSet): Touched {
  const { app, droplets, image, records } = changes;
  const appFields = Object.keys(app.scale).length + Object.keys(app.setEnv).length + app.unsetEnv.length > 0;
  const dropletFields = droplets.count !== undefined || droplets.size !== undefined;
  const problems: Problem[] = [];
  const missing = (path: string, section: string) =>
    problems.push({ path, message: `the deployment has no ${section} section in deployment.yml` });
  if (appFields && !deployment.app) missing(Object.keys(app.scale).length ? 'scale.app' : 'set_env', 'app');
  if (dropletFields && !deployment.droplets) missing('scale.droplets', 'droplets');
  if (image && !deployment.app && !deployment.droplets) missing('image_tag', 'app or droplets');
  if (records.add.length + records.remove.length > 0 && !deployment.domain) missing('records', 'domain');
  if (problems.length > 0) throw new InputError('The change set', problems);
  return {
    app: appFields || (image !== undefined && deployment.app !== undefined),
    droplets: dropletFields || (image !== undefined && deployment.droplets !== undefined),
    records: records.add.length + records.remove.length > 0,
  };
}

export interface EditWorld {
  app?: AppState | undefined;
  droplets?: ActualDroplets;
  /** What the droplets run now (undefined: not found, and the plan says so). */
  dropletBaseline?: DropletFields | undefined;
  domain?: DomainActual;
}

/** Reads only what the change set touches, in parallel. */
export async function readEditWorld(
  ctx: OpContext,
  deployment: Deployment,
  touched: Touched,
): Promise<EditWorld> {
  const [app, droplets, domain] = await Promise.all([
    // The app also tells which image the droplets run (see dropletBaseline).
    touched.app || (touched.droplets && deployment.app) ? findApp(ctx, deployment.slug) : undefined,
    touched.droplets ? dropletsModule.read(ctx, deployment) : undefined,
    touched.records ? domainModule.read(ctx, deployment) : undefined,
  ]);
  const dropletBaseline = droplets && (await findDropletBaseline(ctx, deployment, droplets, imageHints(app)));
  return { app, ...(droplets ? { droplets, dropletBaseline } : {}), ...(domain ? { domain } : {}) };
}

export interface EditPlan {
  app?: AppEdit;
  droplets?: DropletEdit;
  records?: RecordEdit;
  warnings: string[];
}

/** Pure: the tags and digests the app's image components run, to recognise the droplets' image. */
function imageHints(app: AppState | undefined): ImageRef[] {
  const components = [app?.spec.services, app?.spec.workers, app?.spec.jobs].flatMap((list) => list ?? []);
  return components.flatMap((c) => (c.image ? [{ tag: c.image.tag, digest: c.image.digest }] : []));
}

/** Pure: the whole edit, or an InputError naming every part that cannot be done. */
export function planEdit(
  deployment: Deployment,
  changes: ChangeSet,
  touched: Touched,
  world: EditWorld,
): EditPlan {
  const problems: Problem[] = [];
  const plan: EditPlan = { warnings: [] };
  if (touched.app) {
    if (!world.app)
      problems.push({ path: 'env', message: `the app ${deployment.slug} does not exist: run deploy first` });
    else {
      const app = planAppEdit(deployment, changes, world.app);
      plan.app = app.edit;
      problems.push(...app.problems);
    }
  }
  if (touched.droplets && world.droplets) {
    const droplets = planDropletEdit(deployment, changes, world.droplets, world.dropletBaseline);
    if (droplets.edit) plan.droplets = droplets.edit;
    problems.push(...droplets.problems);
  }
  if (touched.records && world.domain) {
    const records = planRecordEdit(deployment, changes, world.domain);
    if (records.edit) plan.records = records.edit;
    problems.push(...records.problems);
    plan.warnings.push(...records.warnings);
  }
  if (problems.length > 0) throw new InputError('The change set', problems);
  return plan;
}

/** Every step of the plan, in the order it is shown. */
export function stepsOf(plan: EditPlan): PlanStep[] {
  return [
    ...(plan.app?.step ? [plan.app.step] : []),
    ...(plan.droplets?.steps ?? []),
    ...(plan.records?.steps ?? []),
  ];
}

/** Whether there is anything to apply, or to follow (an earlier call's app deployment). */
export function hasWork(plan: EditPlan): boolean {
  return stepsOf(plan).length > 0 || plan.app?.continuing === true;
}
