import { stop as stopEsbuild } from 'esbuild';
import { endAllWorkers } from '../../lambda/dynamic/isolation';

// Each test file has its own module registry, so the workers its sent code started, and the worker thread esbuild's
// synchronous API starts (`buildSync` in bundling), would otherwise be torn down only when the jest worker process
// exits, past the half second jest allows it (see `endAllWorkers`).
afterAll(async () => {
  await Promise.all([endAllWorkers(), stopEsbuild()]);
});
