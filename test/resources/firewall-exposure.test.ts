import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Deployment, loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import type { InboundRule } from '../../lib/config/manifest-schema.js';
import { accessWarnings, portExposure } from '../../lib/resources/firewall/exposure.js';
import { ROOT, SAMPLE_ENV } from '../support/op-context.js';

const sample = (inbound?: InboundRule[]): Deployment => {
  const d = resolveDeployment(loadManifest(join(ROOT, 'deployment.yml'), SAMPLE_ENV), 'staging', {
    ssh: { port: 22 },
  });
  return inbound ? { ...d, firewall: { inbound, outbound: d.firewall!.outbound } } : d;
};
const tcp = (ports: string, sources: InboundRule['sources']): InboundRule => ({
  protocol: 'tcp',
  ports,
  sources,
});

describe('what the firewall lets the tool reach', () => {
  it('the sample opens the health port and SSH to every address: no warning', () => {
    const d = sample();
    expect(portExposure(d, 80)).toEqual({ open: true });
    expect(portExposure(d, 22)).toEqual({ open: true });
    expect(accessWarnings(d)).toEqual([]);
  });

  it('a port is open to the tool only through 0.0.0.0/0 on a tcp rule covering it (a range or all ports count)', () => {
    const d = sample([
      tcp('8000-9000', { addresses: ['0.0.0.0/0'] }),
      tcp('all', { addresses: ['::/0'] }),
      { protocol: 'udp', ports: '53', sources: { addresses: ['0.0.0.0/0'] } },
    ]);
    expect(portExposure(d, 8080)).toEqual({ open: true });
    expect(portExposure(d, 80)).toEqual({
      open: false,
      firewall: 'base2-staging-fw',
      port: 80,
      sources: ['::/0'],
    });
    expect(portExposure(d, 53)).toMatchObject({ open: false, sources: ['::/0'] });
    expect(portExposure({ slug: 'x', firewall: undefined }, 80)).toEqual({ open: true });
  });

  it('warns when the firewall would block the health check or SSH from where the tool connects, naming the rule’s sources', () => {
    const d = sample([
      tcp('22', { addresses: ['203.0.113.0/24'], tags: ['bastion'] }),
      tcp('443', { addresses: ['0.0.0.0/0'] }),
    ]);
    const [health, ssh, ...rest] = accessWarnings(d);
    expect(rest).toEqual([]);
    expect(health).toContain('firewall base2-staging-fw has no inbound rule for tcp port 80');
    expect(health).toContain('http://<droplet>:80/healthz');
    expect(health).toContain('Add 0.0.0.0/0');
    expect(ssh).toContain(
      'firewall base2-staging-fw admits tcp port 22 only from 203.0.113.0/24, tag:bastion',
    );
    expect(ssh).toContain('DO_SSH_PORT');
    // The SSH port is the one exec uses (DO_SSH_PORT).
    expect(accessWarnings({ ...d, sshPort: 443 })).toHaveLength(1);
    expect(accessWarnings({ ...d, droplets: undefined })).toEqual([]);
  });
});
