/**
 * The Docker commands a user_data line may hold, from its words (shell-words.ts): `docker login`
 * (which registry) and `docker run` (which image, which ports it publishes on the droplet).
 */
import type { BootStep, PublishedPort } from './cloud-init.js';

const DOCKER_HUB = 'docker.io';

/** Long options of `docker run` that take a value (the rest are flags). */
const VALUE_OPTIONS = new Set([
  'add-host',
  'cpus',
  'dns',
  'e',
  'entrypoint',
  'env',
  'env-file',
  'h',
  'hostname',
  'l',
  'label',
  'log-driver',
  'log-opt',
  'm',
  'memory',
  'mount',
  'name',
  'net',
  'network',
  'p',
  'platform',
  'publish',
  'pull',
  'restart',
  'u',
  'user',
  'v',
  'volume',
  'w',
  'workdir',
  'health-cmd',
  'stop-signal',
]);

/** Words that may come before a command: keywords of compound commands, and runners. */
const PREFIXES = new Set(['!', 'if', 'then', 'else', 'elif', 'do', 'time', 'sudo', 'exec', 'nohup']);

/** `docker login … [server]` or `docker run …`, from one command's words. */
export function dockerStep(words: readonly string[]): BootStep | undefined {
  let i = 0;
  while (i < words.length && (/^\w+=/.test(words[i]!) || PREFIXES.has(words[i]!))) i++;
  if (!/(?:^|\/)docker$/.test(words[i] ?? '')) return undefined;
  let rest = words.slice(i + 1);
  if (rest[0] === 'container' && rest[1] === 'run') rest = rest.slice(1);
  if (rest[0] === 'login') {
    const args = rest.slice(1);
    const positional = args.filter(
      (w, n) => !w.startsWith('-') && !/^-(?:u|p)$|^--(?:username|password)$/.test(args[n - 1] ?? ''),
    );
    return { kind: 'login', registry: positional[0] ?? DOCKER_HUB };
  }
  if (rest[0] !== 'run') return undefined;
  const ports: PublishedPort[] = [];
  for (let n = 1; n < rest.length; n++) {
    const word = rest[n]!;
    if (word === '--') return run(rest[n + 1], ports);
    if (!word.startsWith('-')) return run(word, ports);
    const [flag, inline] = splitOption(word);
    const takesValue = VALUE_OPTIONS.has(flag);
    const value = inline ?? (takesValue ? rest[++n] : undefined);
    if ((flag === 'p' || flag === 'publish') && value !== undefined) {
      const port = publishedPort(value);
      if (port) ports.push(port);
    }
  }
  return undefined;
}

const run = (image: string | undefined, ports: PublishedPort[]): BootStep | undefined =>
  image === undefined ? undefined : { kind: 'run', image, ports };

/** `--name=x` → [name, x]; `-p80:80` → [p, 80:80]; `--detach` → [detach]. */
function splitOption(word: string): [string, string | undefined] {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    return eq < 0 ? [word.slice(2), undefined] : [word.slice(2, eq), word.slice(eq + 1)];
  }
  const flag = word.slice(1, 2);
  return word.length > 2 && VALUE_OPTIONS.has(flag) ? [flag, word.slice(2)] : [word.slice(1), undefined];
}

/** `[ip:]host:container[/tcp]`; a bare container port gets a random host port (not modelled). */
function publishedPort(spec: string): PublishedPort | undefined {
  const match = /^(?:[\d.]+:|\[[0-9a-f:]+\]:)?(\d{1,5}):(\d{1,5})(?:\/tcp)?$/i.exec(spec);
  return match ? { host: Number(match[1]), container: Number(match[2]) } : undefined;
}
