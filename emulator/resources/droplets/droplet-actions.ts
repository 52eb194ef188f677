import { unprocessable } from '../../core/http-error.js';
import type { EmuCore } from '../../core/types.js';
import { findImage, findSize } from './catalog.js';
import { checkDropletName } from './create-request.js';
import type { DropletRecord } from './model.js';
import type { DropletStore } from './store.js';

/** A validated droplet action: what it is, how long it takes, and what it changes. */
export interface PlannedAction {
  type: string;
  durationMs: number;
  /** Runs when the action starts (sessions drop as a reboot begins). */
  begin?(): void;
  /** Runs when the action completes; the droplet may be gone by then. */
  complete?(droplet: DropletRecord): void;
}

/** What `POST /v2/droplets/actions?tag_name=` accepts, per the API reference. */
export const BULK_TYPES = new Set([
  'power_cycle',
  'power_on',
  'power_off',
  'shutdown',
  'enable_ipv6',
  'enable_backups',
  'disable_backups',
  'snapshot',
]);

const ALREADY_OFF = 'The droplet is already off.';
const CURRENTLY_ON = 'Droplet is currently on. Please power it off to run this event.';

/**
 * Validates an action against the droplet's current state with DigitalOcean's messages, e.g. a
 * resize needs the droplet off and a power off needs it on. The caller has already refused a
 * droplet with a pending event.
 */
export function planDropletAction(
  core: EmuCore,
  store: DropletStore,
  d: DropletRecord,
  body: Record<string, unknown>,
): PlannedAction {
  const type = body.type;
  const isOn = store.status(d) === 'active';
  const actionMs = core.timing.actionMs;
  const disconnect = () => void store.hosts.disconnect(d.id);
  switch (type) {
    case 'power_on':
      if (isOn) throw unprocessable('The droplet is already on.');
      return { type, durationMs: actionMs, complete: (x) => (x.power = 'on') };
    case 'power_off':
    case 'shutdown':
      if (!isOn) throw unprocessable(ALREADY_OFF);
      return {
        type,
        durationMs: actionMs,
        complete: (x) => {
          x.power = 'off';
          disconnect();
        },
      };
    case 'reboot':
    case 'power_cycle':
      return { type, durationMs: actionMs, begin: disconnect, complete: (x) => (x.power = 'on') };
    case 'resize':
      return planResize(core, d, body, isOn);
    case 'rebuild': {
      const image = findImage(body.image);
      if (!image) throw unprocessable('You specified an invalid image for Droplet rebuild.');
      return {
        type,
        durationMs: actionMs,
        begin: disconnect,
        complete: (x) => {
          x.image = image;
          void store.hosts.wipe(x.id);
        },
      };
    }
    case 'rename': {
      const name = checkDropletName(body.name);
      return { type, durationMs: actionMs, complete: (x) => (x.name = name) };
    }
    case 'enable_ipv6':
      if (d.ipv6) throw unprocessable('IPv6 is already enabled on this Droplet.');
      return { type, durationMs: actionMs, complete: (x) => store.enableIpv6(x) };
    case 'enable_backups':
      if (d.backups) throw unprocessable('Backups have already been enabled on this Droplet.');
      return { type, durationMs: actionMs, complete: (x) => (x.backups = true) };
    case 'disable_backups':
      if (!d.backups) throw unprocessable('Backups have already been disabled on this Droplet.');
      return { type, durationMs: actionMs, complete: (x) => (x.backups = false) };
    case 'change_backup_policy':
      if (!d.backups) throw unprocessable('Backups are not enabled on this Droplet.');
      return { type, durationMs: actionMs };
    case 'snapshot':
      return {
        type,
        durationMs: actionMs,
        complete: (x) => x.snapshotIds.push(core.ids.next('snapshot', 170_000_000)),
      };
    case 'password_reset':
      // The new password goes out by e-mail; nothing about the droplet itself changes.
      return { type, durationMs: actionMs };
    case 'restore':
      // Backups are never taken here, so no image can be a backup of this droplet.
      throw unprocessable('The image you specified is not a backup of this Droplet.');
    case 'change_kernel':
      throw unprocessable('This Droplet uses an internally managed kernel; its kernel can not be changed.');
    default:
      throw unprocessable(
        `${type === undefined ? 'type' : JSON.stringify(type)} is not a valid action type.`,
      );
  }
}

function planResize(
  core: EmuCore,
  d: DropletRecord,
  body: Record<string, unknown>,
  isOn: boolean,
): PlannedAction {
  const size = typeof body.size === 'string' ? findSize(body.size) : undefined;
  if (!size) throw unprocessable('You specified an invalid size for Droplet resize.');
  if (isOn) throw unprocessable(CURRENTLY_ON);
  if (size.slug === d.size.slug) throw unprocessable('The droplet is already set to this size.');
  // A disk that grew with an earlier resize can not shrink back.
  if (size.disk < d.diskGb) throw unprocessable("Size can not decrease size of Droplet's disk image");
  const withDisk = body.disk === true;
  return {
    type: 'resize',
    durationMs: core.timing.resizeMs,
    complete: (x) => {
      x.size = size;
      if (withDisk) x.diskGb = size.disk;
    },
  };
}
