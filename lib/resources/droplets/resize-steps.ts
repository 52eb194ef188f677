/**
 * What a resize does next, decided (pure) from the droplet as read and from what the actions this
 * resize completed say. DigitalOcean's droplet `status` can lag a completed power action by a few
 * seconds (still `active` after a completed power off: digitalocean/droplet_kit#50), so a resize
 * that went by the status alone would power off again and be refused. A completed action's outcome
 * is taken over a status that disagrees, until a read agrees with it.
 */
import { OperationError } from '../../errors.js';
import type { DropletState } from './model.js';

export type ResizeAction = 'power_off' | 'resize' | 'power_on';

/** The parts of a droplet a resize decides by. */
export type ResizeView = Pick<DropletState, 'status' | 'size'>;

/** What completed actions showed, ahead of reads that may not show it yet. */
export type Outcomes = Partial<ResizeView>;

/** Pure: the next action towards `size` and running, or undefined when there. */
export function nextResizeAction(droplet: ResizeView, size: string): ResizeAction | undefined {
  if (droplet.status === 'active') return droplet.size === size ? undefined : 'power_off';
  if (droplet.status === 'off') return droplet.size === size ? 'power_on' : 'resize';
  throw new OperationError(`The droplet is ${droplet.status}, so it cannot be resized.`);
}

/** Pure: what a completed action (or a power off refused as done already) leaves behind. */
export function outcomeOf(action: ResizeAction, size: string): Outcomes {
  if (action === 'power_off') return { status: 'off' };
  if (action === 'power_on') return { status: 'active' };
  return { size };
}

/**
 * Pure: the droplet as the resize should see it — each known outcome over a read that does not
 * show it yet — and the outcomes still ahead of the reads (those a read agrees with are dropped,
 * so a later change by someone else is seen again).
 */
export function reconcile(read: ResizeView, known: Outcomes): { view: ResizeView; known: Outcomes } {
  const view = { status: known.status ?? read.status, size: known.size ?? read.size };
  const ahead: Outcomes = {
    ...(known.status !== undefined && known.status !== read.status ? { status: known.status } : {}),
    ...(known.size !== undefined && known.size !== read.size ? { size: known.size } : {}),
  };
  return { view, known: ahead };
}

/** DigitalOcean's refusal of a power off of a droplet that is off (Terraform's provider ignores it). */
export function isAlreadyOff(message: string): boolean {
  return /already powered off/i.test(message);
}

/** DigitalOcean's refusal while another action runs on the droplet (Terraform's provider retries it). */
export function isPendingEvent(message: string): boolean {
  return /already has a pending event/i.test(message);
}
