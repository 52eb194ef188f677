/**
 * Puts action code on disk where the runner can load it: plain source as a file, a zip archive
 * extracted into a directory. Each distinct code is written once (keyed by its digest) under the
 * emulator's work directory, which the emulator removes when it stops.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BOOTSTRAP_SOURCE } from './bootstrap-source.js';
import type { ActionExec } from './state.js';
import { readZip } from './zip.js';

export type CodeLocation = { kind: 'source'; path: string } | { kind: 'archive'; path: string };

export class CodeStore {
  private readonly written = new Map<string, Promise<CodeLocation>>();
  private setup: Promise<{ bootstrap: string; caFile: string }> | undefined;

  constructor(
    private readonly root: string,
    private readonly caPem: string,
  ) {}

  /** The bootstrap script every action process runs, and the CA file actions trust. */
  runtimeFiles(): Promise<{ bootstrap: string; caFile: string }> {
    this.setup ??= (async () => {
      await mkdir(this.root, { recursive: true });
      const bootstrap = join(this.root, 'bootstrap.cjs');
      const caFile = join(this.root, 'ca.pem');
      await writeFile(bootstrap, BOOTSTRAP_SOURCE);
      await writeFile(caFile, this.caPem);
      return { bootstrap, caFile };
    })();
    return this.setup;
  }

  /** Where the action's code is, writing it first if this code has not run before. */
  locate(exec: ActionExec): Promise<CodeLocation> {
    const digest = createHash('sha256')
      .update(exec.binary ? 'zip:' : 'js:')
      .update(exec.code)
      .digest('hex');
    let location = this.written.get(digest);
    if (!location) {
      location = this.write(join(this.root, 'code', digest.slice(0, 32)), exec);
      // A failed write (a corrupt archive) is not cached: the next invocation reports it again.
      location.catch(() => this.written.delete(digest));
      this.written.set(digest, location);
    }
    return location;
  }

  private async write(dir: string, exec: ActionExec): Promise<CodeLocation> {
    await mkdir(dir, { recursive: true });
    if (!exec.binary) {
      const path = join(dir, 'action.js');
      await writeFile(path, exec.code);
      return { kind: 'source', path };
    }
    for (const entry of readZip(Buffer.from(exec.code, 'base64'))) {
      const path = join(dir, entry.name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, entry.data);
    }
    return { kind: 'archive', path: dir };
  }

  clear(): void {
    this.written.clear();
  }
}
