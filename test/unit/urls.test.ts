/**
 * One base-URL rule: the node's check (safeBaseUrl, used when a connection opens) and the
 * credentials' n8n expressions (credential test requests, OAuth2 authorization and token URLs)
 * give the same verdict on every case of one table (test/fixtures/base-urls.json). The
 * expressions run in n8n-workflow's expression engine here (the legacy one); the e2e suite runs
 * the same table through n8n 2.x's vm engine and n8n 1.x's (test/e2e/expressions.js).
 */
import type { ICredentialDataDecryptedObject, INode, INodeParameters } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { PaymentRevertContazenApi } from '../../credentials/PaymentRevertContazenApi.credentials';
import { PaymentRevertQontoApi } from '../../credentials/PaymentRevertQontoApi.credentials';
import { PaymentRevertQontoOAuth2Api } from '../../credentials/PaymentRevertQontoOAuth2Api.credentials';
import { PaymentRevertWethodApi } from '../../credentials/PaymentRevertWethodApi.credentials';
import { REFUSED_URL, safeBaseUrl } from '../../credentials/urlGuard';
import { providers } from '../../nodes/PaymentRevert/providers';
import table from '../fixtures/base-urls.json';

const CASES = table.cases as Array<[string, string | null]>;
const noNodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as never;
const node: INode = { id: 'n', name: 'n', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} };
const workflow = () => new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: noNodeTypes });

/** A credential test request's base URL, resolved as n8n's RoutingNode resolves it. */
function testBaseUrl(credential: { test: { request: { baseURL?: string } } }, data: Record<string, unknown>): unknown {
	return workflow().expression.getSimpleParameterValue(node, credential.test.request.baseURL!, 'internal', { $credentials: data } as never);
}

/** The OAuth2 credential's hidden URLs, resolved as n8n resolves credential data ($self). */
function oauthUrls(oauthBaseUrl: string): Record<string, string> {
	const properties = new PaymentRevertQontoOAuth2Api().properties;
	const data = NodeHelpers.getNodeParameters(properties, { environment: 'custom', oauthBaseUrl } as INodeParameters, true, false, null, null)!;
	return workflow().expression.getComplexParameterValue(node, data, 'internal', {}, undefined, undefined, data) as Record<string, string>;
}

describe.each(CASES)('%j', (input, expected) => {
	const used = expected ?? REFUSED_URL;

	it(`the node ${expected === null ? 'refuses it' : 'uses it'}`, () => {
		expect(safeBaseUrl(input) ?? null).toBe(expected);
	});

	it('as each credential base URL, the node opens the same URL', () => {
		// Connection.open: provider.baseUrl(credentials), then safeBaseUrl
		const base = (id: keyof typeof providers, data: ICredentialDataDecryptedObject) => safeBaseUrl(providers[id].baseUrl(data)) ?? null;
		expect(base('qonto', { environment: 'custom', apiBaseUrl: input })).toBe(expected);
		if (input !== '') {
			expect(base('contazen', { baseUrl: input })).toBe(expected);
			expect(base('wethod', { baseUrl: input })).toBe(expected);
		}
	});

	it('the credential tests send to the same URL (or to one that never resolves)', () => {
		expect(testBaseUrl(new PaymentRevertQontoApi(), { environment: 'custom', apiBaseUrl: input })).toBe(used);
		if (input !== '') {
			expect(testBaseUrl(new PaymentRevertContazenApi(), { baseUrl: input })).toBe(used);
			expect(testBaseUrl(new PaymentRevertWethodApi(), { baseUrl: input })).toBe(used);
		}
	});

	it('the OAuth2 authorization and token URLs follow the same rule', () => {
		expect(oauthUrls(input)).toMatchObject({ authUrl: `${used}/oauth2/auth`, accessTokenUrl: `${used}/oauth2/token` });
	});
});

describe('defaults', () => {
	it('an empty Contazen or Wethod base URL is the vendor', () => {
		expect(testBaseUrl(new PaymentRevertContazenApi(), { baseUrl: '' })).toBe('https://api.contazen.ro/v1');
		expect(testBaseUrl(new PaymentRevertWethodApi(), { baseUrl: '' })).toBe('https://api.wethod.com');
		expect(safeBaseUrl(providers.contazen.baseUrl({ baseUrl: '' }))).toBe('https://api.contazen.ro/v1');
		expect(safeBaseUrl(providers.wethod.baseUrl({ baseUrl: '' }))).toBe('https://api.wethod.com');
	});

	it('Qonto production and sandbox are fixed hosts', () => {
		expect(testBaseUrl(new PaymentRevertQontoApi(), { environment: 'production', apiBaseUrl: 'http://evil.example' })).toBe('https://thirdparty.qonto.com');
		expect(testBaseUrl(new PaymentRevertQontoApi(), { environment: 'sandbox' })).toBe('https://thirdparty-sandbox.staging.qonto.co');
		expect(safeBaseUrl(providers.qonto.baseUrl({ environment: 'sandbox', apiBaseUrl: 'http://evil.example' }))).toBe(
			'https://thirdparty-sandbox.staging.qonto.co',
		);
	});
});
