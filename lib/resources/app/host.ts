/** Pure: the host of `https://base2-staging-x1y2z.ondigitalocean.app`, the CNAME target. */
export function hostOf(ingress: string | undefined): string | undefined {
  if (!ingress) return undefined;
  try {
    return new URL(ingress.includes('://') ? ingress : `https://${ingress}`).hostname || undefined;
  } catch {
    return undefined;
  }
}
