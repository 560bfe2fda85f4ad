/** The contract saved workflows depend on (README: parameters, output, errors): names, types, defaults. */
import type { IAuthenticateRuleResponseCode, INode, INodeProperties, INodeParameters } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import pkg from '../../package.json';
import { PaymentRevertContazenApi } from '../../credentials/PaymentRevertContazenApi.credentials';
import { PaymentRevertQontoApi } from '../../credentials/PaymentRevertQontoApi.credentials';
import { PaymentRevertQontoOAuth2Api } from '../../credentials/PaymentRevertQontoOAuth2Api.credentials';
import { PaymentRevertWethodApi } from '../../credentials/PaymentRevertWethodApi.credentials';
import codex from '../../nodes/PaymentRevert/PaymentRevert.node.json';
import { PaymentRevert } from '../../nodes/PaymentRevert/PaymentRevert.node';

// Version 1's contract: saved version-1 workflows keep it unchanged.
const description = new PaymentRevert().nodeVersions[1].description;
const noNodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as never;
const prop = (name: string, list: INodeProperties[] = description.properties) => {
	const found = list.find((p) => p.name === name);
	if (!found) throw new Error(`missing property ${name}`);
	return found;
};
const values = (p: INodeProperties) => (p.options ?? []).map((o) => (o as { value: string }).value);

describe('node description', () => {
	it('identity', () => {
		expect(description).toMatchObject({
			name: 'paymentRevert',
			displayName: 'Payment Revert',
			version: 1,
			usableAsTool: true,
			inputs: ['main'],
			outputs: ['main'],
		});
		expect(description.icon).toEqual({
			light: 'file:../../icons/paymentRevert.svg',
			dark: 'file:../../icons/paymentRevert.dark.svg',
		});
	});

	it.each([
		[{ provider: 'qonto', operation: 'revertPayment' }, 'Qonto: Revert Payment'],
		[{ provider: 'contazen', operation: 'getStatus' }, 'Contazen: Get Payment Status'],
		[{ provider: 'wethod', operation: 'revertPayment' }, 'Wethod: Revert Payment'],
	])('subtitle for %j is %j', (parameters, expected) => {
		const node: INode = { id: 'n', name: 'n', type: 'x', typeVersion: 1, position: [0, 0], parameters };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: noNodeTypes });
		expect(workflow.expression.getSimpleParameterValue(node, description.subtitle!, 'manual', {})).toBe(expected);
	});

	it('parameters', () => {
		expect(prop('provider')).toMatchObject({ type: 'options', noDataExpression: true, required: true });
		expect(values(prop('provider')).sort()).toEqual(['contazen', 'qonto', 'wethod']);
		expect(Object.fromEntries((prop('provider').options ?? []).map((o) => [(o as { value: string }).value, o.name]))).toEqual({
			qonto: 'Qonto (Supplier Invoice)',
			contazen: 'Contazen (Supplier Bill)',
			wethod: 'Wethod (Invoice)',
		});
		expect(prop('authentication')).toMatchObject({ type: 'options', default: 'oAuth2', displayOptions: { hide: { provider: ['contazen', 'wethod'] } } });
		expect(values(prop('authentication')).sort()).toEqual(['apiKey', 'oAuth2']);
		expect(prop('operation')).toMatchObject({ type: 'options', noDataExpression: true, default: 'revertPayment' });
		expect(Object.fromEntries((prop('operation').options ?? []).map((o) => [(o as { value: string }).value, o.name]))).toEqual({
			revertPayment: 'Revert Payment',
			getStatus: 'Get Payment Status',
		});
		expect(prop('invoiceId')).toMatchObject({ type: 'string', required: true });
		expect(prop('options')).toMatchObject({ type: 'collection', default: {} });
	});

	it('options and their defaults', () => {
		const options = prop('options').options as INodeProperties[];
		expect(Object.fromEntries(options.map((o) => [o.name, [o.type, o.default]]))).toEqual({
			ifNotPaid: ['options', 'succeed'],
			capturePreviousState: ['boolean', true],
			dryRun: ['boolean', false],
			maxRetries: ['number', 3],
			maxRetryWaitSeconds: ['number', 60],
			concurrency: ['number', 5],
			timeoutSeconds: ['number', 30],
		});
		expect(values(prop('ifNotPaid', options)).sort()).toEqual(['fail', 'succeed']);
		expect(prop('maxRetries', options).typeOptions).toMatchObject({ minValue: 0, maxValue: 10 });
		expect(prop('concurrency', options).typeOptions).toMatchObject({ minValue: 1, maxValue: 50 });
	});

	it('one credential per auth style, shown for its provider', () => {
		expect(description.credentials).toEqual([
			{ name: 'paymentRevertQontoOAuth2Api', required: true, displayOptions: { show: { provider: ['qonto'], authentication: ['oAuth2'] } } },
			{ name: 'paymentRevertQontoApi', required: true, displayOptions: { show: { provider: ['qonto'], authentication: ['apiKey'] } } },
			{ name: 'paymentRevertContazenApi', required: true, displayOptions: { show: { provider: ['contazen'] } } },
			{ name: 'paymentRevertWethodApi', required: true, displayOptions: { show: { provider: ['wethod'] } } },
		]);
	});

	// n8n's editor (editor-ui nodeTypesUtils: getNodeAuthFields, isAuthRelatedParameter, the main
	// auth field) hides the parameter named "authentication" and every parameter named in the `show`
	// options of a parameter that decides the credential. Only Authentication may be hidden that way:
	// Provider must stay visible (scripts/editor-check.js checks it in a real editor).
	it('the editor hides no parameter but Authentication (its choice is the credential type)', () => {
		const authFields = description.properties.filter((p) => description.credentials!.some((c) => p.name in (c.displayOptions?.show ?? {})));
		expect(authFields.map((p) => p.name).sort()).toEqual(['authentication', 'provider']);
		const hiddenByEditor = description.properties.filter((p) => p.name === 'authentication' || authFields.some((f) => p.name in (f.displayOptions?.show ?? {})));
		expect(hiddenByEditor.map((p) => p.name)).toEqual(['authentication']);
	});

	it('codex with the aliases users search for', () => {
		expect(codex.node).toBe('n8n-nodes-payment-revert.paymentRevert');
		for (const alias of ['unpaid', 'unmark', 'reopen invoice', 'Qonto', 'Contazen', 'Wethod']) expect(codex.alias).toContain(alias);
	});
});

describe('credentials', () => {
	const fields = (props: INodeProperties[]) => props.map((p) => p.name);
	const password = (props: INodeProperties[], name: string) => props.find((p) => p.name === name)?.typeOptions?.password;

	it('Qonto OAuth2', () => {
		const c = new PaymentRevertQontoOAuth2Api();
		expect(c).toMatchObject({ name: 'paymentRevertQontoOAuth2Api', displayName: 'Qonto OAuth2 API', extends: ['oAuth2Api'] });
		expect(fields(c.properties)).toEqual(expect.arrayContaining(['environment', 'stagingToken', 'apiBaseUrl', 'oauthBaseUrl', 'scope']));
		expect(values(c.properties.find((p) => p.name === 'environment')!)).toEqual(['production', 'sandbox', 'custom']);
		expect(c.properties.find((p) => p.name === 'scope')).toMatchObject({
			type: 'hidden',
			default: 'offline_access supplier_invoice.read supplier_invoice.write',
		});
		expect(password(c.properties, 'stagingToken')).toBe(true);
	});

	it.each([
		['production', {}, 'https://oauth.qonto.com'],
		['sandbox', {}, 'https://oauth-sandbox.staging.qonto.co'],
		['custom', { oauthBaseUrl: 'http://127.0.0.1:9/qonto-oauth/' }, 'http://127.0.0.1:9/qonto-oauth'],
		['custom', { oauthBaseUrl: 'http://oauth.example.com' }, 'https://base-url-must-be-https-or-loopback.invalid'],
	])('Qonto OAuth2 URLs in %s', (environment, extra, base) => {
		const c = new PaymentRevertQontoOAuth2Api();
		const data = NodeHelpers.getNodeParameters(c.properties, { environment, ...extra } as INodeParameters, true, false, null, null)!;
		const node: INode = { id: 'n', name: 'n', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: noNodeTypes });
		const resolved = workflow.expression.getComplexParameterValue(node, data, 'manual', {}, undefined, undefined, data) as Record<string, string>;
		expect(resolved.authUrl).toBe(`${base}/oauth2/auth`);
		expect(resolved.accessTokenUrl).toBe(`${base}/oauth2/token`);
	});

	it('Qonto API key: login:secret, staging header only off production, test on /v2/organization', async () => {
		const c = new PaymentRevertQontoApi();
		expect(c).toMatchObject({ name: 'paymentRevertQontoApi', displayName: 'Qonto API' });
		expect(fields(c.properties)).toEqual(['login', 'secretKey', 'environment', 'stagingToken', 'apiBaseUrl']);
		expect(password(c.properties, 'secretKey')).toBe(true);
		expect(password(c.properties, 'stagingToken')).toBe(true);
		const prod = await c.authenticate({ login: 'l', secretKey: 's', environment: 'production', stagingToken: 'st' }, { url: '/x' });
		expect(prod.headers).toEqual({ Authorization: 'l:s' });
		const sandbox = await c.authenticate({ login: 'l', secretKey: 's', environment: 'sandbox', stagingToken: 'st' }, { url: '/x' });
		expect(sandbox.headers).toEqual({ Authorization: 'l:s', 'X-Qonto-Staging-Token': 'st' });
		expect(c.test.request).toMatchObject({ url: '/v2/organization', method: 'GET' });
	});

	it('Contazen', () => {
		const c = new PaymentRevertContazenApi();
		expect(c).toMatchObject({ name: 'paymentRevertContazenApi', displayName: 'Contazen API' });
		expect(fields(c.properties)).toEqual(['apiKey', 'baseUrl']);
		expect(c.properties.find((p) => p.name === 'baseUrl')?.default).toBe('https://api.contazen.ro/v1');
		expect(password(c.properties, 'apiKey')).toBe(true);
		expect(c.authenticate).toEqual({ type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } } });
		expect(c.test.request).toMatchObject({ url: '/settings', method: 'GET' });
	});

	it('Wethod', () => {
		const c = new PaymentRevertWethodApi();
		expect(c).toMatchObject({ name: 'paymentRevertWethodApi', displayName: 'Wethod API' });
		expect(fields(c.properties)).toEqual(['accessToken', 'company', 'apiVersion', 'baseUrl']);
		expect(c.properties.find((p) => p.name === 'apiVersion')?.default).toBe('2024-06-15');
		expect(c.properties.find((p) => p.name === 'baseUrl')?.default).toBe('https://api.wethod.com');
		expect(password(c.properties, 'accessToken')).toBe(true);
		expect(Object.keys((c.authenticate.properties.headers ?? {}) as object)).toEqual(['Authorization', 'Wethod-Company', 'Wethod-Version']);
		expect(c.test.request).toMatchObject({ url: '/api/persons/me', method: 'GET' });
	});

	// n8n copies every key of test.request into the request it sends (RoutingNode) and stops at the
	// first answer when disableFollowRedirect is set (maxRedirects 0), in 1.x and 2.x alike; the
	// tester then fails on the 3xx with the rule's message. The e2e suite runs it in a real n8n.
	it.each([new PaymentRevertQontoApi(), new PaymentRevertContazenApi(), new PaymentRevertWethodApi()])(
		'$name: the test request follows no redirect, and a redirect fails the test saying so',
		(c) => {
			expect(c.test.request.disableFollowRedirect).toBe(true);
			const rules = (c.test.rules ?? []) as IAuthenticateRuleResponseCode[];
			expect(rules.map((r) => [r.type, r.properties.value])).toEqual([301, 302, 303, 307, 308].map((code) => ['responseCode', code]));
			for (const rule of rules) {
				expect(rule.properties.message).toMatch(new RegExp(`^The API answered with a redirect \\(HTTP ${rule.properties.value}\\).*not followed.*base URL`));
			}
		},
	);

	it.each([new PaymentRevertQontoOAuth2Api(), new PaymentRevertQontoApi(), new PaymentRevertContazenApi(), new PaymentRevertWethodApi()])('$name has an icon and a documentation URL', (c) => {
		expect(c.icon).toEqual({ light: expect.stringMatching(/^file:\.\.\/icons\/.+\.svg$/), dark: expect.stringMatching(/\.dark\.svg$/) });
		expect(c.documentationUrl).toMatch(/^https:\/\//);
	});
});

describe('package', () => {
	it('follows the community package rules', () => {
		expect(pkg.name).toBe('n8n-nodes-payment-revert');
		expect(pkg.license).toBe('MIT');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect((pkg as { dependencies?: object }).dependencies).toBeUndefined();
		for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish']) {
			expect(Object.keys(pkg.scripts)).not.toContain(script);
		}
		expect(pkg.n8n.nodes).toEqual(['dist/nodes/PaymentRevert/PaymentRevert.node.js']);
		expect(pkg.n8n.credentials).toHaveLength(4);
	});
});

describe('node versions', () => {
	const node = new PaymentRevert();
	it('version 1 stays for saved workflows; new nodes get version 2', () => {
		expect(Object.keys(node.nodeVersions).map(Number)).toEqual([1, 2]);
		expect(node.description.defaultVersion).toBe(2);
		expect(node.nodeVersions[1].description.version).toBe(1);
		expect(node.nodeVersions[2].description.version).toBe(2);
		for (const v of [1, 2]) expect(node.nodeVersions[v].description).toMatchObject({ name: 'paymentRevert', displayName: 'Payment Revert' });
	});
});
