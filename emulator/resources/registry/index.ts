/**
 * DigitalOcean Container Registry (`/v2/registry…`): the account's one registry, its subscription,
 * Docker credentials, repositories, tags, manifests and garbage collection.
 *
 * Seeding images (emulator admin API). Nothing runs `docker push` against the emulator, so images
 * are put in the registry through an internal route (bearer token as for the API; not rate-limited,
 * not logged):
 *
 *     POST /_emulator/registry/images
 *     { "repository": "base2/web", "tag": "v1", "size_bytes": 73400320, "digest": "sha256:<64 hex>" }
 *
 * `repository` and `tag` are required; `size_bytes` (uncompressed, default 64 MiB) and `digest`
 * (default: a new one per push) are optional. Pushing an existing tag moves it to the new manifest
 * and leaves the old one untagged, as `docker push` does. Answers 201 with
 * `{ "image": { registry_name, repository, tag, digest, size_bytes, compressed_size_bytes } }`;
 * 404 without a registry, 409 while a garbage collection runs (the registry is read-only), 403 past
 * the subscription tier's repository or storage limit, 400 for malformed names.
 *
 * Registry names are global on DigitalOcean. Names other customers hold are a set the emulator keeps
 * (`registryNamesTaken`, default `DEFAULT_TAKEN_REGISTRY_NAMES`): `validate-name` answers 409 and a
 * create is refused for them. Admin routes read and change the set (a reset restores the start set):
 *
 *     GET    /_emulator/registry/taken-names            → { "names": [...] }
 *     POST   /_emulator/registry/taken-names            { "names": ["acme"] } adds
 *     PUT    /_emulator/registry/taken-names            { "names": [] } replaces
 *     DELETE /_emulator/registry/taken-names/:name      204, or 404 when not held
 *
 * Other modules use the `registry` service (RegistryService): the apps module checks that DOCR
 * images exist before deploying them.
 */
import { conflict, notFound } from '../../core/http-error.js';
import type { EmulatorModule, Handler } from '../../core/types.js';
import type { RegistryContext, RegistryInfo } from './context.js';
import { GarbageCollector, registerGarbageCollectionRoutes } from './garbage-collection.js';
import { ImageStore, type PushedImage, type PushInput } from './images.js';
import { bodyOf, registerRegistryRoutes } from './registry-routes.js';
import { registerRepositoryRoutes } from './repository-routes.js';
import { namesOf, TakenNames } from './taken-names.js';

/** Set as `services.set('registry', …)`. */
export interface RegistryService {
  /** The account registry's name, or undefined when it has none. */
  name(): string | undefined;
  /** Whether the registry's `repository` holds `tagOrDigest` (a tag, or a `sha256:…` digest). */
  hasImage(repository: string, tagOrDigest: string): boolean;
  /** The manifest digest `repository:tagOrDigest` points at. */
  resolve(repository: string, tagOrDigest: string): string | undefined;
  /** Stores an image as a push would; throws the HttpError the admin route answers with. */
  push(image: PushInput): PushedImage;
}

export const registryModule: EmulatorModule = {
  name: 'registry',
  register(core) {
    const now = () => core.clock.now();
    const images = new ImageStore(now);
    const gc = new GarbageCollector(images, now, () => core.timing.registryGcMs);
    const holder: { registry: RegistryInfo | undefined } = { registry: undefined };
    const taken = new TakenNames(core.registryNamesTaken);

    const requireRegistry = (name?: string) => {
      const registry = holder.registry;
      if (!registry || (name !== undefined && name !== registry.name)) throw notFound();
      return registry;
    };
    const ctx: RegistryContext = {
      core,
      images,
      gc,
      holder,
      taken,
      requireRegistry,
      route: (method: string, pattern: string, handler: Handler) =>
        core.route(method, pattern, (req) => {
          gc.settle();
          return handler(req);
        }),
    };
    registerRegistryRoutes(ctx);
    registerRepositoryRoutes(ctx);
    registerGarbageCollectionRoutes(ctx);

    const push = (image: PushInput): PushedImage => {
      gc.settle();
      const registry = requireRegistry();
      if (gc.active()) throw conflict('the registry is read-only while a garbage collection runs');
      return images.push(image, registry.tier);
    };

    ctx.route('POST', '/_emulator/registry/images', (req) => {
      const body = bodyOf(req);
      const pushed = push({
        repository: body.repository as string,
        tag: body.tag as string,
        ...(body.size_bytes === undefined ? {} : { sizeBytes: body.size_bytes as number }),
        ...(body.digest === undefined ? {} : { digest: body.digest as string }),
      });
      const image = {
        registry_name: holder.registry?.name,
        repository: pushed.repository,
        tag: pushed.tag,
        digest: pushed.digest,
        size_bytes: pushed.sizeBytes,
        compressed_size_bytes: pushed.compressedSizeBytes,
      };
      return { status: 201, body: { image } };
    });

    const takenNames = () => ({ status: 200, body: { names: taken.list() } });
    core.route('GET', '/_emulator/registry/taken-names', takenNames);
    core.route('POST', '/_emulator/registry/taken-names', (req) => {
      taken.add(namesOf(req.body));
      return takenNames();
    });
    core.route('PUT', '/_emulator/registry/taken-names', (req) => {
      taken.replace(namesOf(req.body));
      return takenNames();
    });
    core.route('DELETE', '/_emulator/registry/taken-names/:name', (req) => {
      if (!taken.remove(req.params.name ?? '')) throw notFound();
      return { status: 204 };
    });

    const resolve = (repository: string, tagOrDigest: string) => {
      gc.settle();
      return holder.registry ? images.find(repository, tagOrDigest)?.digest : undefined;
    };
    const registryService: RegistryService = {
      name: () => holder.registry?.name,
      hasImage: (repository, tagOrDigest) => resolve(repository, tagOrDigest) !== undefined,
      resolve,
      push,
    };
    core.services.set('registry', registryService);

    core.state('registry', {
      dump: () => {
        gc.settle();
        return {
          registry: holder.registry ?? null,
          repositories: [...images.repositories.values()].map((r) => ({
            name: r.name,
            tags: Object.fromEntries([...r.tags].map(([tag, ref]) => [tag, ref.digest])),
            manifests: [...r.manifests.keys()],
          })),
          storage_usage_bytes: images.storageBytes(),
          taken_names: taken.list(),
          garbage_collections: gc.list().map((run) => gc.json(run, (ms) => core.clock.iso(ms))),
        };
      },
      reset: () => {
        holder.registry = undefined;
        images.clear();
        gc.clear();
        taken.reset();
      },
    });
  },
};
