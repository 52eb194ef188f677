// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} in plain strings is the substitution syntax under test
import { describe, expect, it } from 'vitest';
import { loadManifest, resolveDeployment } from '../../lib/config/manifest.js';
import { InputError } from '../../lib/errors.js';
import { APP_SPEC, thrown, writeManifest as write } from './temp-project.js';

const manifestError = (file: string) => thrown(InputError, () => loadManifest(file, {}));

describe('the app section', () => {
  const head = 'name: shop\nregion: fra1\nenvironments: { staging: {}, production: {} }\n';

  it('accepts a spec named after the manifest or the deployment, and refuses any other name', () => {
    expect(() =>
      loadManifest(write(`${head}app: { spec: app.yaml }\n`, `name: shop\n${APP_SPEC}`), {}),
    ).not.toThrow();
    const other = manifestError(write(`${head}app: { spec: app.yaml }\n`, `name: shop-staging\n${APP_SPEC}`));
    expect(other.problems).toEqual([
      {
        path: 'app.spec',
        message: expect.stringMatching(/names the app "shop-staging".* \(in environment production\)$/),
      },
    ]);
  });

  it('sets the tag of the components using app.image, replacing a digest', () => {
    const spec =
      'services:\n  - name: web\n    image: { registry_type: DOCR, repository: shop, digest: "sha256:' +
      `${'a'.repeat(64)}" }\n  - name: proxy\n    image: { registry_type: DOCKER_HUB, registry: library, repository: nginx, tag: "1.27" }\n`;
    const file = write(
      `${head}app: { spec: app.yaml, image: { repository: shop, registry_type: DOCR, tag: "2.0.1" } }\n`,
      spec,
    );
    const services = resolveDeployment(loadManifest(file, {}), 'staging').app?.spec.services;
    expect(services?.map((service) => service.image)).toEqual([
      { registry_type: 'DOCR', repository: 'shop', tag: '2.0.1' },
      { registry_type: 'DOCKER_HUB', registry: 'library', repository: 'nginx', tag: '1.27' },
    ]);
  });

  it('refuses an app.image that no component uses', () => {
    const file = write(`${head}app: { spec: app.yaml, image: { repository: other, registry_type: DOCR } }\n`);
    expect(manifestError(file).problems).toEqual([
      {
        path: 'app.image.repository',
        message: expect.stringMatching(/no component in .*app\.yaml uses repository "other" \(DOCR\)/),
      },
    ]);
  });

  it('reports app spec problems against the spec file', () => {
    const file = write(`${head}app: { spec: app.yaml }\n`, 'services:\n  - name: Web\n');
    const error = manifestError(file);
    expect(error.message).toMatch(/app\.yaml is invalid: services\.0\.name: must be 2–32/);
  });
});
