/**
 * Info as a person reads it on a terminal: the warnings first (they are why one runs info before a
 * deploy), then one aligned table per kind, empty kinds said as "none".
 */
import type { OpReport } from '../types.js';
import { type Cell, formatBytes, formatTime, table } from './table.js';
import type { AppRow, DeploymentPhase, InfoResult, Ownership } from './types.js';

function ownerCell(row: Ownership): string | undefined {
  if (row.owner) return row.owner;
  return row.note ? `not ours: ${row.note}` : undefined;
}

function phaseCell(phase: DeploymentPhase | undefined): string | undefined {
  if (!phase) return undefined;
  return `${phase.phase}${phase.progress ? ` ${phase.progress}` : ''} (${phase.id.slice(0, 8)})`;
}

function componentsCell(app: AppRow): string {
  return app.components
    .map((c) => {
      const instances = c.instance_count === undefined ? '' : ` ×${c.instance_count}`;
      const size = c.instance_size ? ` ${c.instance_size}` : '';
      return `${c.kind} ${c.name}${instances}${size}`;
    })
    .join(', ');
}

/** `app.example.com ACTIVE, www.example.com PENDING (PRIMARY)`. */
function domainsCell(app: AppRow): string | undefined {
  if (!app.domains?.length) return undefined;
  return app.domains
    .map((d) => `${d.domain} ${d.phase}${d.type && d.type !== 'ALIAS' ? ` (${d.type})` : ''}`)
    .join(', ');
}

function appsSection(apps: readonly AppRow[]): string {
  const rows: Cell[][] = apps.map((a) => [
    a.name,
    a.id,
    a.live_url,
    domainsCell(a),
    phaseCell(a.active_deployment),
    phaseCell(a.in_progress_deployment),
    componentsCell(a),
    ownerCell(a),
  ]);
  const lines = [
    table(
      'Apps',
      ['NAME', 'ID', 'LIVE URL', 'DOMAINS', 'ACTIVE', 'IN PROGRESS', 'COMPONENTS', 'OWNER'],
      rows,
    ),
  ];
  for (const app of apps.filter((a) => a.differences?.length)) {
    lines.push(`  ${app.name} differs from deployment.yml: ${app.differences!.join('; ')}`);
  }
  return lines.join('\n');
}

function domainSections(result: InfoResult): string[] {
  const domains = table(
    'Domains',
    ['NAME', 'IN ACCOUNT', 'CREATED BY', 'RECORDS'],
    result.domains.map((d) => [
      d.name,
      d.exists,
      d.created_by,
      d.exists ? `${d.records.length}${d.other_records ? ` (+${d.other_records} other)` : ''}` : undefined,
    ]),
  );
  const records = result.domains.flatMap((d) =>
    d.records.map((r): Cell[] => [d.name, r.type, r.name, r.data, r.ttl, r.state]),
  );
  const headers = [
    'DOMAIN',
    'TYPE',
    'NAME',
    'DATA',
    'TTL',
    ...(result.scope === 'deployment' ? ['STATE'] : []),
  ];
  return [domains, table('DNS records', headers, records)];
}

function registrySections(result: InfoResult): string[] {
  const registry = result.registry;
  if (!registry) return ['Container registry: none'];
  return [
    table(
      'Container registry',
      ['NAME', 'REGION', 'TIER', 'STORAGE USED'],
      [[registry.name, registry.region, registry.tier, formatBytes(registry.storage_used_bytes)]],
    ),
    table(
      'Repositories',
      ['NAME', 'TAGS', 'LATEST TAGS', 'UPDATED'],
      registry.repositories.map((r) => [
        r.name,
        r.tag_count,
        r.latest_tags.join(', '),
        formatTime(r.latest_updated_at),
      ]),
    ),
  ];
}

export function renderInfo(report: OpReport<InfoResult>): string {
  const r = report.result;
  const heading =
    r.scope === 'deployment' && report.deployment
      ? `Info for ${report.deployment}`
      : 'Info for the whole account';
  const warnings = report.warnings.length
    ? ['Warnings:', ...report.warnings.map((w) => `  ! ${w}`)].join('\n')
    : 'Warnings: none';
  const sections = [
    heading,
    warnings,
    table(
      'Functions namespaces',
      ['LABEL', 'REGION', 'NAMESPACE', 'API HOST', 'CREATED'],
      r.namespaces.map((n) => [n.label, n.region, n.namespace, n.api_host, formatTime(n.created_at)]),
    ),
    ...domainSections(r),
    appsSection(r.apps),
    table(
      'Droplets',
      ['NAME', 'ID', 'STATUS', 'PUBLIC IP', 'SIZE', 'REGION', 'TAGS', 'CREATED', 'OWNER'],
      r.droplets.map((d) => [
        d.name,
        d.id,
        d.status,
        [d.public_ipv4, d.public_ipv6].filter(Boolean).join(' ') || undefined,
        d.size,
        d.region,
        d.tags.join(','),
        formatTime(d.created_at),
        ownerCell(d),
      ]),
    ),
    ...registrySections(r),
    table(
      'Firewalls',
      ['NAME', 'ID', 'STATUS', 'INBOUND', 'OUTBOUND', 'APPLIES TO', 'OWNER'],
      r.firewalls.map((f) => [
        f.name,
        f.id,
        f.status,
        f.inbound.join('; '),
        f.outbound.join('; '),
        [...f.tags.map((t) => `tag:${t}`), ...f.droplet_ids.map((id) => `droplet:${id}`)].join(', '),
        ownerCell(f),
      ]),
    ),
    table(
      'Projects',
      ['NAME', 'ID', 'PURPOSE', 'ENVIRONMENT', 'DEFAULT'],
      r.projects.map((p) => [p.name, p.id, p.purpose, p.environment, p.is_default]),
    ),
    table(
      'SSH keys',
      ['NAME', 'ID', 'FINGERPRINT', 'OWNER'],
      r.ssh_keys.map((k) => [k.name, k.id, k.fingerprint, ownerCell(k)]),
    ),
  ];
  return `${sections.join('\n\n')}\n`;
}
