/** A droplet as its host sees it, read fresh for every connection (status moves with the clock). */
export interface HostView {
  id: number;
  name: string;
  /** Active and not in the middle of a reboot or rebuild: its machine is up. */
  serving: boolean;
  /** OpenSSH public key lines the droplet was created with (its root's authorized_keys). */
  authorizedKeys: readonly string[];
  /**
   * What its HTTP port does: `container` answers (the container cloud-init started is up);
   * `closed` refuses the connection (nothing listens yet, or ever); `filtered` drops it (a host
   * firewall of the image, such as the Docker 1-Click's UFW, before a container publishes the port).
   */
  http: 'container' | 'closed' | 'filtered';
  /** Whether the cloud firewalls applied to the droplet let `source` in on TCP `port`. */
  admits(port: number, source: string): boolean;
  /** Virtual milliseconds; the newest serving droplet wins where one address serves several. */
  createdAt: number;
}

/** How the hosts find droplets: implemented by the droplets module. */
export interface HostDirectory {
  get(id: number): HostView | undefined;
  list(): HostView[];
}
