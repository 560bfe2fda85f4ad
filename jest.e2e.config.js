/**
 * The end-to-end suite: real n8n 2.x and 1.x processes (scripts/runtime.js installs them), one test
 * file per line so the two lines run side by side in two workers. Plain JS, no transform.
 */
/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.js'],
	transform: {},
	testTimeout: 180000,
	maxWorkers: 2,
};
