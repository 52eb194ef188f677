/**
 * Who the commands run in droplets (SSH) and app consoles run as. A real droplet or container is
 * its own machine; here the commands run on the host, each in a sandbox directory. When the
 * emulator runs as root it can do better than a directory: every command runs as the unprivileged
 * `nobody` (uid and gid 65534), owning only its sandbox, so it can neither read the host's private
 * files nor change anything outside its sandbox. Without root there is no other uid to switch to
 * (a user namespace would still act as the host's user on its files): commands run as the host's
 * user, in their sandbox directory only by convention. docs/emulator.md says which applies.
 */
import { chownSync, mkdirSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';

export interface SandboxUser {
  uid: number;
  gid: number;
}

/** `nobody`/`nogroup` on Debian and most Linux systems. */
const NOBODY: SandboxUser = { uid: 65534, gid: 65534 };

/** The user sandboxed commands run as, or undefined for the host's own user (not root). */
export function sandboxUser(): SandboxUser | undefined {
  return process.getuid?.() === 0 ? NOBODY : undefined;
}

/** What spawn needs to run a sandboxed command as that user. */
export function spawnIdentity(): { uid?: number; gid?: number } {
  const user = sandboxUser();
  return user ? { uid: user.uid, gid: user.gid } : {};
}

/**
 * The PATH sandboxed commands get: the host's, or — as another user, who may not search the host
 * user's own directories (a PATH entry it cannot enter makes a missing command "Permission
 * denied" instead of "not found") — the system directories a Debian droplet's root has.
 */
export function sandboxPath(): string {
  const system = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return sandboxUser() ? system : (process.env.PATH ?? system);
}

/** A sentence for the emulator's state and logs. */
export function describeSandboxUser(): string {
  const user = sandboxUser();
  return user
    ? `commands in droplets and app consoles run as uid ${user.uid} (nobody), owning only their sandbox`
    : 'commands in droplets and app consoles run as the host user (the emulator is not root), in their sandbox directory';
}

/**
 * The emulator's working directory, made passable (not listable) for the sandbox user so it can
 * reach its own sandbox inside; mkdtemp makes it 0700.
 */
export async function openWorkDir(workDir: string): Promise<void> {
  if (sandboxUser()) await chmod(workDir, 0o711);
}

/**
 * Makes a sandbox directory (and its parents) owned by the sandbox user. A droplet deleted (or an
 * emulator reset) while this runs takes the directory away: nothing is left to own then.
 */
export async function makeSandbox(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const user = sandboxUser();
  if (user) await chown(dir, user.uid, user.gid).catch(ignoreGone);
}

function ignoreGone(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

export function makeSandboxSync(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const user = sandboxUser();
  if (user) chownSync(dir, user.uid, user.gid);
}
