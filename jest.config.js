/** Jest: one project per test layer so a layer can be run alone (`npx jest --selectProjects unit`). */
const swc = { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } };
const transform = {
  '^.+\\.ts$': ['@swc/jest', swc],
  '^.+\\.js$': ['@swc/jest', { ...swc, jsc: { ...swc.jsc, parser: { syntax: 'ecmascript' } } }],
};
// cookie 2 (under fastify's inject and @fastify/cookie), openid-client and its oauth4webapi and jose ship ESM
// only, and @fastify/cookie loads cookie with import(): Node 20 can load them, jest's module system cannot
// without transforming them to CommonJS first.
const transformIgnorePatterns = [
  '/node_modules/(?!(cookie|@fastify/cookie|openid-client|oauth4webapi|jose)/)',
];
const setupFiles = ['<rootDir>/test/helpers/quiet-runtime.ts', '<rootDir>/test/helpers/worker-guard.ts'];
const base = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  // Servers start and workflows bundle inside tests: generous per-test limits (no test asserts time).
  testTimeout: 120_000,
  // A worker left polling (a test that timed out mid-run) must not keep jest alive after the last file:
  // test/helpers/worker-guard.ts stops such workers and fails their file; this ends the process regardless.
  forceExit: true,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'store', testMatch: ['<rootDir>/test/store/**/*.test.ts'] },
    { ...base, displayName: 'workflow', setupFiles, testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
    {
      ...base,
      displayName: 'integration',
      setupFiles,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    // Browser tests: Debian's chromium through playwright-core (scripts/bootstrap.mjs installs it).
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
