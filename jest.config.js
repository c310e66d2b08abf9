/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/polyfills.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup/end-workers.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
  // A worker that ran the CDK and bundling suites holds 700-850 MB; with no handle or thread left, its process still
  // takes about half a second to tear down on a 2-core machine, jest's default grace. A leak never exits at all, so
  // it is still reported after this longer grace.
  workerGracefulExitTimeout: 5000,
};
