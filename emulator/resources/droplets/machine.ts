import { service } from '../../core/services.js';
import type { EmuCore } from '../../core/types.js';
import type { HostView } from '../../droplet-host/types.js';
import type { FirewallsGate } from '../firewalls/inbound.js';
import { readUserData } from './cloud-init.js';
import { firstBoot, type Outcome, type RegistryLookup } from './first-boot.js';
import type { DropletRecord } from './model.js';

/** Outcomes that can no longer change (the pull happened), per droplet and what it booted from. */
const settled = new WeakMap<DropletRecord, { key: string; outcome: Outcome }>();

/**
 * What a droplet's machine shows on the network, besides SSH: what answers its HTTP port (the
 * container once first boot is done; before, nothing — refused, or dropped by the image's host
 * firewall), and whom the cloud firewalls applied to it let in.
 */
export function machineFacts(
  core: EmuCore,
  d: DropletRecord,
  serving: boolean,
): Pick<HostView, 'http' | 'admits'> {
  const gate = service<FirewallsGate>(core.services, 'firewalls');
  const admits = (port: number, source: string) => gate?.admits(d, port, source) ?? true;
  const silent = d.image.software.hostFirewall ? 'filtered' : 'closed';
  if (!serving) return { http: silent, admits };
  const outcome = outcomeOf(core, d);
  const up = 'answersAfterMs' in outcome && core.clock.now() >= d.activeAt + outcome.answersAfterMs;
  return { http: up ? 'container' : silent, admits };
}

function outcomeOf(core: EmuCore, d: DropletRecord): Outcome {
  const key = `${d.image.slug}\0${d.userData ?? ''}`;
  const known = settled.get(d);
  if (known?.key === key) return known.outcome;
  const outcome = firstBoot(readUserData(d.userData), d.image.software, {
    timing: core.timing,
    httpPort: core.ports.http,
    registry: service<RegistryLookup>(core.services, 'registry'),
  });
  // The registry is consulted as of the pull: before it, an image pushed meanwhile still counts.
  const decidedAfter = 'answersAfterMs' in outcome ? outcome.answersAfterMs : (outcome.afterMs ?? 0);
  if (core.clock.now() >= d.activeAt + decidedAfter) settled.set(d, { key, outcome });
  return outcome;
}
