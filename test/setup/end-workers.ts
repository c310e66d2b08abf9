import { endAllWorkers } from '../../lambda/dynamic/isolation';

// Each test file has its own module registry, so the workers its sent code started would otherwise be torn down
// only when the jest worker process exits, past the half second jest allows it (see `endAllWorkers`).
afterAll(async () => {
  await endAllWorkers();
});
