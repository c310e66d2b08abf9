#!/usr/bin/env node
// After `tsc`, bundles the Lambda handlers from their TypeScript sources into dist/bundles, so that the installed
// package deploys the same bundles as a clone (see writePrebuiltBundles in lib/infra/bundling.ts).
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const { writePrebuiltBundles } = require(join(root, 'dist', 'lib', 'infra', 'bundling.js'));
for (const folder of writePrebuiltBundles(root, join(root, 'dist'))) console.log(`bundled ${relative(root, folder)}`);
