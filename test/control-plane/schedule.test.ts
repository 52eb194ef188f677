import { describe, expect, it } from 'vitest';
import { activationError, failingActivations } from '../../lib/ops/activation.js';
import type { TriggerState } from '../../scripts/control-plane/plan.js';
import { triggersPerEnvironment, withinTriggerLimit } from '../../scripts/control-plane/schedule.js';

const maintain: TriggerState = {
  name: 'maintain-every-5-minutes',
  function: 'ops/maintain',
  cron: '*/5 * * * *',
  enabled: true,
  body: {},
};

describe('scheduled triggers per environment', () => {
  it('makes a trigger without env once per environment, each with env in its body', () => {
    expect(triggersPerEnvironment([maintain], ['staging', 'production'])).toEqual([
      { ...maintain, name: 'maintain-every-5-minutes-staging', body: { env: 'staging' } },
      { ...maintain, name: 'maintain-every-5-minutes-production', body: { env: 'production' } },
    ]);
  });

  it('keeps a trigger that names its env, and every trigger when the manifest has no environments', () => {
    const pinned = { ...maintain, body: { env: 'staging' } };
    expect(triggersPerEnvironment([pinned], ['staging', 'production'])).toEqual([pinned]);
    expect(triggersPerEnvironment([maintain], [])).toEqual([maintain]);
  });

  it('schedules at most three (the preview limit) and hands back the rest', () => {
    const many = triggersPerEnvironment([maintain], ['a', 'b', 'c', 'd']);
    const { scheduled, over } = withinTriggerLimit(many);
    expect(scheduled.map((t) => t.body?.env)).toEqual(['a', 'b', 'c']);
    expect(over.map((t) => t.body?.env)).toEqual(['d']);
  });
});

describe('the error a non-web activation carries', () => {
  it('is the refusal for a 4xx or 5xx answer', () => {
    const error = activationError({
      statusCode: 400,
      headers: {},
      body: { error: { kind: 'input', message: 'The input is invalid: env: is required.' } },
    });
    expect(error).toEqual({ kind: 'input', message: 'The input is invalid: env: is required.' });
  });

  it('is the failure of a report that failed, and nothing for one that did not', () => {
    const report = (status: string) => ({
      statusCode: 200,
      headers: {},
      body: {
        op: 'maintain',
        deployment: 'base2-staging',
        status,
        result: { failure: { kind: 'app', detail: 'down' } },
      },
    });
    expect(activationError(report('failed'))).toEqual({
      kind: 'app',
      message: 'maintain base2-staging failed: down',
    });
    for (const status of ['succeeded', 'noop', 'in_progress'])
      expect(activationError(report(status))).toBeUndefined();
  });
});

describe('a web request refused for its query string', () => {
  it('is answered as a web request (its 400), with no activation error added', async () => {
    const main = failingActivations(async () => ({
      statusCode: 400,
      headers: { 'content-type': 'application/json' },
      body: { error: { kind: 'input', message: 'env: is given more than once in the query string' } },
    }));
    // A raw web event whose query repeats a parameter: reading it in full refuses, its head does not.
    const answer = await main({
      __ow_method: 'post',
      __ow_headers: {},
      __ow_query: 'env=a&env=b',
      __ow_body: '',
    });
    expect(answer.statusCode).toBe(400);
    expect(answer).not.toHaveProperty('error');
  });
});
