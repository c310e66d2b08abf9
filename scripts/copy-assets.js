#!/usr/bin/env node
// After `tsc`, copies the handlers' files that are not TypeScript (e.g. the dynamic function's exec
// wrapper) beside their compiled code in dist/, keeping their mode, so that the installed package can
// bundle the handlers as a clone does.
const { chmodSync, copyFileSync, mkdirSync, readdirSync, statSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

/** Copies every file under `from` that is not a .ts source to the same path under `to`; returns the paths. */
function copyAssets(from, to) {
  const copied = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.ts')) {
        const target = join(to, relative(from, path));
        mkdirSync(dirname(target), { recursive: true });
        copyFileSync(path, target);
        chmodSync(target, statSync(path).mode);
        copied.push(relative(from, path));
      }
    }
  };
  walk(from);
  return copied;
}

module.exports = { copyAssets };

if (require.main === module) {
  const root = join(__dirname, '..');
  copyAssets(join(root, 'lambda'), join(root, 'dist', 'lambda'));
}
