/**
 * @digitalocean/dots ships TypeScript sources without declaration files, and those sources do not
 * type-check against the kiota version npm resolves (nor under our strict flags). tsc would check
 * them as part of our program, so we emit declarations for them once (without checking them)
 * into .cache/dots-types, and tsconfig maps the package's types there. Re-run when dots changes.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'node_modules', '@digitalocean', 'dots');
const target = join(root, '.cache', 'dots-types');
const version = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).version;
const stamp = join(target, '.version');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) process.exit(0);

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
cpSync(join(source, 'index.ts'), join(target, 'index.ts'));
cpSync(join(source, 'src'), join(target, 'src'), { recursive: true, filter: (p) => !p.endsWith('.js') });
const program = ts.createProgram([join(target, 'index.ts')], {
  declaration: true,
  emitDeclarationOnly: true,
  noCheck: true,
  skipLibCheck: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  outDir: target,
  rootDir: target,
});
const result = program.emit();
if (result.emitSkipped) {
  console.error('dots-types: declaration emit failed');
  process.exit(1);
}
// Only the declarations stay: beside a .ts source, tsc would read the source again.
for (const entry of readdirSync(target, { recursive: true, withFileTypes: true })) {
  if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
    rmSync(join(entry.parentPath, entry.name));
  }
}
writeFileSync(join(target, 'package.json'), JSON.stringify({ type: 'module', types: 'index.d.ts' }));
writeFileSync(stamp, version);
console.log(`dots-types: declarations for @digitalocean/dots ${version} written to .cache/dots-types`);
