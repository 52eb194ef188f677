import type { Handler, RouteOptions } from './types.js';

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: Handler;
  options: Required<RouteOptions>;
}

export interface RouteMatch {
  pattern: string;
  handler: Handler;
  params: Record<string, string>;
  options: Required<RouteOptions>;
}

/** Method + path pattern routing (`/v2/droplets/:droplet_id/actions`); literal segments win over params. */
export class Router {
  private routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, options: RouteOptions = {}): void {
    this.routes.push({
      method: method.toUpperCase(),
      pattern,
      segments: split(pattern),
      handler,
      options: { auth: options.auth ?? 'bearer' },
    });
    // Literal routes first, so `/v2/apps/propose` is never taken for `/v2/apps/:id`.
    this.routes.sort((a, b) => paramCount(a) - paramCount(b));
  }

  /** The matching route, `'method'` when the path exists under another method, or undefined. */
  match(method: string, path: string): RouteMatch | 'method' | undefined {
    const parts = split(path);
    let pathExists = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method !== method.toUpperCase()) {
        pathExists = true;
        continue;
      }
      return { pattern: route.pattern, handler: route.handler, params, options: route.options };
    }
    return pathExists ? 'method' : undefined;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function paramCount(route: Route): number {
  return route.segments.filter((s) => s.startsWith(':') || s === '*').length;
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i]!;
    if (seg === '*') {
      params['*'] = parts.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(part);
    else if (seg !== part) return undefined;
  }
  return parts.length === pattern.length ? params : undefined;
}
