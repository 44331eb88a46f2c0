/** Jest: one project per test layer so a layer can be run alone (`npx jest --selectProjects unit`). */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};
const setupFiles = ['<rootDir>/test/helpers/quiet-runtime.ts'];
const base = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  // Servers start and workflows bundle inside tests: generous per-test limits (no test asserts time).
  testTimeout: 120_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'store', testMatch: ['<rootDir>/test/store/**/*.test.ts'] },
    { ...base, displayName: 'workflow', setupFiles, testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
    {
      ...base,
      displayName: 'integration',
      setupFiles,
      testTimeout: 120_000,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
  ],
};
