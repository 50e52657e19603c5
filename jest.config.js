/** Two projects: fast unit/integration tests under src/ and tests/, and UI tests in real Chromium. */
const tsJest = [
  'ts-jest',
  {
    tsconfig: {
      target: 'ES2022',
      module: 'commonjs',
      esModuleInterop: true,
      resolveJsonModule: true,
      strict: true,
      skipLibCheck: true,
      isolatedModules: true,
      lib: ['ES2022', 'DOM'],
      types: ['node', 'jest'],
    },
    diagnostics: false,
  },
];
module.exports = {
  // Per-test time limit: the default 5 s fails healthy tests when the 2-core machine is busy (CI shares it).
  testTimeout: 120000,
  // The built extension and the test app carry package.json files of their own.
  modulePathIgnorePatterns: ['<rootDir>/lab-extension/labextension/', '<rootDir>/lab-extension/ui-tests/app/'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      // Module files and pipeline modules import "tfx-ts"; under Jest that must be the sources under test.
      moduleNameMapper: {
        '^tfx-ts$': '<rootDir>/src/index.ts',
        '^tfx-ts/(tfdv|transform|trainer|evaluator|serving|kubeflow|protocol)$': '<rootDir>/src/api/$1.ts',
      },
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.ui\\.test\\.ts$'],
    },
    {
      displayName: 'ui',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/lab-extension/ui-tests/**/*.ui.test.ts'],
    },
  ],
};
