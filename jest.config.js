/** Tests run against TypeScript sources (transpile only; `tsc` in `npm test` type-checks). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  // The shared fixture projects (test/setup/fixture-projects.ts), made once per run.
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // Synthesis as the CLI tunes it, in every suite (test/setup/tune-cdktf.ts).
  setupFiles: ['<rootDir>/test/setup/tune-cdktf.ts'],
  // Third-party packages load once per worker, not once per file (test/setup/shared-modules-runtime.js).
  runtime: '<rootDir>/test/setup/shared-modules-runtime.js',
  testTimeout: 120000,
  maxWorkers: 2,
};
