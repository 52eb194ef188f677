/** Our marks, on the package and on each action bootstrap deployed: what makes them provably ours. */
export const ANNOTATIONS = {
  managedBy: 'base2-do/managed-by',
  createdNamespace: 'base2-do/created-namespace',
  codeSha256: 'base2-do/code-sha256',
} as const;
export const MANAGER = 'base2-do';
