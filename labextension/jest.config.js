/**
 * Jest runs the unit tests in test/ through ts-jest (CommonJS output).
 *
 * JupyterLab's own packages ship ES modules; the modules under test either do
 * not import them (status.ts, reply.ts, poller.ts) or the tests replace them
 * with jest.mock factories (api.ts), so nothing in node_modules needs
 * transforming.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }]
  }
};
