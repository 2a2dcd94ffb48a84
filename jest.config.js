const { testsByProject } = require('./test/support/jest-projects');

const tests = testsByProject();
/** What every project shares. */
const common = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  setupFiles: ['<rootDir>/test/support/test-env.ts'],
};
const SETUP = '<rootDir>/test/support';

/**
 * Three projects (test/support/jest-projects.js): `npm test` runs all of them,
 * `npm run test:unit` the two that need no synthesis, and `npm run test:synth` the rest.
 * @type {import('jest').Config}
 */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: tests.unit },
    {
      ...common,
      displayName: 'unit-pg',
      testMatch: tests['unit-pg'],
      globalSetup: `${SETUP}/postgres-setup.ts`,
      globalTeardown: `${SETUP}/postgres-teardown.ts`,
    },
    {
      ...common,
      displayName: 'synth',
      testMatch: tests.synth,
      globalSetup: `${SETUP}/synth-setup.ts`,
    },
  ],
  testTimeout: 30000,
  // Two workers even on two cores: test files mostly wait on PostgreSQL, s3rver and
  // child processes, and Jest's default (cores - 1) would run them one by one.
  maxWorkers: 2,
};
