/**
 * What the exec benchmark compares the tool with: a bare ssh2 client (connect, exec, close, no API
 * calls, no host-key pinning, no output caps), and the command's own run time, which the droplets
 * of the emulator spend in `/bin/sh -c` on this machine.
 */
import { spawn } from 'node:child_process';
import ssh2 from 'ssh2';
import { mapLimit } from '../lib/exec/concurrency.js';

export interface SshEndpoint {
  host: string;
  port: number;
}

/** Connects, runs `command`, and resolves once the connection is closed, with the exit code. */
export function bareSsh(endpoint: SshEndpoint, privateKey: string, command: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let code: number | null = null;
    client
      .on('ready', () => {
        client.exec(command, (error, stream) => {
          if (error) {
            client.end();
            reject(error);
            return;
          }
          stream
            .on('exit', (exitCode: number | null) => {
              code = exitCode;
            })
            .on('close', () => client.end())
            .resume();
          stream.stderr.resume();
        });
      })
      .on('error', reject)
      .on('close', () => resolve(code))
      .connect({
        host: endpoint.host,
        port: endpoint.port,
        username: 'root',
        privateKey,
        readyTimeout: 30_000,
      });
  });
}

/** The bare client on every endpoint, `concurrency` at a time (as exec runs `droplets`). */
export async function bareSshAll(
  endpoints: readonly SshEndpoint[],
  concurrency: number,
  privateKey: string,
  command: string,
): Promise<(number | null)[]> {
  return mapLimit(endpoints, concurrency, (endpoint) => bareSsh(endpoint, privateKey, command));
}

/** Real milliseconds one `/bin/sh -c <command>` takes here, from spawn to exit. */
export function ownRunMs(command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore' });
    child.on('error', reject).on('exit', () => resolve(performance.now() - started));
  });
}

/** The public IPv4 of each droplet in a `GET /v2/droplets` answer (snake_case, as on the wire). */
export function publicAddresses(answer: unknown): { name: string; host: string }[] {
  const droplets = (answer as { droplets?: unknown[] }).droplets ?? [];
  return droplets.flatMap((d) => {
    const droplet = d as { name?: string; networks?: { v4?: { ip_address?: string; type?: string }[] } };
    const host = droplet.networks?.v4?.find((n) => n.type === 'public')?.ip_address;
    return droplet.name && host ? [{ name: droplet.name, host }] : [];
  });
}
