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

/** Terraform's provider tolerates exactly this refusal when it powers off before a resize. */
const ALREADY_POWERED_OFF = 'Droplet is already powered off.';
const CURRENTLY_ON = 'Droplet is currently on. Please power it off to run this event.';

/**
 * Validates an action against the droplet's current state, refusing only what DigitalOcean is
 * known to refuse (docs/fidelity.md, "Droplet actions"): a resize needs the droplet off, a power
 * off needs it on. Actions that would change nothing (power on a running droplet, enable IPv6 that
 * is on) are accepted and complete without effect, as clients rely on. The caller has already
 * refused a droplet with a pending event.
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
  // The status follows a changed power state only a while after the action completed
  // (droplet_kit#50); the machine itself, and what actions accept, follow at once.
  const completesAt = core.clock.now() + actionMs;
  const power = (x: DropletRecord, to: DropletRecord['power']) => {
    if (x.power === to) return;
    x.lagging = { status: x.power === 'on' ? 'active' : 'off', until: completesAt + core.timing.statusLagMs };
    x.power = to;
  };
  switch (type) {
    case 'power_on':
      // Ansible's community.digitalocean posts power_on to every droplet it has just created
      // (active already) and waits for the action to complete.
      return { type, durationMs: actionMs, complete: (x) => power(x, 'on') };
    case 'power_off':
    case 'shutdown':
      if (!isOn && type === 'power_off') throw unprocessable(ALREADY_POWERED_OFF);
      return {
        type,
        durationMs: actionMs,
        complete: (x) => {
          power(x, 'off');
          disconnect();
        },
      };
    case 'reboot':
    case 'power_cycle':
      return { type, durationMs: actionMs, begin: disconnect, complete: (x) => power(x, 'on') };
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
    // Switching on what is on (or off what is off) is accepted and changes nothing: no client or
    // document shows DigitalOcean refusing it.
    case 'enable_ipv6':
      return { type, durationMs: actionMs, complete: (x) => store.enableIpv6(x) };
    case 'enable_backups':
      return { type, durationMs: actionMs, complete: (x) => (x.backups = true) };
    case 'disable_backups':
      return { type, durationMs: actionMs, complete: (x) => (x.backups = false) };
    case 'change_backup_policy':
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
  // A disk that grew with an earlier resize can not shrink back (the API reference says so).
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
