/** A droplet as its host sees it, read fresh for every connection (status moves with the clock). */
export interface HostView {
  id: number;
  name: string;
  /** Active and not in the middle of a reboot or rebuild: it answers SSH and HTTP. */
  serving: boolean;
  /** OpenSSH public key lines the droplet was created with (its root's authorized_keys). */
  authorizedKeys: readonly string[];
  userData: string | undefined;
  /** Virtual milliseconds; the newest serving droplet wins where one address serves several. */
  createdAt: number;
}

/** How the hosts find droplets: implemented by the droplets module. */
export interface HostDirectory {
  get(id: number): HostView | undefined;
  list(): HostView[];
}
