import { notFound } from '../../core/http-error.js';
import { paginate } from '../../core/paginate.js';
import type { EmuRequest } from '../../core/types.js';
import type { RegistryContext } from './context.js';
import type { Manifest, Repository } from './images.js';

/**
 * Repositories, tags and manifests (`/v2/registry/:registry_name/repositories…`). Repository names
 * containing `/` arrive URL-encoded (`%2F`) in one path segment, as DigitalOcean requires.
 */
export function registerRepositoryRoutes(ctx: RegistryContext): void {
  const { core, images } = ctx;
  const iso = (ms: number) => core.clock.iso(ms);
  const base = '/v2/registry/:registry_name/repositories/:repository_name';

  const repositoryOf = (req: EmuRequest): [string, Repository] => {
    const registry = ctx.requireRegistry(req.params.registry_name);
    const repo = images.repositories.get(req.params.repository_name ?? '');
    if (!repo) throw notFound();
    return [registry.name, repo];
  };
  const manifestJson = (registry: string, repo: Repository, m: Manifest) => ({
    registry_name: registry,
    repository: repo.name,
    digest: m.digest,
    compressed_size_bytes: m.compressedSizeBytes,
    size_bytes: m.sizeBytes,
    updated_at: iso(m.updatedAt),
    tags: images.tagsOf(repo, m.digest),
    blobs: m.blobs,
  });
  const tagJson = (registry: string, repo: Repository, tag: string) => {
    const ref = repo.tags.get(tag)!;
    const m = repo.manifests.get(ref.digest)!;
    return {
      registry_name: registry,
      repository: repo.name,
      tag,
      manifest_digest: m.digest,
      compressed_size_bytes: m.compressedSizeBytes,
      size_bytes: m.sizeBytes,
      updated_at: iso(ref.updatedAt),
    };
  };
  const newestManifests = (repo: Repository) =>
    [...repo.manifests.values()].sort((a, b) => b.updatedAt - a.updatedAt);
  const newestTags = (repo: Repository) =>
    [...repo.tags].sort(([, a], [, b]) => b.updatedAt - a.updatedAt).map(([tag]) => tag);
  const sortedRepositories = () =>
    [...images.repositories.values()].sort((a, b) => a.name.localeCompare(b.name));

  ctx.route('GET', '/v2/registry/:registry_name/repositoriesV2', (req) => {
    const registry = ctx.requireRegistry(req.params.registry_name).name;
    const list = sortedRepositories().map((repo) => {
      const latest = newestManifests(repo)[0];
      return {
        registry_name: registry,
        name: repo.name,
        ...(latest ? { latest_manifest: manifestJson(registry, repo, latest) } : {}),
        tag_count: repo.tags.size,
        manifest_count: repo.manifests.size,
      };
    });
    return { status: 200, body: paginate(req, core.baseUrl(), 'repositories', list) };
  });

  // The first version of the list, which DigitalOcean still serves: the latest tag instead of manifest.
  ctx.route('GET', '/v2/registry/:registry_name/repositories', (req) => {
    const registry = ctx.requireRegistry(req.params.registry_name).name;
    const list = sortedRepositories().map((repo) => {
      const latest = newestTags(repo)[0];
      return {
        registry_name: registry,
        name: repo.name,
        ...(latest ? { latest_tag: tagJson(registry, repo, latest) } : {}),
        tag_count: repo.tags.size,
      };
    });
    return { status: 200, body: paginate(req, core.baseUrl(), 'repositories', list) };
  });

  ctx.route('GET', `${base}/tags`, (req) => {
    const [registry, repo] = repositoryOf(req);
    const list = newestTags(repo).map((tag) => tagJson(registry, repo, tag));
    return { status: 200, body: paginate(req, core.baseUrl(), 'tags', list) };
  });

  ctx.route('DELETE', `${base}/tags/:repository_tag`, (req) => {
    const [, repo] = repositoryOf(req);
    if (!images.deleteTag(repo.name, req.params.repository_tag ?? '')) throw notFound();
    return { status: 204 };
  });

  ctx.route('GET', `${base}/digests`, (req) => {
    const [registry, repo] = repositoryOf(req);
    const list = newestManifests(repo).map((m) => manifestJson(registry, repo, m));
    return { status: 200, body: paginate(req, core.baseUrl(), 'manifests', list) };
  });

  ctx.route('DELETE', `${base}/digests/:manifest_digest`, (req) => {
    const [, repo] = repositoryOf(req);
    if (!images.deleteManifest(repo.name, req.params.manifest_digest ?? '')) throw notFound();
    return { status: 204 };
  });
}
