import type Nock from 'nock';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { contazenSuccess, invoiceOf } from './fakes/server';
import fixture from './fixtures/credentials.json';

export const QONTO_ID = '4d5418bb-bd0d-4df4-865c-c07afab8bb48';
export const QONTO_ID_2 = '9a1c5c2e-7c55-4c3b-9d6b-2f0e8f1d2a11';
export const QONTO_BASE = 'https://thirdparty.qonto.com';
export const CONTAZEN_BASE = 'https://api.contazen.ro';
export const WETHOD_BASE = 'https://api.wethod.com';

/** Fresh copies, so a test may change them. */
export function credentials(): Record<string, ICredentialDataDecryptedObject> {
	const copy = structuredClone(fixture) as Record<string, unknown>;
	delete copy.stagingToken;
	delete copy.notAContazenKey;
	return copy as Record<string, ICredentialDataDecryptedObject>;
}

export const STAGING_TOKEN = fixture.stagingToken;

/** The fixtures' credentials pointed at a running `test/fakes/server.js`. */
export function fakeCredentials(url: string): Record<string, ICredentialDataDecryptedObject> {
	const creds = credentials();
	Object.assign(creds.paymentRevertQontoApi, { environment: 'custom', apiBaseUrl: `${url}/qonto`, stagingToken: STAGING_TOKEN });
	Object.assign(creds.paymentRevertQontoOAuth2Api, {
		environment: 'custom',
		apiBaseUrl: `${url}/qonto`,
		oauthBaseUrl: `${url}/qonto-oauth`,
		stagingToken: STAGING_TOKEN,
	});
	creds.paymentRevertContazenApi.baseUrl = `${url}/contazen/v1`;
	creds.paymentRevertWethodApi.baseUrl = `${url}/wethod`;
	return creds;
}
export const NOT_A_CONTAZEN_KEY = fixture.notAContazenKey;

/** Every secret value of the fixtures: none may appear in any output, message or description. */
export const SECRETS = [
	fixture.paymentRevertQontoOAuth2Api.clientSecret,
	fixture.paymentRevertQontoOAuth2Api.oauthTokenData.access_token,
	fixture.paymentRevertQontoOAuth2Api.oauthTokenData.refresh_token,
	fixture.paymentRevertQontoApi.secretKey,
	fixture.paymentRevertContazenApi.apiKey,
	fixture.paymentRevertWethodApi.accessToken,
	fixture.stagingToken,
];

/** Fakes that accept the fixtures' secrets, with no rate limit unless a test sets one. */
export const FAKES_CONFIG = {
	qonto: { logins: { [fixture.paymentRevertQontoApi.login]: SECRETS[3] }, accessTokens: [SECRETS[1]], stagingToken: STAGING_TOKEN },
	contazen: { apiKeys: [SECRETS[4]], rateLimit: null },
	wethod: { tokens: [SECRETS[5]] },
};

export function expectNoSecrets(text: string, extra: string[] = []): void {
	for (const secret of [...SECRETS, ...extra, 'SEKRET']) {
		expect(text).not.toContain(secret);
	}
}

/*
 * The vendors' invoices and envelopes, as the fakes build them (test/fakes/server.js holds the
 * vendors' shapes, once); what follows are only the values these tests expect to see again.
 */

export function qontoInvoice(overrides: Record<string, unknown> = {}): IDataObject {
	return <IDataObject>invoiceOf('qonto', QONTO_ID, {
		status: 'paid',
		invoice_number: 'QONTO-JAN-2022',
		supplier_name: "McDonald's",
		total_amount: { value: '22.10', currency: 'EUR' },
		issue_date: '2022-03-01',
		payment_date: '2022-03-01',
		...overrides,
	});
}

export function contazenBill(overrides: Record<string, unknown> = {}): IDataObject {
	return <IDataObject>invoiceOf('contazen', 'sbill_abc123', {
		invoice_number: 'F-2026-17',
		amounts: { tax_exclusive: 100, tax: 19, tax_inclusive: 119, paid: 0, unpaid: 119 },
		status: 'unpaid',
		payment_date: null,
		payment_amount: null,
		expense_id: 'exp_abc123',
		created_at: 1790000000,
		updated_at: 1790000100,
		...overrides,
	});
}

export function contazenEnvelope(bill: Record<string, unknown>) {
	return contazenSuccess({ supplier_bill: bill, message: 'Supplier bill marked as unpaid' }, '3c90c3cc-0d44-4b50-8888-8dd25736052a');
}

export function wethodInvoice(overrides: Record<string, unknown> = {}): IDataObject {
	return <IDataObject>invoiceOf('wethod', 42, {
		created_at: '2026-03-10T18:18:59.457Z',
		updated_at: '2026-03-10T18:18:59.457Z',
		status: 'paid',
		invoice_number: 'INV-2024-001',
		value: 1000,
		issue_date: '2024-06-15',
		payment_date: '2024-07-01',
		...overrides,
	});
}

/**
 * nock for one test file: no real network, clean between tests, and restored afterwards so that
 * files using real local servers in the same jest worker are not intercepted. Loaded here only
 * when used: requiring nock intercepts every request of the process at once (through mock
 * sockets whose timeout runs from the start, not from the last byte), so a file that merely
 * imports these helpers would not talk to the local fakes over real sockets.
 */
export function useNock(): void {
	let nock: typeof Nock;
	beforeAll(async () => {
		nock = (await import('nock')).default;
		if (!nock.isActive()) nock.activate();
		nock.disableNetConnect();
	});
	afterEach(() => nock.cleanAll());
	afterAll(() => {
		nock.cleanAll();
		nock.enableNetConnect();
		nock.restore();
	});
}
