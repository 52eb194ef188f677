/**
 * `npm test` starts here: the test runner (vitest, through vite) needs Node 20.19+ or 22.12+, newer
 * than the tool itself (20.10+). Says so in one sentence instead of vite's own failure.
 */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
// vite's engines: ^20.19.0 || >=22.12.0 (Node 21 is outside both).
const ok = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
if (!ok) {
  console.error(
    `npm test needs Node 20.19+ or 22.12+ (its test runner, vitest, requires it); this is Node ${process.versions.node}. ` +
      'The tool itself runs on Node 20.10+: npm run invoke and npm run demo work here.',
  );
  process.exit(1);
}
