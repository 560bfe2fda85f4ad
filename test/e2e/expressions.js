'use strict';
/**
 * The base-URL table (test/fixtures/base-urls.json) through a real n8n's own expression engine:
 * the installed package's credentials, resolved by that n8n's n8n-workflow the way n8n resolves
 * them (test request base URLs with $credentials, the OAuth2 URLs with $self), next to the
 * package's own check. n8n 2.x evaluates with its "vm" engine (isolated-vm), 1.x with "legacy".
 *
 *   node expressions.js <n8n folder> <package dist folder> <vm|legacy>    (prints JSON)
 *
 * Run with the Node of that n8n line (test/e2e/secrets.js does).
 */
const path = require('node:path');

const TABLE = require('../fixtures/base-urls.json');

async function main([n8nDir, dist, engine]) {
	const { Expression, NodeHelpers, Workflow } = require(path.join(n8nDir, 'node_modules', 'n8n-workflow'));
	const { safeBaseUrl } = require(path.join(dist, 'credentials', 'urlGuard.js'));
	const load = (name) => new (require(path.join(dist, 'credentials', `${name}.credentials.js`))[name])();
	const qontoApi = load('PaymentRevertQontoApi');
	const contazen = load('PaymentRevertContazenApi');
	const wethod = load('PaymentRevertWethodApi');
	const oauth = load('PaymentRevertQontoOAuth2Api');

	if (engine === 'vm') await Expression.initExpressionEngine({ engine: 'vm', poolSize: 1, bridgeTimeout: 5000, bridgeMemoryLimit: 128 });
	else Expression.setExpressionEngine('legacy');
	const node = { id: 'n', name: 'n', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} };
	const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	await workflow.expression.acquireIsolate?.();
	const testUrl = (credential, data) =>
		workflow.expression.getSimpleParameterValue(node, credential.test.request.baseURL, 'internal', { $credentials: data });
	const oauthUrls = (oauthBaseUrl) => {
		const data = NodeHelpers.getNodeParameters(oauth.properties, { environment: 'custom', oauthBaseUrl }, true, false, null, null);
		const resolved = workflow.expression.getComplexParameterValue(node, data, 'internal', {}, undefined, undefined, data);
		return [resolved.authUrl, resolved.accessTokenUrl];
	};
	const rows = TABLE.cases.map(([input]) => ({
		input,
		node: safeBaseUrl(input) ?? null,
		qontoApi: testUrl(qontoApi, { environment: 'custom', apiBaseUrl: input }),
		contazen: input === '' ? null : testUrl(contazen, { baseUrl: input }),
		wethod: input === '' ? null : testUrl(wethod, { baseUrl: input }),
		oauth: oauthUrls(input),
	}));
	await workflow.expression.releaseIsolate?.();
	const implementation = Expression.getActiveImplementation ? Expression.getActiveImplementation() : 'legacy';
	// The result, then exit at once: tearing the isolate pool down (or exiting while it is torn down) crashes isolated-vm at times (SIGSEGV, 4 runs in 6 here), which is not what is tested.
	process.stdout.write(`${JSON.stringify({ implementation, rows })}\n`);
}

main(process.argv.slice(2)).then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`${error.stack}\n`);
		process.exit(1);
	},
);
