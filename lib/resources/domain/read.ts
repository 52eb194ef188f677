/** Reading a domain's records through dots. */
import type { Domain_record } from '@digitalocean/dots';
import type { Deployment } from '../../config/manifest.js';
import { isNotFound, listAll, toApiError } from '../../do/index.js';
import type { OpContext } from '../../ops/types.js';
import type { DomainActual } from './plan.js';
import { canonicalData, DEFAULT_TTL, type ExistingRecord, managedKeys, relativeName } from './records.js';

export function flattenRecord(record: Domain_record, domain: string): ExistingRecord {
  const type = record.type ?? '';
  return {
    id: record.id ?? 0,
    type,
    name: relativeName(record.name ?? '@'),
    data: canonicalData(type, record.data ?? '', domain),
    ttl: record.ttl ?? DEFAULT_TTL,
  };
}

export interface RecordFilter {
  /** Relative name (`www`, `@`); the API filters by the fully qualified one. */
  name?: string;
  type?: string;
}

/**
 * Every record of `domain` (or those of one name and type), or undefined when the domain does not
 * exist: the records list answers 404 then, so one call tells both.
 */
export async function listRecords(
  ctx: OpContext,
  domain: string,
  filter: RecordFilter = {},
): Promise<ExistingRecord[] | undefined> {
  const fqdn =
    filter.name === undefined ? undefined : filter.name === '@' ? domain : `${filter.name}.${domain}`;
  try {
    const records = await listAll(
      async (page, perPage) => {
        const r = await ctx.api.client.v2.domains.byDomain_name(domain).records.get({
          queryParameters: {
            page,
            perPage,
            ...(fqdn ? { name: fqdn } : {}),
            ...(filter.type ? { type: filter.type as never } : {}),
          },
        });
        return { items: r?.domainRecords, links: r?.links, meta: r?.meta };
      },
      { what: `records of ${domain}` },
    );
    return records.map((r) => flattenRecord(r, domain));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toApiError(error, { action: 'list records of', resource: `domain ${domain}` });
  }
}

export async function readDomain(ctx: OpContext, deployment: Deployment): Promise<DomainActual> {
  const domain = deployment.domain?.name.toLowerCase();
  const managed = managedKeys(deployment);
  if (!domain) return { slug: deployment.slug, domain, exists: false, records: [], managed };
  const records = await listRecords(ctx, domain);
  return { slug: deployment.slug, domain, exists: records !== undefined, records: records ?? [], managed };
}
