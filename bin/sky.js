#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so that `npx sky` works straight from a clone.
require('tsx/cjs');
require('./sky.ts');
