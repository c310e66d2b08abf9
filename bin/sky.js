#!/usr/bin/env node
// From a clone (bin/sky.ts beside this file) the TypeScript CLI runs through tsx; the published
// package ships the compiled CLI in dist/ and no TypeScript.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

if (existsSync(join(__dirname, 'sky.ts'))) {
  require('tsx/cjs');
  require('./sky.ts');
} else {
  require('../dist/bin/sky.js');
}
