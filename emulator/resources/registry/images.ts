import { createHash } from 'node:crypto';
import { badRequest, forbidden } from '../../core/http-error.js';
import { ineligibility, TIERS, type TierSlug } from './tiers.js';

export interface Blob {
  digest: string;
  compressed_size_bytes: number;
}

export interface Manifest {
  digest: string;
  sizeBytes: number;
  compressedSizeBytes: number;
  /** Virtual ms of the push. */
  updatedAt: number;
  blobs: Blob[];
}

export interface Repository {
  name: string;
  manifests: Map<string, Manifest>;
  tags: Map<string, { digest: string; updatedAt: number }>;
}

export interface PushInput {
  repository: string;
  tag: string;
  /** Uncompressed image size (default: a typical small service image). */
  sizeBytes?: number;
  /** `sha256:<64 hex>`; pushing a digest the repository has already just moves the tag to it. */
  digest?: string;
}

export interface PushedImage {
  repository: string;
  tag: string;
  digest: string;
  sizeBytes: number;
  compressedSizeBytes: number;
}

const DEFAULT_IMAGE_BYTES = 64 * 1024 * 1024;
// Registries store compressed layers; images usually compress to about 40% of their size.
const COMPRESSION = 0.4;
// An image config blob is a small JSON document.
const CONFIG_BLOB_BYTES = 1536;
// Docker distribution's grammar: lowercase path components separated by `/`.
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The images in the account's registry: repositories of manifests and tags, over a store of
 * content-addressed blobs. Deleting a tag leaves its manifest (untagged); deleting a manifest
 * leaves its blobs (unreferenced): only garbage collection gives the storage back.
 */
export class ImageStore {
  readonly repositories = new Map<string, Repository>();
  /** Stored blobs by digest (compressed bytes), referenced or not. */
  readonly blobs = new Map<string, number>();
  storageUpdatedAt = 0;
  private pushes = 0;

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.repositories.clear();
    this.blobs.clear();
    this.storageUpdatedAt = this.now();
  }

  storageBytes(): number {
    return [...this.blobs.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Stores an image the way `docker push` does, within the tier's repository and storage limits. */
  push(input: PushInput, tier: TierSlug): PushedImage {
    const { repository, tag } = input;
    if (typeof repository !== 'string' || repository.length > 255 || !REPOSITORY.test(repository))
      throw badRequest('repository must be lowercase path components of letters, digits, ".", "_" and "-"');
    if (typeof tag !== 'string' || !TAG.test(tag))
      throw badRequest('tag must be 1-128 letters, digits, "_", "." or "-"');
    if (input.digest !== undefined && (typeof input.digest !== 'string' || !DIGEST.test(input.digest)))
      throw badRequest('digest must be sha256: followed by 64 lowercase hex digits');
    const sizeBytes = input.sizeBytes ?? DEFAULT_IMAGE_BYTES;
    if (!Number.isInteger(sizeBytes) || sizeBytes < CONFIG_BLOB_BYTES)
      throw badRequest(`size_bytes must be a whole number of at least ${CONFIG_BLOB_BYTES}`);

    const existing = this.repositories.get(repository);
    const manifest =
      existing?.manifests.get(input.digest ?? '') ??
      this.newManifest(repository, tag, sizeBytes, input.digest);
    this.checkLimits(tier, existing === undefined, manifest);

    const repo = existing ?? { name: repository, manifests: new Map(), tags: new Map() };
    this.repositories.set(repository, repo);
    if (!repo.manifests.has(manifest.digest)) {
      repo.manifests.set(manifest.digest, manifest);
      for (const blob of manifest.blobs) this.blobs.set(blob.digest, blob.compressed_size_bytes);
      this.storageUpdatedAt = this.now();
    }
    repo.tags.set(tag, { digest: manifest.digest, updatedAt: this.now() });
    return {
      repository,
      tag,
      digest: manifest.digest,
      sizeBytes: manifest.sizeBytes,
      compressedSizeBytes: manifest.compressedSizeBytes,
    };
  }

  /** The manifest a tag or `sha256:` digest names in a repository. */
  find(repository: string, tagOrDigest: string): Manifest | undefined {
    const repo = this.repositories.get(repository);
    if (!repo) return undefined;
    const digest = DIGEST.test(tagOrDigest) ? tagOrDigest : repo.tags.get(tagOrDigest)?.digest;
    return digest === undefined ? undefined : repo.manifests.get(digest);
  }

  tagsOf(repo: Repository, digest: string): string[] {
    return [...repo.tags].filter(([, ref]) => ref.digest === digest).map(([tag]) => tag);
  }

  deleteTag(repository: string, tag: string): boolean {
    return this.repositories.get(repository)?.tags.delete(tag) ?? false;
  }

  /** Removes a manifest and the tags on it; its blobs stay until garbage collection. */
  deleteManifest(repository: string, digest: string): boolean {
    const repo = this.repositories.get(repository);
    if (!repo?.manifests.delete(digest)) return false;
    for (const tag of this.tagsOf(repo, digest)) repo.tags.delete(tag);
    if (repo.manifests.size === 0) this.repositories.delete(repository);
    return true;
  }

  /** Removes every manifest no tag points at; answers how many. */
  deleteUntaggedManifests(): number {
    let deleted = 0;
    for (const repo of [...this.repositories.values()]) {
      const tagged = new Set([...repo.tags.values()].map((ref) => ref.digest));
      for (const digest of [...repo.manifests.keys()]) {
        if (!tagged.has(digest) && this.deleteManifest(repo.name, digest)) deleted++;
      }
    }
    return deleted;
  }

  /** Removes every blob no manifest references; answers how many and how many bytes that freed. */
  deleteUnreferencedBlobs(): { blobs: number; bytes: number } {
    const referenced = new Set(
      [...this.repositories.values()].flatMap((r) =>
        [...r.manifests.values()].flatMap((m) => m.blobs.map((b) => b.digest)),
      ),
    );
    let blobs = 0;
    let bytes = 0;
    for (const [digest, size] of [...this.blobs]) {
      if (referenced.has(digest)) continue;
      this.blobs.delete(digest);
      blobs++;
      bytes += size;
    }
    if (blobs > 0) this.storageUpdatedAt = this.now();
    return { blobs, bytes };
  }

  private checkLimits(tier: TierSlug, newRepository: boolean, manifest: Manifest): void {
    const stored = manifest.blobs.every((b) => this.blobs.has(b.digest));
    const reasons = ineligibility(
      TIERS[tier],
      this.repositories.size + (newRepository ? 1 : 0),
      this.storageBytes() + (stored ? 0 : manifest.compressedSizeBytes),
    );
    // The registry refuses the push as `docker push` shows it (docker/build-push-action#586 quotes
    // the repository one); the storage wording is the emulator's own.
    if (reasons.includes('OverRepositoryLimit')) {
      const limit = TIERS[tier].included_repositories;
      throw forbidden(`denied: registry contains ${this.repositories.size} repositories, limit is ${limit}`);
    }
    if (reasons.includes('OverStorageLimit'))
      throw forbidden(
        `denied: registry storage is full: the ${tier} tier includes ${TIERS[tier].included_storage_bytes} bytes`,
      );
  }

  private newManifest(
    repository: string,
    tag: string,
    sizeBytes: number,
    digest: string | undefined,
  ): Manifest {
    const seed = `${repository}:${tag}:${sizeBytes}:${++this.pushes}`;
    const manifestDigest = digest ?? sha256(seed);
    const compressed = Math.max(CONFIG_BLOB_BYTES * 2, Math.round(sizeBytes * COMPRESSION));
    return {
      digest: manifestDigest,
      sizeBytes,
      compressedSizeBytes: compressed,
      updatedAt: this.now(),
      blobs: [
        { digest: sha256(`${manifestDigest}:config`), compressed_size_bytes: CONFIG_BLOB_BYTES },
        { digest: sha256(`${manifestDigest}:layer`), compressed_size_bytes: compressed - CONFIG_BLOB_BYTES },
      ],
    };
  }
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
