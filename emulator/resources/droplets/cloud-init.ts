/**
 * What a droplet's user_data asks cloud-init to do, read as cloud-init reads it: `#cloud-config`
 * (package_update, package_upgrade, packages, write_files, bootcmd, runcmd) or a script (`#!`).
 * Only what decides when, and whether, a container answers is kept: package work, Docker
 * installs, registry logins and `docker run`. Other formats (#include, MIME multi-part, gzip)
 * are not read, so nothing they would start is modelled (docs/emulator.md).
 */
import { parse } from 'yaml';
import { dockerStep } from './docker-command.js';
import { shellSegments } from './shell-words.js';

export type DockerSource = 'apt' | 'dnf' | 'script' | 'snap';

export interface PublishedPort {
  host: number;
  container: number;
}

export type BootStep =
  | { kind: 'package-index' }
  | { kind: 'package-upgrade' }
  /** cloud-config `packages`: one package manager call for all of them. */
  | { kind: 'packages'; names: string[] }
  /** `onlyIfMissing`: guarded by a check for docker (`command -v docker || …`). */
  | { kind: 'docker-install'; via: DockerSource; onlyIfMissing: boolean; refreshesIndex: boolean }
  | { kind: 'login'; registry: string }
  | { kind: 'run'; image: string; ports: PublishedPort[] };

export interface CloudInitPlan {
  /** `none`: no user_data; `unread`: a format this emulator does not read (or YAML that does not parse). */
  format: 'cloud-config' | 'script' | 'none' | 'unread';
  steps: BootStep[];
}

const DOCR = 'registry.digitalocean.com';

/** A check that docker is there, which makes the install after it conditional. */
const DOCKER_PROBE =
  /\b(?:command\s+-v|which|type(?:\s+-[pP])?|hash)\s+docker\b|\bdocker\s+(?:--version|version|info)\b|\[\s+-x\s+\S*\/docker\s+\]/;
const INSTALLS: ReadonlyArray<[RegExp, DockerSource]> = [
  [/\bapt(?:-get)?\s+(?:[^;&|\n]*\s)?install\b[^;&|\n]*\bdocker(?:\.io|-ce)\b/, 'apt'],
  [/\b(?:dnf|yum)\s+(?:[^;&|\n]*\s)?install\b[^;&|\n]*\b(?:docker|docker-ce|moby-engine)\b/, 'dnf'],
  [/\bget\.docker\.com\b|\bget-docker\.sh\b/, 'script'],
  [/\bsnap\s+install\s+docker\b/, 'snap'],
];
const APT_UPDATE = /\bapt(?:-get)?\s+(?:-\S+\s+)*update\b/;
const DOCTL_LOGIN = /\bdoctl\s+registry\s+login\b/g;

/** Docker packages by the package manager that has them. */
export const DOCKER_PACKAGES: Record<'apt' | 'dnf', readonly string[]> = {
  apt: ['docker.io', 'docker-ce'],
  dnf: ['docker', 'docker-ce', 'moby-engine'],
};

const memo = new Map<string, CloudInitPlan>();
const MEMO_LIMIT = 256;

/** The plan of `userData` (memoised: droplets of one generation share their user_data). */
export function readUserData(userData: string | undefined): CloudInitPlan {
  if (userData === undefined || userData.trim() === '') return { format: 'none', steps: [] };
  const known = memo.get(userData);
  if (known) return known;
  const plan = read(userData);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(userData, plan);
  return plan;
}

function read(text: string): CloudInitPlan {
  if (text.startsWith('#cloud-config')) return cloudConfig(text);
  if (text.startsWith('#!')) return { format: 'script', steps: scriptCommands(text).flatMap(commandSteps) };
  return { format: 'unread', steps: [] };
}

function cloudConfig(text: string): CloudInitPlan {
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1' });
  } catch {
    return { format: 'unread', steps: [] };
  }
  if (!isRecord(doc)) return { format: 'cloud-config', steps: [] };
  const steps: BootStep[] = [];
  // Module order: bootcmd and write_files in the init stage; packages, then runcmd's script, in the final stage.
  steps.push(...commandList(doc.bootcmd).flatMap(commandSteps));
  steps.push(...writtenLogins(doc.write_files));
  const names = packageNames(doc.packages);
  const update = doc.package_update === true || doc.apt_update === true;
  const upgrade = doc.package_upgrade === true || doc.apt_upgrade === true;
  if (update || upgrade || names.length > 0) steps.push({ kind: 'package-index' });
  if (upgrade) steps.push({ kind: 'package-upgrade' });
  if (names.length > 0) steps.push({ kind: 'packages', names });
  steps.push(...commandList(doc.runcmd).flatMap(commandSteps));
  return { format: 'cloud-config', steps };
}

/** `packages` entries are names or `[name, version]` pairs. */
function packageNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const name = Array.isArray(entry) ? entry[0] : entry;
    return typeof name === 'string' ? [name] : [];
  });
}

/** A Docker client configuration written with registry credentials counts as a login. */
function writtenLogins(value: unknown): BootStep[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((file): BootStep[] => {
    if (!isRecord(file) || typeof file.path !== 'string' || !/\.docker\/config\.json$/.test(file.path))
      return [];
    const raw = typeof file.content === 'string' ? file.content : '';
    const content = /^(?:b64|base64)$/.test(String(file.encoding ?? ''))
      ? Buffer.from(raw, 'base64').toString('utf8')
      : raw;
    try {
      const auths = (JSON.parse(content) as { auths?: unknown }).auths;
      if (!isRecord(auths)) return [];
      return Object.entries(auths)
        .filter(([, entry]) => isRecord(entry) && typeof entry.auth === 'string' && entry.auth !== '')
        .map(([registry]) => ({ kind: 'login', registry }));
    } catch {
      return [];
    }
  });
}

/** runcmd/bootcmd items: a string runs through `sh -c`; a list is an argv (`sh -c X` is X). */
function commandList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (typeof item === 'string') return [item];
    if (!Array.isArray(item) || !item.every((w) => typeof w === 'string' || typeof w === 'number')) return [];
    const argv = item.map(String);
    if (
      /^(?:\/bin\/|\/usr\/bin\/)?(?:ba)?sh$/.test(argv[0] ?? '') &&
      argv[1] === '-c' &&
      argv[2] !== undefined
    )
      return [argv[2]];
    return [argv.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ')];
  });
}

/**
 * A script's commands: one per line (with `\` continuations joined), an `if … fi` block as one,
 * so a guard in its condition covers the install in its body.
 */
function scriptCommands(text: string): string[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const commands: string[] = [];
  let block: string[] = [];
  let depth = 0;
  for (const line of lines) {
    if (/^\s*if\b/.test(line)) depth++;
    if (depth > 0) {
      block.push(line);
      if (/^\s*fi\b|[;\s]fi\s*$/.test(line)) depth--;
      if (depth === 0) {
        commands.push(block.join('\n'));
        block = [];
      }
      continue;
    }
    commands.push(line);
  }
  if (block.length > 0) commands.push(block.join('\n'));
  return commands;
}

/** The steps of one shell command, in the order they appear in it. */
function commandSteps(command: string): BootStep[] {
  const found: Array<{ at: number; step: BootStep }> = [];
  const install = INSTALLS.map(([re, via]) => ({ match: re.exec(command), via })).find((i) => i.match);
  const updateAt = command.search(APT_UPDATE);
  if (install?.match) {
    const probeAt = command.search(DOCKER_PROBE);
    found.push({
      at: install.match.index,
      step: {
        kind: 'docker-install',
        via: install.via,
        onlyIfMissing: probeAt >= 0 && probeAt < install.match.index,
        refreshesIndex: updateAt >= 0,
      },
    });
  } else if (updateAt >= 0) {
    found.push({ at: updateAt, step: { kind: 'package-index' } });
  }
  for (const m of command.matchAll(DOCTL_LOGIN))
    found.push({ at: m.index, step: { kind: 'login', registry: DOCR } });
  let at = 0;
  for (const words of shellSegments(command)) {
    at = Math.max(at, command.indexOf(words[0] ?? '', at));
    const step = dockerStep(words);
    if (step) found.push({ at, step });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.step);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
