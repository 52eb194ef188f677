import {
  type App_response,
  type Apps_create_app_request,
  createApp_responseFromDiscriminatorValue,
  serializeApps_create_app_request,
} from '@digitalocean/dots';
import type { ParsableFactory } from '@microsoft/kiota-abstractions';
import { JsonSerializationWriter } from '@microsoft/kiota-serialization-json';
import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../lib/config/app-spec.js';
import { LenientJsonParseNode } from '../../lib/do/parse-node.js';
import { InputError } from '../../lib/errors.js';
import {
  expandSpec,
  flattenSpec,
  normalizeSpec,
  SECRET_VALUE,
  specDifferences,
  specMatches,
  withImage,
} from '../../lib/resources/app/index.js';

const SECRET = 'plain-secret-value-123';
const SEALED = 'EV[1:c2VhbGVkbm9uY2U=:Y2lwaGVydGV4dGJvZHk=]';

function spec(overrides: Partial<AppSpec> = {}, tag = 'v1'): AppSpec {
  return {
    name: 'base2-staging',
    region: 'nyc',
    envs: [{ key: 'APP_WIDE', value: 'yes', scope: 'RUN_TIME' }],
    services: [
      {
        name: 'web',
        image: { registry_type: 'DOCR', repository: 'base2', tag },
        http_port: 8080,
        instance_count: 1,
        envs: [
          { key: 'BASE2_LOG_LEVEL', value: 'info', scope: 'RUN_TIME', type: 'GENERAL' },
          { key: 'BASE2_SECRET_KEY', value: SECRET, scope: 'RUN_TIME', type: 'SECRET' },
        ],
      },
    ],
    ...overrides,
  };
}

/** What dots puts on the wire for a create request. */
function wireBody(body: Apps_create_app_request): unknown {
  const writer = new JsonSerializationWriter();
  writer.writeObjectValue(undefined, body, serializeApps_create_app_request);
  return JSON.parse(new TextDecoder().decode(writer.getSerializedContent()));
}

/** An app as dots parses DigitalOcean's JSON, through the parser lib/do installs. */
function parsedApp(json: unknown) {
  const factory = createApp_responseFromDiscriminatorValue as ParsableFactory<App_response>;
  return new LenientJsonParseNode(json).getObjectValue(factory).app!;
}

describe('withImage', () => {
  const digest = `sha256:${'a'.repeat(64)}`;

  it('sets the tag on the components that run the repository', () => {
    const two = spec({
      workers: [{ name: 'jobs', image: { registry_type: 'DOCR', repository: 'other', tag: 'x' } }],
    });
    const next = withImage(two, { tag: 'v9', repository: 'base2' });
    expect(next.services![0]!.image).toEqual({ registry_type: 'DOCR', repository: 'base2', tag: 'v9' });
    expect(next.workers![0]!.image!.tag).toBe('x');
    expect(two.services![0]!.image!.tag).toBe('v1');
  });

  it('replaces a tag with a digest and a digest with a tag, never both', () => {
    const pinned = withImage(spec(), { digest });
    expect(pinned.services![0]!.image).toEqual({ registry_type: 'DOCR', repository: 'base2', digest });
    expect(withImage(pinned, { tag: 'v2' }).services![0]!.image).toEqual({
      registry_type: 'DOCR',
      repository: 'base2',
      tag: 'v2',
    });
  });

  it('leaves the spec as it is without an override', () => {
    const same = spec();
    expect(withImage(same, {})).toBe(same);
  });

  it('refuses a tag and a digest together, and malformed ones', () => {
    expect(() => withImage(spec(), { tag: 'v2', digest })).toThrow(InputError);
    expect(() => withImage(spec(), { tag: 'no spaces' })).toThrow(/image_tag/);
    expect(() => withImage(spec(), { digest: 'sha256:xyz' })).toThrow(/image_digest/);
  });
});

describe('expandSpec and flattenSpec', () => {
  it('sends the spec exactly as written, app-level envs and digests included', () => {
    const pinned = withImage(spec(), { digest: `sha256:${'b'.repeat(64)}` });
    expect(wireBody({ spec: expandSpec(pinned) })).toEqual({ spec: pinned });
  });

  it("adds none of the defaults dots' typed serializer would (image tag, env scope and type)", () => {
    const bare = spec({
      services: [
        { name: 'web', image: { registry_type: 'DOCR', repository: 'base2' }, envs: [{ key: 'K' }] },
      ],
    });
    expect(wireBody({ spec: expandSpec(bare) })).toEqual({ spec: bare });
  });

  it('reads back what DigitalOcean answered, fields dots models and fields it does not', () => {
    const answered = {
      ...spec(),
      services: [{ ...spec().services![0]!, routes: [{ path: '/', preserve_path_prefix: true }] }],
      alerts: [{ rule: 'DEPLOYMENT_FAILED' }],
    };
    const app = parsedApp({ app: { id: 'a1', spec: answered, created_at: '2024-01-01T00:00:00Z' } });
    expect(flattenSpec(app.spec)).toEqual(answered);
  });
});

describe('normalizeSpec', () => {
  it('masks SECRET values and fills App Platform defaults', () => {
    const normal = normalizeSpec({
      name: 'x',
      services: [
        {
          name: 'web',
          image: { registry_type: 'DOCR', repository: 'base2' },
          envs: [{ key: 'K', value: SECRET, type: 'SECRET' }, { key: 'G' }],
        },
      ],
    }) as { services: { image: unknown; envs: unknown }[] };
    expect(normal.services[0]!.image).toEqual({ registry_type: 'DOCR', repository: 'base2', tag: 'latest' });
    expect(normal.services[0]!.envs).toEqual([
      { key: 'K', value: SECRET_VALUE, type: 'SECRET', scope: 'RUN_AND_BUILD_TIME' },
      { key: 'G', value: '', type: 'GENERAL', scope: 'RUN_AND_BUILD_TIME' },
    ]);
    expect(JSON.stringify(normal)).not.toContain(SECRET);
  });
});

describe('specDifferences', () => {
  const withSecret = (value: string) =>
    spec({
      services: [
        {
          ...spec().services![0]!,
          envs: [
            spec().services![0]!.envs![0]!,
            { key: 'BASE2_SECRET_KEY', value, scope: 'RUN_TIME', type: 'SECRET' },
          ],
        },
      ],
    });

  it('counts an unchanged SECRET, returned encrypted, as no change', () => {
    expect(specDifferences(spec(), withSecret(SEALED))).toEqual([]);
  });

  it('ignores list order and fields only DigitalOcean filled in', () => {
    const api = { name: 'api', image: { registry_type: 'DOCR' as const, repository: 'api' } };
    const desired = spec({ services: [spec().services![0]!, api] });
    const web = desired.services![0]!;
    const actual: AppSpec = {
      ...desired,
      services: [api, { ...web, envs: [...web.envs!].reverse(), instance_size_slug: 'apps-s-1vcpu-0.5gb' }],
      ingress: { rules: [{ component: { name: 'web' }, match: { path: { prefix: '/' } } }] },
    };
    expect(specDifferences(desired, actual)).toEqual([]);
  });

  it('names what changed: a tag, a GENERAL value, an added or removed variable or component', () => {
    const desired = spec({}, 'v2');
    desired.services![0]!.envs = [
      { key: 'BASE2_LOG_LEVEL', value: 'debug', scope: 'RUN_TIME', type: 'GENERAL' },
      { key: 'NEW_SECRET', value: SECRET, type: 'SECRET' },
    ];
    const differences = specDifferences(desired, withSecret(SEALED));
    expect(differences).toEqual([
      'services.web.image.tag: v1 → v2',
      'services.web.envs.BASE2_LOG_LEVEL.value: info → debug',
      'services.web.envs.NEW_SECRET: added',
      'services.web.envs.BASE2_SECRET_KEY: removed',
    ]);
    expect(
      specDifferences(spec({ workers: [{ name: 'w', image: spec().services![0]!.image! }] }), spec()),
    ).toEqual(['workers: (unset) → (changed)']);
    expect(specDifferences({ ...spec(), services: [] }, spec())).toEqual(['services.web: removed']);
  });

  it('sees a variable turned from SECRET to GENERAL, without showing the secret', () => {
    const desired = withSecret('now-public');
    desired.services![0]!.envs![1]!.type = 'GENERAL';
    const differences = specDifferences(desired, withSecret(SEALED));
    expect(differences.join(' ')).toContain('services.web.envs.BASE2_SECRET_KEY.type: SECRET → GENERAL');
    expect(differences.join(' ')).not.toContain(SEALED);
  });

  it('specMatches is false without an actual spec', () => {
    expect(specMatches(spec(), undefined)).toBe(false);
    expect(specMatches(spec(), withSecret(SEALED))).toBe(true);
  });
});
