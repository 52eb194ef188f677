import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, isNotFound, TransportError, toApiError, toToolError } from '../../lib/do/index.js';
import { ConfigError } from '../../lib/errors.js';
import { closeFixtures, doFixture, plantedToken } from '../support/do-fixtures.js';
import { doError, type JsonReply } from '../support/https-server.js';

const cases: Array<{ reply: JsonReply; message: string; hint: RegExp }> = [
  {
    reply: doError(401, 'unauthorized', 'Unable to authenticate you.', 'r-401'),
    message:
      'DigitalOcean refused to read droplet base2-staging-1: 401 unauthorized — Unable to authenticate you (request r-401).',
    hint: /DIGITALOCEAN_TOKEN/,
  },
  {
    reply: doError(403, 'forbidden', 'You are not authorized to perform this operation.', 'r-403'),
    message:
      'DigitalOcean refused to read droplet base2-staging-1: 403 forbidden — You are not authorized to perform this operation (request r-403).',
    hint: /scopes/,
  },
  {
    reply: doError(404, 'not_found', 'The resource you were accessing could not be found.', 'r-404'),
    message:
      'DigitalOcean refused to read droplet base2-staging-1: 404 not_found — The resource you were accessing could not be found (request r-404).',
    hint: /^$/,
  },
  {
    reply: doError(422, 'unprocessable_entity', 'Region is not available', 'r-422'),
    message:
      'DigitalOcean refused to read droplet base2-staging-1: 422 unprocessable_entity — Region is not available (request r-422).',
    hint: /^$/,
  },
  {
    reply: doError(429, 'too_many_requests', 'API Rate limit exceeded.', 'r-429'),
    message:
      'DigitalOcean refused to read droplet base2-staging-1: 429 too_many_requests — API Rate limit exceeded (request r-429).',
    hint: /rate limit/,
  },
  {
    reply: doError(500, 'server_error', 'Server was unable to give you a response.', 'r-500'),
    message:
      'DigitalOcean failed to read droplet base2-staging-1: 500 server_error — Server was unable to give you a response (request r-500).',
    hint: /try again/,
  },
];

async function readDropletError(replies: JsonReply[]): Promise<ApiError> {
  // A 429 is retried for as long as rateLimitWaitMs allows, whatever maxAttempts says: no time, no retry.
  const { api, server } = await doFixture({ client: { maxAttempts: 1, rateLimitWaitMs: 0 } });
  server.script(...replies);
  try {
    await api.client.v2.droplets.byDroplet_id(1).get();
  } catch (error) {
    return toApiError(error, { action: 'read droplet', resource: 'base2-staging-1' });
  }
  throw new Error('expected the call to fail');
}

function everythingSaid(error: ApiError): string {
  return [
    error.message,
    error.describe(),
    JSON.stringify(error),
    JSON.stringify(error.cause),
    String(error),
  ].join('\n');
}

describe('DigitalOcean errors', () => {
  afterEach(closeFixtures);

  for (const { reply, message, hint } of cases) {
    it(`maps a ${reply.status} to one sentence with id, message, request id and advice`, async () => {
      const error = await readDropletError([reply]);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({
        kind: 'api',
        exitCode: 1,
        statusCode: 502,
        status: reply.status,
        ambiguous: false,
      });
      expect(error.message).toBe(message);
      expect(error.hint ?? '').toMatch(hint);
      expect(error.describe()).not.toMatch(/\n/);
      expect(everythingSaid(error)).not.toContain(plantedToken);
    });
  }

  it('redacts a token the server echoes back in its message', async () => {
    const echo = doError(400, 'bad_request', `Malformed header: Authorization: Bearer ${plantedToken}`);
    const error = await readDropletError([echo]);
    expect(error.message).toContain('Malformed header: Authorization: [redacted]');
    expect(everythingSaid(error)).not.toContain(plantedToken);
    expect(everythingSaid(error)).not.toContain(plantedToken.slice(7, 30));
  });

  it('recognises not-found both raw from dots and mapped', async () => {
    const { api, server } = await doFixture();
    server.script(doError(404, 'not_found', 'The resource you were accessing could not be found.'));
    const raw = await api.client.v2.droplets
      .byDroplet_id(1)
      .get()
      .catch((e: unknown) => e);
    expect(isNotFound(raw)).toBe(true);
    expect(isNotFound(toApiError(raw, { action: 'read droplet' }))).toBe(true);
    expect(isNotFound(toApiError(new Error('boom'), { action: 'read droplet' }))).toBe(false);
  });

  it('keeps its own configuration errors as they are and maps foreign ones', () => {
    const config = new ConfigError('The DigitalOcean connection', [
      { path: 'x', message: 'https is required' },
    ]);
    expect(toToolError(config, { action: 'list droplets' })).toBe(config);
    const mapped = toToolError(
      new TransportError('read ECONNRESET', {
        reason: 'network',
        method: 'GET',
        path: '/v2/droplets',
        attempts: 4,
        ambiguous: false,
        code: 'ECONNRESET',
      }),
      { action: 'list droplets' },
    );
    expect(mapped.describe()).toBe(
      'Could not reach DigitalOcean to list droplets: read ECONNRESET, after 4 attempts. ' +
        'Check the network and DIGITALOCEAN_API_URL, then try again.',
    );
  });

  it('lets the caller give the advice', () => {
    const raw = {
      id: 'unprocessable_entity',
      messageEscaped: 'Region is not available',
      responseStatusCode: 422,
    };
    const error = toApiError(raw, {
      action: 'create droplet',
      resource: 'base2-staging-1',
      hint: 'Check the region in deployment.yml.',
    });
    expect(error.describe()).toBe(
      'DigitalOcean refused to create droplet base2-staging-1: 422 unprocessable_entity — Region is not available. ' +
        'Check the region in deployment.yml.',
    );
  });
});
