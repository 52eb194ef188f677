import { badRequest, conflict, notFound } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import { type DropletsService, service, type TagsService } from '../../core/services.js';
import type { EmulatorModule, EmuRequest } from '../../core/types.js';
import {
  checkDropletCount,
  checkRuleCount,
  checkTagCount,
  type FirewallSpec,
  parseFirewall,
  tagList,
} from './firewall-body.js';
import { admits, type FirewallsGate } from './inbound.js';
import { integers, isObject, parseRules, type Rule, ruleJson, sameRule } from './rules.js';

interface PendingChange {
  dropletId: number;
  removing: boolean;
}

interface Firewall extends FirewallSpec {
  id: string;
  createdAt: string;
  /** Virtual time of the last change: the firewall is `waiting` until it has been applied. */
  changedAt: number;
  /** Droplets the last changes touch, shown in `pending_changes` until they are applied. */
  pending: PendingChange[];
}

/**
 * Cloud firewalls (`/v2/firewalls` and its droplets, tags and rules sub-resources). A change puts
 * the firewall in `waiting`, with the droplets it touches in `pending_changes`, for one action's
 * time (`timing.actionMs`), then `succeeded`. Droplets are checked through the `droplets` service and
 * tags created through the `tags` service when those modules are present; droplets that no longer
 * exist drop out of `droplet_ids`. Validation errors are 400s, as the spec declares for firewalls.
 * The droplet hosts apply the inbound rules to their SSH and HTTP listeners (inbound.ts), from the
 * moment a change is stored: the emulator does not keep the old rules for the `waiting` window.
 */
export const firewallsModule: EmulatorModule = {
  name: 'firewalls',
  register(core) {
    const firewalls = new Map<string, Firewall>();
    const droplets = () => service<DropletsService>(core.services, 'droplets');
    const tagsService = () => service<TagsService>(core.services, 'tags');

    const isApplied = (fw: Firewall) => core.clock.now() >= fw.changedAt + core.timing.actionMs;
    const liveDroplets = (ids: number[]) => {
      const svc = droplets();
      return svc ? ids.filter((id) => svc.get(id) !== undefined) : ids;
    };
    /** Droplets a firewall applies to: its own plus those carrying its tags. */
    const covered = (spec: Pick<FirewallSpec, 'dropletIds' | 'tags'>) =>
      new Set([
        ...liveDroplets(spec.dropletIds),
        ...spec.tags.flatMap((t) => droplets()?.listByTag(t) ?? []).map((d) => d.id),
      ]);

    const requireDroplets = (ids: number[]) => {
      const svc = droplets();
      if (svc && ids.some((id) => !svc.get(id))) throw notFound();
    };
    const requireTargets = (rules: Rule[]) => requireDroplets(rules.flatMap((r) => r.target.droplet_ids));
    const ensureTags = (tags: string[]) => {
      for (const tag of tags) tagsService()?.ensure(tag);
    };
    const uniqueName = (name: string, self?: string) => {
      if ([...firewalls.values()].some((fw) => fw.name === name && fw.id !== self))
        throw conflict('duplicate name');
    };

    /** Records a change: which droplets it adds to or removes from, and restarts the apply window. */
    const changed = (fw: Firewall, before: Set<number>, rulesChanged: boolean) => {
      const after = covered(fw);
      const carried = isApplied(fw) ? [] : fw.pending;
      const touched = new Map(carried.map((p) => [p.dropletId, p]));
      for (const id of after)
        if (rulesChanged || !before.has(id)) touched.set(id, { dropletId: id, removing: false });
      for (const id of before) if (!after.has(id)) touched.set(id, { dropletId: id, removing: true });
      fw.pending = [...touched.values()];
      fw.changedAt = core.clock.now();
    };

    const view = (fw: Firewall) => {
      const applied = isApplied(fw);
      return {
        id: fw.id,
        name: fw.name,
        status: applied ? 'succeeded' : 'waiting',
        inbound_rules: fw.inbound.map((r) => ruleJson(r, 'inbound')),
        outbound_rules: fw.outbound.map((r) => ruleJson(r, 'outbound')),
        created_at: fw.createdAt,
        droplet_ids: liveDroplets(fw.dropletIds),
        tags: fw.tags.filter((t) => tagsService()?.exists(t) ?? true),
        pending_changes: applied
          ? []
          : fw.pending.map((p) => ({ droplet_id: p.dropletId, removing: p.removing, status: 'waiting' })),
      };
    };
    const firewallOf = (req: EmuRequest) => {
      const fw = firewalls.get(req.params.firewall_id ?? '');
      if (!fw) throw notFound();
      return fw;
    };
    const accept = (spec: FirewallSpec, self?: string) => {
      uniqueName(spec.name, self);
      requireDroplets(spec.dropletIds);
      requireTargets([...spec.inbound, ...spec.outbound]);
      ensureTags([...spec.tags, ...[...spec.inbound, ...spec.outbound].flatMap((r) => r.target.tags)]);
    };

    core.route('GET', '/v2/firewalls', (req) => ({
      status: 200,
      body: paginate(req, core.baseUrl(), 'firewalls', [...firewalls.values()].map(view)),
    }));

    core.route('POST', '/v2/firewalls', (req) => {
      const spec = parseFirewall(req.body);
      accept(spec);
      const now = core.clock.now();
      const fw: Firewall = {
        ...spec,
        id: core.ids.uuid(),
        createdAt: core.clock.iso(now),
        changedAt: now,
        pending: [],
      };
      // Everything the new firewall covers is pending until it has been applied.
      changed(fw, new Set(), true);
      firewalls.set(fw.id, fw);
      return { status: 202, body: { firewall: view(fw) } };
    });

    core.route('GET', '/v2/firewalls/:firewall_id', (req) => ({
      status: 200,
      body: { firewall: view(firewallOf(req)) },
    }));

    // PUT replaces the whole firewall: whatever the body leaves out is reset, as DigitalOcean warns.
    core.route('PUT', '/v2/firewalls/:firewall_id', (req) => {
      const fw = firewallOf(req);
      const spec = parseFirewall(req.body);
      accept(spec, fw.id);
      const before = covered(fw);
      Object.assign(fw, spec);
      changed(fw, before, true);
      return { status: 200, body: { firewall: view(fw) } };
    });

    core.route('DELETE', '/v2/firewalls/:firewall_id', (req) => {
      firewalls.delete(firewallOf(req).id);
      return { status: 204 };
    });

    // A droplet's firewalls (those naming it or one of its tags), served here where the firewalls live.
    core.route('GET', '/v2/droplets/:droplet_id/firewalls', (req) => {
      const id = Number(req.params.droplet_id);
      if (droplets() && !droplets()?.get(id)) throw notFound();
      const applying = [...firewalls.values()].filter((fw) => covered(fw).has(id)).map(view);
      return { status: 200, body: paginate(req, core.baseUrl(), 'firewalls', applying) };
    });

    const edit = (
      path: string,
      apply: (fw: Firewall, body: Record<string, unknown>, adding: boolean) => boolean,
    ) => {
      for (const [method, adding] of [
        ['POST', true],
        ['DELETE', false],
      ] as const) {
        core.route(method, `/v2/firewalls/:firewall_id/${path}`, (req) => {
          const fw = firewallOf(req);
          const before = covered(fw);
          const rulesChanged = apply(fw, isObject(req.body) ? req.body : {}, adding);
          changed(fw, before, rulesChanged);
          return { status: 204 };
        });
      }
    };

    edit('droplets', (fw, body, adding) => {
      const ids = integers(body.droplet_ids, 'droplet_ids');
      if (ids.length === 0) throw badRequest('droplet_ids must list at least one droplet');
      if (adding) {
        requireDroplets(ids);
        fw.dropletIds = [...new Set([...liveDroplets(fw.dropletIds), ...ids])];
        checkDropletCount(fw.dropletIds.length);
      } else {
        fw.dropletIds = fw.dropletIds.filter((id) => !ids.includes(id));
      }
      return false;
    });

    edit('tags', (fw, body, adding) => {
      const tags = tagList(body.tags, 'tags');
      if (tags.length === 0) throw badRequest('tags must list at least one tag');
      if (adding) {
        checkTagCount(new Set([...fw.tags, ...tags]).size);
        ensureTags(tags);
        fw.tags = [...new Set([...fw.tags, ...tags])];
      } else {
        fw.tags = fw.tags.filter((t) => !tags.includes(t));
      }
      return false;
    });

    edit('rules', (fw, body, adding) => {
      const inbound = parseRules(body.inbound_rules, 'inbound');
      const outbound = parseRules(body.outbound_rules, 'outbound');
      if (inbound.length + outbound.length === 0)
        throw badRequest('must specify at least one inbound or outbound rule');
      if (adding) {
        checkRuleCount(fw.inbound.length + fw.outbound.length + inbound.length + outbound.length);
        requireTargets([...inbound, ...outbound]);
        ensureTags([...inbound, ...outbound].flatMap((r) => r.target.tags));
        fw.inbound = [...fw.inbound, ...inbound];
        fw.outbound = [...fw.outbound, ...outbound];
      } else {
        fw.inbound = fw.inbound.filter((r) => !inbound.some((gone) => sameRule(r, gone)));
        fw.outbound = fw.outbound.filter((r) => !outbound.some((gone) => sameRule(r, gone)));
      }
      return true;
    });

    const gate: FirewallsGate = {
      admits: (droplet, port, source) => admits([...firewalls.values()], droplet, port, source),
    };
    core.services.set('firewalls', gate);

    core.state('firewalls', {
      dump: () => [...firewalls.values()].map(view),
      reset: () => firewalls.clear(),
    });
  },
};
