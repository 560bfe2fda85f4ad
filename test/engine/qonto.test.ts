import nock from 'nock';

import { runNode } from '../harness/engine';
import {
	credentials,
	expectNoSecrets,
	QONTO_BASE,
	QONTO_ID,
	qontoInvoice,
	SECRETS,
	STAGING_TOKEN,
	useNock,
} from '../helpers';

const revert = (extra: Record<string, unknown> = {}) => ({
	provider: 'qonto',
	operation: 'revertPayment',
	invoiceId: QONTO_ID,
	...extra,
});

describe('Qonto supplier invoices, in the n8n engine', () => {
	useNock();

	it('reverts a paid invoice with OAuth2, keeping the erased payment in `previous`', async () => {
		const scope = nock(QONTO_BASE, { badheaders: ['x-qonto-staging-token'] })
			.matchHeader('authorization', `Bearer ${SECRETS[1]}`)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice() })
			.post(`/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`)
			.reply(200, qontoInvoice({ status: 'to_review', payment_date: null }), { 'x-request-id': 'req-123' });

		const result = await runNode({ parameters: revert(), credentials: credentials() });

		expect(scope.isDone()).toBe(true);
		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(1);
		expect(result.output[0].pairedItem).toEqual({ item: 0 });
		expect(result.output[0].json).toMatchObject({
			provider: 'qonto',
			operation: 'revertPayment',
			invoiceId: QONTO_ID,
			outcome: 'reverted',
			paid: false,
			status: 'to_review',
			paymentDate: null,
			previous: { status: 'paid', paymentDate: '2022-03-01', paymentAmount: 22.1 },
			invoiceNumber: 'QONTO-JAN-2022',
			amount: 22.1,
			currency: 'EUR',
			requestId: 'req-123',
			invoice: { id: QONTO_ID, status: 'to_review' },
		});
		expectNoSecrets(result.everything);
	});

	it('sends login:secret with the API key credential and accepts a wrapped unmark answer', async () => {
		const scope = nock(QONTO_BASE)
			.matchHeader('authorization', `acme-1234:${SECRETS[3]}`)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice() })
			.post(`/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`)
			.reply(200, { supplier_invoice: qontoInvoice({ status: 'to_review', payment_date: null }) });

		const result = await runNode({ parameters: revert({ authentication: 'apiKey' }), credentials: credentials() });

		expect(scope.isDone()).toBe(true);
		expect(result.output[0].json).toMatchObject({ outcome: 'reverted', status: 'to_review', paid: false });
	});

	it.each([
		['oAuth2', 'paymentRevertQontoOAuth2Api'],
		['apiKey', 'paymentRevertQontoApi'],
	])('in the sandbox sends X-Qonto-Staging-Token with %s', async (authentication, type) => {
		const creds = credentials();
		Object.assign(creds[type], { environment: 'sandbox', stagingToken: STAGING_TOKEN });
		const scope = nock('https://thirdparty-sandbox.staging.qonto.co')
			.matchHeader('x-qonto-staging-token', STAGING_TOKEN)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice() })
			.post(`/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`)
			.reply(200, qontoInvoice({ status: 'to_review', payment_date: null }));

		const result = await runNode({ parameters: revert({ authentication }), credentials: creds });

		expect(scope.isDone()).toBe(true);
		expect(result.output[0].json.outcome).toBe('reverted');
		expectNoSecrets(result.everything);
	});

	it('refuses a sandbox credential without staging token before sending anything', async () => {
		const creds = credentials();
		creds.paymentRevertQontoOAuth2Api.environment = 'sandbox';
		const result = await runNode({ parameters: revert(), credentials: creds, onError: 'continueRegularOutput' });
		expect(result.output[0].json.error).toMatchObject({ category: 'authentication', provider: 'qonto' });
		expect(String((result.output[0].json.error as { message: string }).message)).toMatch(/^Qonto: .*staging token/);
	});

	it('reports already_unpaid without writing when the invoice is not paid (safe re-run)', async () => {
		const scope = nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice({ status: 'to_review', payment_date: null }) });

		const result = await runNode({ parameters: revert(), credentials: credentials() });

		expect(scope.isDone()).toBe(true);
		expect(result.output[0].json).toMatchObject({
			outcome: 'already_unpaid',
			paid: false,
			status: 'to_review',
			previous: { status: 'to_review', paymentDate: null, paymentAmount: null },
		});
	});

	it('without capture, confirms a refused transition with a read: already_unpaid', async () => {
		const scope = nock(QONTO_BASE)
			.post(`/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`)
			.reply(400, { errors: [{ code: 'invalid_transition', detail: 'Invalid transition' }], trace_id: 't-1' })
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice({ status: 'to_review', payment_date: null }) });

		const result = await runNode({
			parameters: revert({ options: { capturePreviousState: false } }),
			credentials: credentials(),
		});

		expect(scope.isDone()).toBe(true);
		expect(result.output[0].json).toMatchObject({ outcome: 'already_unpaid', status: 'to_review' });
	});

	// SPEC Revision 2: the vendor refusing to revert a paid invoice is invalid_state (was validation).
	it('a 400 on a still-paid invoice is invalid_state carrying code, detail and trace id', async () => {
		nock(QONTO_BASE)
			.post(`/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`)
			.reply(400, { errors: [{ code: 'not_allowed', detail: 'Invoice is in an approval workflow' }], trace_id: 'trace-9' })
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice() });

		const result = await runNode({
			parameters: revert({ options: { capturePreviousState: false } }),
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});

		expect(result.output[0].json.error).toMatchObject({
			category: 'invalid_state',
			message: expect.stringMatching(/^Qonto: supplier invoice \S+ is still paid: Qonto refused to mark it unpaid \(HTTP 400\): Invoice is in an approval workflow$/),
			httpCode: '400',
			vendorCode: 'not_allowed',
			vendorMessage: 'Invoice is in an approval workflow',
			requestId: 'trace-9',
		});
	});

	it('fails with invalid_state when "If Not Paid" is Fail', async () => {
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice({ status: 'to_review', payment_date: null }) });

		const result = await runNode({ parameters: revert({ options: { ifNotPaid: 'fail' } }), credentials: credentials() });

		expect(result.error).toMatchObject({ context: { category: 'invalid_state', itemIndex: 0 } });
		expect(String(result.error?.message)).toMatch(/^Qonto: supplier invoice .* is not paid/);
	});

	it('dry run reads and writes nothing; Get Payment Status reads', async () => {
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.twice()
			.reply(200, { supplier_invoice: qontoInvoice() });

		const dry = await runNode({ parameters: revert({ options: { dryRun: true } }), credentials: credentials() });
		expect(dry.output[0].json).toMatchObject({ outcome: 'would_revert', paid: true, status: 'paid' });

		const status = await runNode({
			parameters: { provider: 'qonto', operation: 'getStatus', invoiceId: QONTO_ID },
			credentials: credentials(),
		});
		expect(status.output[0].json).toMatchObject({
			operation: 'getStatus',
			outcome: 'status',
			paid: true,
			paymentDate: '2022-03-01',
			previous: null,
		});
	});

	it('refreshes an expired OAuth2 token through n8n and retries once', async () => {
		const api = nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.matchHeader('authorization', `Bearer ${SECRETS[1]}`)
			.reply(401, { errors: [{ code: 'unauthorized', detail: 'Token expired' }] })
			// n8n 1.x hands the first 401 back; the node sends again so that n8n refreshes.
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.matchHeader('authorization', `Bearer ${SECRETS[1]}`)
			.optionally()
			.reply(401, { errors: [{ code: 'unauthorized', detail: 'Token expired' }] })
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.matchHeader('authorization', 'Bearer qonto-access-new')
			.reply(200, { supplier_invoice: qontoInvoice() })
			.post(`/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`)
			.matchHeader('authorization', 'Bearer qonto-access-new')
			.reply(200, qontoInvoice({ status: 'to_review', payment_date: null }));
		const oauth = nock('https://oauth.qonto.com')
			.post('/oauth2/token', (body: Record<string, string>) => body.grant_type === 'refresh_token' && body.refresh_token === SECRETS[2])
			.reply(200, { access_token: 'qonto-access-new', refresh_token: 'qonto-refresh-new', expires_in: 3600, token_type: 'bearer' });

		const result = await runNode({ parameters: revert(), credentials: credentials() });

		expect(oauth.isDone()).toBe(true);
		expect(api.isDone()).toBe(true);
		expect(result.output[0].json.outcome).toBe('reverted');
		expect(result.credentialUpdates[0].data.oauthTokenData).toMatchObject({ access_token: 'qonto-access-new' });
		expectNoSecrets(result.everything, ['qonto-access-new', 'qonto-refresh-new']);
	});

	// Found by the e2e suite on n8n 1.123.81: the request n8n 1.x resends after a refresh throws
	// without the body, so the 404 must be judged by its status, not as a non-JSON page.
	it('a 404 right after a token refresh is not_found', async () => {
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.times(2)
			.matchHeader('authorization', `Bearer ${SECRETS[1]}`)
			.reply(401, { errors: [{ code: 'unauthorized', detail: 'Token expired' }] })
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.matchHeader('authorization', 'Bearer qonto-access-new')
			.reply(404, { errors: [{ code: 'not_found', detail: 'Not found' }] });
		nock('https://oauth.qonto.com')
			.post('/oauth2/token')
			.reply(200, { access_token: 'qonto-access-new', refresh_token: 'qonto-refresh-new', expires_in: 3600, token_type: 'bearer' });

		const result = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });

		expect(result.output[0].json.error).toMatchObject({ category: 'not_found', httpCode: '404' });
		expectNoSecrets(result.everything, ['qonto-access-new', 'qonto-refresh-new']);
	});

	it('a token that stays refused: one refresh and a bounded number of calls (Qonto throttles 401s)', async () => {
		let apiCalls = 0;
		let tokenCalls = 0;
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.times(6)
			.reply(() => {
				apiCalls++;
				return [401, { errors: [{ code: 'unauthorized', detail: 'Unauthorized' }] }];
			});
		nock('https://oauth.qonto.com')
			.post('/oauth2/token')
			.times(3)
			.reply(() => {
				tokenCalls++;
				return [200, { access_token: 'still-bad', refresh_token: 'r2', expires_in: 3600, token_type: 'bearer' }];
			});
		const result = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(result.output[0].json.error).toMatchObject({ category: 'authentication', httpCode: '401' });
		expect(tokenCalls).toBe(1);
		// n8n 2.x: the call and its retry after the refresh (2). n8n 1.x: the 401 it hands back, the
		// call that makes it refresh, its retry, and n8n 1.x's own resend of a failed 401 (4).
		expect(apiCalls).toBeLessThanOrEqual(4);
	});

	it('maps a refused OAuth2 refresh to authentication', async () => {
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.times(2) // n8n 1.x: once handed back, once to refresh
			.reply(401, { errors: [{ code: 'unauthorized', detail: 'expired' }] });
		nock('https://oauth.qonto.com').post('/oauth2/token').reply(400, { error: 'invalid_grant' });

		const result = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });

		expect(result.output[0].json.error).toMatchObject({ category: 'authentication', provider: 'qonto' });
		expectNoSecrets(result.everything);
	});

	it('401 with the API key: authentication, sent once (Qonto throttles failed logins)', async () => {
		let calls = 0;
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.times(5)
			.reply(() => {
				calls++;
				return [401, { errors: [{ code: 'unauthorized', detail: 'Invalid credentials' }], trace_id: 'tr-401' }];
			});

		const result = await runNode({
			parameters: revert({ authentication: 'apiKey' }),
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});

		expect(calls).toBe(1);
		expect(result.output[0].json.error).toMatchObject({
			category: 'authentication',
			httpCode: '401',
			vendorCode: 'unauthorized',
			requestId: 'tr-401',
		});
	});

	it('403 names the missing scope', async () => {
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice() })
			.post(`/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`)
			.reply(403, { errors: [{ code: 'forbidden', detail: 'missing required oauth scope' }] });

		const result = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });

		const error = result.output[0].json.error as Record<string, string>;
		expect(error.category).toBe('permission');
		expect(error.message).toMatch(/supplier_invoice\.write/);
	});

	it('404 (JSON or the gateway text page) is not_found / unexpected_response', async () => {
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(404, { errors: [{ code: 'not_found', detail: 'Not found' }], trace_id: 'tr-404' });
		const json = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(json.output[0].json.error).toMatchObject({ category: 'not_found', httpCode: '404', requestId: 'tr-404' });

		nock(QONTO_BASE).get(`/v2/supplier_invoices/${QONTO_ID}`).reply(404, 'Not Found', { 'content-type': 'text/plain' });
		const text = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(text.output[0].json.error).toMatchObject({ category: 'unexpected_response', vendorMessage: 'Not Found' });
	});

	it('an HTML login page (sandbox gate) or a redirect is unexpected_response, and the redirect is not followed', async () => {
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, '<html><head><title>Sign in - OneLogin</title></head><body></body></html>', { 'content-type': 'text/html' });
		const html = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(html.output[0].json.error).toMatchObject({ category: 'unexpected_response', vendorMessage: 'Sign in - OneLogin' });

		const login = nock('https://qonto.onelogin.com').get('/login').reply(200, 'login page');
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(302, '', { location: 'https://qonto.onelogin.com/login' });
		const redirect = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(redirect.output[0].json.error).toMatchObject({ category: 'unexpected_response', httpCode: '302' });
		expect(login.isDone()).toBe(false);
	});

	it.each(['', '   ', 'not-a-uuid', '4d5418bb-bd0d-4df4-865c', '4d5418bb-bd0d-4df4-865c-c07afab8bb48/../x', null])(
		'refuses the malformed ID %j without any request',
		async (id) => {
			const result = await runNode({
				parameters: revert({ invoiceId: '={{ $json.id }}' }),
				items: [{ id }],
				credentials: credentials(),
				onError: 'continueRegularOutput',
			});
			// disableNetConnect: a request would have become a network error instead.
			expect(result.output[0].json.error).toMatchObject({ category: 'invalid_input', provider: 'qonto', httpCode: null });
			expect(String((result.output[0].json.error as { message: string }).message)).toMatch(/^Qonto: /);
		},
	);

	it('trims the ID and accepts upper-case UUIDs', async () => {
		const upper = QONTO_ID.toUpperCase();
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${upper}`)
			.reply(200, { supplier_invoice: qontoInvoice({ status: 'to_review', payment_date: null }) });
		const result = await runNode({ parameters: revert({ invoiceId: `  ${upper}\n` }), credentials: credentials() });
		expect(result.output[0].json).toMatchObject({ invoiceId: upper, outcome: 'already_unpaid' });
	});
});
