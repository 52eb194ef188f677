import { createServer, type Server } from 'node:http';

/**
 * The HTTP side of droplet hosts, standing in for the container a droplet's cloud-init starts: a
 * minimal web app that answers every GET or HEAD with 200 and the text `ok`, and 405 to other
 * methods. It says nothing about the droplet, its user_data or the tool: the emulator cannot know
 * what the real container serves, and a real droplet tells nothing more than its container does.
 */
export function createContainerServer(answers: (source: string) => boolean): Server {
  return createServer((req, res) => {
    // The container may have gone (power off, reboot, deletion) since the connection was accepted.
    if (!answers(req.socket.remoteAddress ?? '')) {
      req.socket.destroy();
      return;
    }
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(405, 'method not allowed\n', { allow: 'GET, HEAD' });
    }
    return send(200, 'ok\n');
  });
}
