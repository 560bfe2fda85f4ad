'use strict';
/**
 * What the demo (and the e2e suite, which runs the same example workflows) puts in the fakes and in
 * n8n: paid invoices to revert, one already unpaid, ones that fail for a reason worth showing, and
 * credentials pointing at the fakes. The invoice IDs are the ones in examples/*.json.
 */

const fixture = require('../../test/fixtures/credentials.json');

/**
 * The fake secrets: the test fixtures' (test/fixtures/credentials.json, one place for them). The
 * demo's Qonto access token is expired from the start, so that n8n must refresh it.
 */
const FAKE_SECRETS = {
	qontoClientId: fixture.paymentRevertQontoOAuth2Api.clientId,
	qontoClientSecret: fixture.paymentRevertQontoOAuth2Api.clientSecret,
	qontoExpiredAccessToken: fixture.paymentRevertQontoOAuth2Api.oauthTokenData.access_token,
	qontoRefreshToken: fixture.paymentRevertQontoOAuth2Api.oauthTokenData.refresh_token,
	qontoLogin: fixture.paymentRevertQontoApi.login,
	qontoSecretKey: fixture.paymentRevertQontoApi.secretKey,
	contazenApiKey: fixture.paymentRevertContazenApi.apiKey,
	wethodToken: fixture.paymentRevertWethodApi.accessToken,
};
const WETHOD = { company: fixture.paymentRevertWethodApi.company, apiVersion: fixture.paymentRevertWethodApi.apiVersion };

/** Fakes configuration matching the credentials below. */
function fakesConfig() {
	return {
		qonto: {
			logins: { [FAKE_SECRETS.qontoLogin]: FAKE_SECRETS.qontoSecretKey },
			// the access token stored in n8n expired at the start of the fake clock: n8n must refresh it
			accessTokens: [{ token: FAKE_SECRETS.qontoExpiredAccessToken, expiresAt: 0 }],
			refreshTokens: { [FAKE_SECRETS.qontoRefreshToken]: true },
			clientId: FAKE_SECRETS.qontoClientId,
			clientSecret: FAKE_SECRETS.qontoClientSecret,
		},
		contazen: { apiKeys: [FAKE_SECRETS.contazenApiKey] },
		wethod: { tokens: [FAKE_SECRETS.wethodToken], company: WETHOD.company, versions: [WETHOD.apiVersion] },
	};
}

const SEEDS = [
	// Qonto: two bounced transfers, one invoice already back in review, one ID Qonto does not know
	{ vendor: 'qonto', id: '4d5418bb-bd0d-4df4-865c-c07afab8bb48', overrides: { invoice_number: 'QONTO-2026-0141', supplier_name: 'Papeterie Martin' } },
	{ vendor: 'qonto', id: '7c0f7c51-2b55-4f0e-9a7e-0d1b5e3c9a20', overrides: { invoice_number: 'QONTO-2026-0142', supplier_name: 'Cloudhost SAS', total_amount: { value: '89.00', currency: 'EUR' } } },
	{ vendor: 'qonto', id: '9a1c5c2e-7c55-4c3b-9d6b-2f0e8f1d2a11', overrides: { invoice_number: 'QONTO-2026-0143', status: 'to_review', payment_date: null } },
	// Contazen: a paid bill, a partly paid one, one in a closed accounting period
	{ vendor: 'contazen', id: 'sbill_demo0001', overrides: { invoice_number: 'FZ-2026-0311' } },
	{
		vendor: 'contazen',
		id: 'sbill_demo0002',
		overrides: {
			invoice_number: 'FZ-2026-0312',
			status: 'partial',
			payment_amount: 500,
			amounts: { tax_exclusive: 1000, tax: 190, tax_inclusive: 1190, paid: 500, unpaid: 690 },
		},
	},
	{ vendor: 'contazen', id: 'sbill_demo0003', overrides: { invoice_number: 'FZ-2026-0313', locked: true } },
	// Wethod: a paid invoice, one already sent (unpaid), and (in the workflow) a malformed ID
	{ vendor: 'wethod', id: '1042', overrides: { invoice_number: 'INV-2026-042' } },
	{ vendor: 'wethod', id: '1043', overrides: { invoice_number: 'INV-2026-043', status: 'sent', payment_date: null } },
	{ vendor: 'wethod', id: '1044', overrides: { invoice_number: 'INV-2026-044' } },
];

const CREDENTIAL_IDS = {
	paymentRevertQontoOAuth2Api: 'demoQontoOAuth21',
	paymentRevertQontoApi: 'demoQontoApiKey1',
	paymentRevertContazenApi: 'demoContazenKey1',
	paymentRevertWethodApi: 'demoWethodToken1',
};

/** The four credentials, one per type, pointing at the fakes on `url`. */
function credentials(url) {
	return [
		{
			id: CREDENTIAL_IDS.paymentRevertQontoOAuth2Api,
			name: 'Qonto OAuth2 (local fake)',
			type: 'paymentRevertQontoOAuth2Api',
			data: {
				environment: 'custom',
				apiBaseUrl: `${url}/qonto`,
				oauthBaseUrl: `${url}/qonto-oauth`,
				clientId: FAKE_SECRETS.qontoClientId,
				clientSecret: FAKE_SECRETS.qontoClientSecret,
				oauthTokenData: {
					access_token: FAKE_SECRETS.qontoExpiredAccessToken,
					refresh_token: FAKE_SECRETS.qontoRefreshToken,
					token_type: 'Bearer',
					expires_in: 3600,
				},
			},
		},
		{
			id: CREDENTIAL_IDS.paymentRevertQontoApi,
			name: 'Qonto API key (local fake)',
			type: 'paymentRevertQontoApi',
			data: { login: FAKE_SECRETS.qontoLogin, secretKey: FAKE_SECRETS.qontoSecretKey, environment: 'custom', apiBaseUrl: `${url}/qonto` },
		},
		{
			id: CREDENTIAL_IDS.paymentRevertContazenApi,
			name: 'Contazen (local fake)',
			type: 'paymentRevertContazenApi',
			data: { apiKey: FAKE_SECRETS.contazenApiKey, baseUrl: `${url}/contazen/v1` },
		},
		{
			id: CREDENTIAL_IDS.paymentRevertWethodApi,
			name: 'Wethod (local fake)',
			type: 'paymentRevertWethodApi',
			data: { accessToken: FAKE_SECRETS.wethodToken, ...WETHOD, baseUrl: `${url}/wethod` },
		},
	];
}

module.exports = { FAKE_SECRETS, SEEDS, CREDENTIAL_IDS, credentials, fakesConfig };
