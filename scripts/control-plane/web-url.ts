/** Where DigitalOcean serves a namespace's web functions: `<api_host>/api/v1/web/<namespace>/<package>/<function>`. */
import type { NamespaceAccess } from './openwhisk.js';

export function packageUrl(namespace: Pick<NamespaceAccess, 'apiHost' | 'namespace'>, pkg: string): string {
  return `${namespace.apiHost.replace(/\/+$/, '')}/api/v1/web/${namespace.namespace}/${pkg}`;
}

export function functionUrl(
  namespace: Pick<NamespaceAccess, 'apiHost' | 'namespace'>,
  pkg: string,
  fn: string,
): string {
  return `${packageUrl(namespace, pkg)}/${fn}`;
}
