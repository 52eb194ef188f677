import type { createDigitalOceanClient } from '@digitalocean/dots';
import type { App_spec } from '@digitalocean/dots/src/dots/models/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { accountModule } from '../../emulator/resources/account.js';
import { appsModule } from '../../emulator/resources/apps/index.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

type Dots = ReturnType<typeof createDigitalOceanClient>;

async function failure(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    return (error as { responseStatusCode?: number }).responseStatusCode ?? 0;
  }
  throw new Error('expected the call to fail');
}

/** A console client speaking doctl's protocol: stdin/resize frames out, `{"data"}` frames in. */
class Terminal {
  output = '';
  readonly closed: Promise<number>;
  private readonly ws: WebSocket;

  constructor(url: string, ca: string) {
    this.ws = new WebSocket(url, { ca });
    this.ws.on('message', (data) => {
      this.output += (JSON.parse(data.toString()) as { data: string }).data;
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  stdin(data: string): void {
    this.ws.send(JSON.stringify({ op: 'stdin', data }));
  }

  /** Types a line key by key, as a raw-mode terminal sends it, then Enter. */
  type(line: string): void {
    for (const ch of line) this.stdin(ch);
    this.stdin('\r');
  }

  resize(width: number, height: number): void {
    this.ws.send(JSON.stringify({ op: 'resize', width, height }));
  }

  /** Waits until the output since `from` matches, returning that part of the output. */
  async until(pattern: RegExp, from = 0, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output.slice(from))) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(this.output.slice(from))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.output.slice(from);
  }

  close(): void {
    this.ws.close();
  }
}

const PROMPT = /root@web-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}:\/app# $/;

const spec = (instanceCount = 1): App_spec => ({
  name: 'base2-web',
  services: [
    {
      name: 'web',
      image: { registryType: 'DOCR', repository: 'base2', tag: 'v1' },
      instanceCount,
      instanceSizeSlug: instanceCount > 1 ? 'apps-s-1vcpu-1gb' : 'apps-s-1vcpu-0.5gb',
      envs: [
        { key: 'GREETING', value: 'hello', type: 'GENERAL' },
        { key: 'API_KEY', value: 's3cret', type: 'SECRET' },
        { key: 'BUILD_ONLY', value: 'b', scope: 'BUILD_TIME' },
      ],
    },
  ],
  staticSites: [{ name: 'docs', github: { repo: 'base2/docs', branch: 'main' } }],
});

describe('App Platform console (exec websocket)', () => {
  let t: TestEmulator;
  let dots: Dots;

  beforeAll(async () => {
    t = await startTestEmulator({ timing: { apiLatencyMs: 0 }, modules: [accountModule, appsModule] });
    dots = t.dots;
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(async () => {
    await t.admin('POST', '/_emulator/reset');
  });

  const liveApp = async (instances = 1) => {
    const app = (await dots.v2.apps.post({ spec: spec(instances) }))!.app!;
    await t.admin('POST', '/_emulator/clock', { advance_ms: 200_000 });
    return app;
  };
  const execUrl = async (appId: string) =>
    (await dots.v2.apps.byApp_Id(appId).components.byComponent_name('web').exec.get())!.url!;
  const open = async (url: string) => {
    const terminal = new Terminal(url, t.emu.caPem);
    await terminal.opened();
    await terminal.until(PROMPT);
    return terminal;
  };

  it('gives a one-time wss URL and runs commands with echo, CRLF output and a prompt, closing with 1000 on exit', async () => {
    const app = await liveApp();
    const url = await execUrl(app.id!);
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/_emulator\/console\/[0-9a-f]{32}\?token=[A-Za-z0-9_-]+$/);
    const term = await open(url);

    let mark = term.output.length;
    term.type('echo hello');
    expect(await term.until(PROMPT, mark)).toMatch(/^echo hello\r\nhello\r\nroot@web-/);

    mark = term.output.length;
    term.type("printf 'a\\nb\\n'");
    expect(await term.until(PROMPT, mark)).toContain("printf 'a\\nb\\n'\r\na\r\nb\r\nroot@");

    mark = term.output.length;
    term.type('echo "$GREETING $API_KEY [$BUILD_ONLY] $PORT"');
    expect(await term.until(PROMPT, mark)).toContain('\r\nhello s3cret [] 8080\r\n');

    mark = term.output.length;
    term.type('echo bye; exit 3');
    expect(await term.closed).toBe(1000);
    expect(term.output.slice(mark)).toContain('\r\nbye\r\n');
  });

  it('refuses a reused or forged token with 401', async () => {
    const app = await liveApp();
    const url = await execUrl(app.id!);
    const first = await open(url);
    await expect(new Terminal(url, t.emu.caPem).opened()).rejects.toThrow('HTTP 401');
    await expect(new Terminal(url.replace(/token=.*/, 'token=forged'), t.emu.caPem).opened()).rejects.toThrow(
      'HTTP 401',
    );
    first.close();
  });

  it('keeps the working directory, edits the line, survives errors and Ctrl-C, and takes resizes', async () => {
    const app = await liveApp();
    const term = await open(await execUrl(app.id!));

    let mark = term.output.length;
    term.type('mkdir -p data && cd data && touch file');
    await term.until(/:\/app\/data# $/, mark);
    mark = term.output.length;
    term.type('ls');
    expect(await term.until(/# $/, mark)).toContain('\r\nfile\r\n');

    // A directory removed from under the shell falls back to /app, as the container's workdir.
    mark = term.output.length;
    term.type('mkdir gone && cd gone && rm -rf ../gone');
    await term.until(/:\/app\/data\/gone# $/, mark);
    mark = term.output.length;
    term.type('echo still here');
    expect(await term.until(/:\/app# $/, mark)).toContain('\r\nstill here\r\n');

    mark = term.output.length;
    for (const ch of 'echo hellx') term.stdin(ch);
    term.stdin('\x7f');
    term.stdin('o\r');
    const edited = await term.until(/# $/, mark);
    expect(edited).toContain('\b \b');
    expect(edited).toContain('\r\nhello\r\n');

    mark = term.output.length;
    term.type('if then');
    expect(await term.until(/# $/, mark)).toMatch(/Syntax error/i);

    mark = term.output.length;
    term.type('sleep 30');
    await new Promise((resolve) => setTimeout(resolve, 100));
    term.stdin('\x03');
    expect(await term.until(/# $/, mark, 2_000)).toContain('^C\r\n');

    // doctl's keep-alive: an empty stdin frame changes nothing.
    term.stdin('');
    term.resize(132, 40);
    mark = term.output.length;
    term.type('echo $COLUMNS x $LINES');
    expect(await term.until(/# $/, mark)).toContain('\r\n132 x 40\r\n');

    mark = term.output.length;
    term.stdin('\x04');
    expect(await term.closed).toBe(1000);
    expect(term.output.slice(mark)).toBe('exit\r\n');
  });

  it('opens a console on a chosen instance of a chosen deployment', async () => {
    const app = await liveApp(2);
    const one = dots.v2.apps.byApp_Id(app.id!);
    const instances = (await one.instances.get())!.instances!;
    expect(instances.map((i) => [i.componentName, i.componentType])).toEqual([
      ['web', 'SERVICE'],
      ['web', 'SERVICE'],
    ]);
    const second = instances[1]!.instanceName!;
    const deploymentId = app.pendingDeployment!.id!;
    const exec = one.deployments.byDeployment_id(deploymentId).components.byComponent_name('web').exec;
    const url = (await exec.get({ queryParameters: { instanceName: second } }))!.url!;
    const term = new Terminal(url, t.emu.caPem);
    await term.opened();
    await term.until(new RegExp(`root@${second}:/app# $`));
    term.type('echo $HOSTNAME');
    await term.until(new RegExp(`\\r\\n${second}\\r\\n`));
    term.close();
    expect(await failure(exec.get({ queryParameters: { instanceName: 'web-nope-nope' } }))).toBe(404);
  });

  it('refuses exec without a live deployment, for a static site, or for an unknown component', async () => {
    const app = (await dots.v2.apps.post({ spec: spec() }))!.app!;
    const one = dots.v2.apps.byApp_Id(app.id!);
    expect(await failure(one.components.byComponent_name('web').exec.get())).toBe(400);
    await t.admin('POST', '/_emulator/clock', { advance_ms: 200_000 });
    expect(await failure(one.components.byComponent_name('docs').exec.get())).toBe(400);
    expect(await failure(one.components.byComponent_name('nope').exec.get())).toBe(404);
  });

  it('closes open consoles when the app is deleted', async () => {
    const app = await liveApp();
    const term = await open(await execUrl(app.id!));
    await dots.v2.apps.byApp_Id(app.id!).delete();
    expect(await term.closed).toBe(1000);
  });
});
