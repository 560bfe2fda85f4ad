/**
 * `npm run test:queue`: n8n 2.x in queue mode (PostgreSQL, Redis, a main and two workers; see
 * scripts/lib/queue.js). One file, its tests in order. Plain JS, no transform.
 */
/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.test.js'],
	transform: {},
	testTimeout: 300000,
	maxWorkers: 1,
};
