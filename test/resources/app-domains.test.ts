import type { App } from '@digitalocean/dots';
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../lib/config/manifest.js';
import { customHosts, domainsReadiness } from '../../lib/resources/app/index.js';
import { toDomains } from '../../lib/resources/app/read.js';
import type { AppState } from '../../lib/resources/app/types.js';

const app = (domains: AppState['domains']): AppState => ({
  id: 'a1',
  name: 'base2-staging',
  spec: {},
  defaultIngress: 'https://base2-staging-x1y2z.ondigitalocean.app',
  domains,
});

describe('the app domains deploy waits for', () => {
  it('are the hosts the records point at the app that the verified spec lists', () => {
    const deployment = {
      domain: {
        name: 'staging.example.com',
        records: [
          { type: 'CNAME', name: 'app', target: 'app' },
          { type: 'CNAME', name: 'www', target: 'app' },
        ],
      },
    } as unknown as Deployment;
    const spec = { domains: [{ domain: 'APP.staging.example.com' }, { domain: 'other.example.net' }] };
    expect(customHosts(deployment, spec)).toEqual([{ host: 'app.staging.example.com', record: 0 }]);
  });

  it('are ready when ACTIVE, pending with their phase while PENDING or CONFIGURING, and failed on ERROR or when gone', () => {
    const host = 'app.staging.example.com';
    expect(domainsReadiness(app([{ domain: host, phase: 'ACTIVE' }]), [host])).toEqual({ state: 'ready' });
    expect(domainsReadiness(app([{ domain: host, phase: 'PENDING' }]), [host])).toEqual({
      state: 'pending',
      detail: `${host} PENDING (waiting for DigitalOcean to see its DNS point at the app)`,
    });
    expect(domainsReadiness(app([{ domain: host, phase: 'CONFIGURING' }]), [host])).toMatchObject({
      state: 'pending',
      detail: expect.stringContaining('certificate is being issued'),
    });
    const error = domainsReadiness(app([{ domain: host, phase: 'ERROR', reason: 'CAA forbids it' }]), [host]);
    expect(error).toMatchObject({ state: 'failed' });
    expect(error.state === 'failed' && error.detail).toMatch(
      /^App Platform could not set up app\.staging\.example\.com \(ERROR: CAA forbids it\): check that its CNAME points at base2-staging-x1y2z\.ondigitalocean\.app/,
    );
    expect(domainsReadiness(app([]), [host])).toMatchObject({
      state: 'failed',
      detail: expect.stringMatching(/does not list app\.staging\.example\.com among its domains/),
    });
  });

  it('are read from the app with their phase and the reasons of failed progress steps', () => {
    const raw = {
      domains: [
        {
          spec: { domain: 'App.Example.com.', type: 'ALIAS' },
          phase: 'ERROR',
          progress: {
            steps: [
              { name: 'validate', status: 'SUCCESS' },
              { name: 'certificate', status: 'ERROR', reason: { code: 'X', message: 'rate limited' } },
            ],
          },
        },
        { spec: { domain: 'www.example.com' }, phase: 'ACTIVE' },
        { phase: 'ACTIVE' },
      ],
    } as unknown as App;
    expect(toDomains(raw)).toEqual([
      { domain: 'app.example.com', type: 'ALIAS', phase: 'ERROR', reason: 'rate limited' },
      { domain: 'www.example.com', phase: 'ACTIVE' },
    ]);
  });
});
