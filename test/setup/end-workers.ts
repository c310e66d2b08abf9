import { stop as stopEsbuild } from 'esbuild';
import { endAllWorkers } from '../../lambda/dynamic/isolation';

// Each test file has its own module registry, so the workers its sent code started, and the worker thread esbuild's
// synchronous API starts (`buildSync` in bundling), would otherwise pile up in the jest worker process until it
// exits, and make that exit slower still (see `endAllWorkers` and `workerGracefulExitTimeout` in jest.config.js).
afterAll(async () => {
  await Promise.all([endAllWorkers(), stopEsbuild()]);
});
