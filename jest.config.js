/**
 * Two projects: everything on the n8n 2.x line (n8n-core 2.41.1, n8n-workflow 2.41.0), and the
 * in-engine tests again on the latest 1.x line (n8n-core 1.122.48 with its n8n-workflow 1.120.31),
 * the way the compiled node meets n8n 1.x: the node's own `n8n-workflow` imports resolve to the
 * 1.x copy too.
 */
const base = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	setupFiles: ['<rootDir>/test/setup-env.js'],
};

/** @type {import('jest').Config} */
module.exports = {
	testTimeout: 30000,
	// The suites mostly wait on sockets and on the waits the fakes ask for: more workers than cores.
	maxWorkers: 4,
	projects: [
		{ ...base, displayName: 'n8n 2.x', testMatch: ['**/*.test.ts'] },
		{
			...base,
			displayName: 'n8n 1.x',
			testMatch: ['<rootDir>/test/engine/**/*.test.ts'],
			moduleNameMapper: {
				'^n8n-core$': '<rootDir>/node_modules/n8n-core-v1',
				'^n8n-workflow$': '<rootDir>/node_modules/n8n-core-v1/node_modules/n8n-workflow',
			},
		},
	],
};
