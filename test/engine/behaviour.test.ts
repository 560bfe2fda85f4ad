import nock from 'nock';

import { runNode } from '../harness/engine';
import {
	CONTAZEN_BASE,
	contazenBill,
	contazenEnvelope,
	credentials,
	expectNoSecrets,
	QONTO_BASE,
	QONTO_ID,
	qontoInvoice,
	SECRETS,
	WETHOD_BASE,
	wethodInvoice,
	useNock,
} from '../helpers';

const byId = (id: string) => ({ provider: 'wethod', operation: 'revertPayment', invoiceId: id });

describe('item handling, errors and safety, in the n8n engine', () => {
	useNock();

	const mixedBatch = () => {
		nock(WETHOD_BASE)
			.get('/api/invoices/1')
			.reply(200, wethodInvoice({ id: 1 }))
			.post('/api/invoices/1:set-unpaid')
			.reply(200, wethodInvoice({ id: 1, status: 'sent', payment_date: null }))
			.get('/api/invoices/2')
			.reply(404, { key: 'not_found', message: 'Invoice not found' })
			.get('/api/invoices/4')
			.reply(200, wethodInvoice({ id: 4, status: 'sent', payment_date: null }));
		return [{ id: '1' }, { id: '2' }, { id: 'x3' }, { id: '4' }];
	};

	it('Continue (regular output): one item per input, in order, with pairedItem and `error` as the only key', async () => {
		const items = mixedBatch();
		const result = await runNode({
			parameters: byId('={{ $json.id }}'),
			items,
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(result.error).toBeUndefined();
		expect(result.output.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(result.output[0].json.outcome).toBe('reverted');
		expect(Object.keys(result.output[1].json)).toEqual(['error']);
		expect(result.output[1].json.error).toEqual({
			message: expect.stringMatching(/^Wethod: invoice 2 was not found/),
			description: 'Category: not_found · Vendor code: not_found · Vendor message: Invoice not found',
			category: 'not_found',
			httpCode: '404',
			provider: 'wethod',
			invoiceId: '2',
			vendorCode: 'not_found',
			vendorMessage: 'Invoice not found',
			requestId: null,
		});
		expect(result.output[2].json.error).toMatchObject({ category: 'invalid_input', invoiceId: 'x3', httpCode: null });
		expect(result.output[3].json.outcome).toBe('already_unpaid');
	});

	it('Continue (using error output): successes on output 0, failures on output 1, both paired', async () => {
		const items = mixedBatch();
		const result = await runNode({
			parameters: byId('={{ $json.id }}'),
			items,
			credentials: credentials(),
			onError: 'continueErrorOutput',
		});
		expect(result.output.map((i) => [i.pairedItem, i.json.outcome])).toEqual([
			[{ item: 0 }, 'reverted'],
			[{ item: 3 }, 'already_unpaid'],
		]);
		expect(result.errorOutput.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		// n8n merges the input item back in; our details stay intact under `error`.
		expect(result.errorOutput[0].json).toMatchObject({ id: '2', error: { category: 'not_found', invoiceId: '2' } });
		expect(result.errorOutput[1].json).toMatchObject({ id: 'x3', error: { category: 'invalid_input' } });
	});

	it('Stop: the workflow fails with the item index; message and category as in the error item', async () => {
		const items = mixedBatch();
		const result = await runNode({ parameters: byId('={{ $json.id }}'), items, credentials: credentials() });
		expect(result.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: '404',
			context: { itemIndex: 1, category: 'not_found', provider: 'wethod', invoiceId: '2' },
		});
		expect(result.error?.message).toMatch(/^Wethod: invoice 2 was not found/);
		expect(result.error?.description).toMatch(/Vendor code: not_found/);
	});

	it('Stop on bad input: NodeOperationError naming the item, no request', async () => {
		const result = await runNode({
			parameters: byId('={{ $json.id }}'),
			items: [{ id: 'abc' }],
			credentials: credentials(),
		});
		expect(result.error).toMatchObject({ name: 'NodeOperationError', context: { itemIndex: 0, category: 'invalid_input' } });
		expect(result.error?.message).toBe('Wethod: "abc" is not a valid invoice ID; expected a positive whole number such as 1042');
	});

	it('an Invoice ID expression that cannot be resolved is invalid_input for that item only', async () => {
		nock(WETHOD_BASE).get('/api/invoices/5').reply(200, wethodInvoice({ id: 5, status: 'sent', payment_date: null }));
		const result = await runNode({
			parameters: byId('={{ $json.id ?? $("Missing Node").item.json.id }}'),
			items: [{ id: '5' }, {}],
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(result.output[0].json.outcome).toBe('already_unpaid');
		expect(result.output[1].json.error).toMatchObject({ category: 'invalid_input', provider: 'wethod' });
		expect((result.output[1].json.error as { message: string }).message).toMatch(/^Wethod: the "invoiceId" parameter could not be read/);
	});

	it('keeps input order with several items in flight', async () => {
		const ids = Array.from({ length: 12 }, (_, i) => String(i + 1));
		for (const id of ids) {
			nock(WETHOD_BASE)
				.get(`/api/invoices/${id}`)
				.delay(((Number(id) * 7) % 5) * 15)
				.reply(200, wethodInvoice({ id: Number(id), status: 'sent', payment_date: null }));
		}
		const result = await runNode({
			parameters: { ...byId('={{ $json.id }}'), options: { concurrency: 4 } },
			items: ids.map((id) => ({ id })),
			credentials: credentials(),
		});
		expect(result.output.map((i) => i.json.invoiceId)).toEqual(ids);
		expect(result.output.map((i) => (i.pairedItem as { item: number }).item)).toEqual(ids.map((_, i) => i));
	});

	// Connection resets and hangs are injected by the local fakes (fakes.test.ts): nock's
	// replyWithError does not reach n8n 2.x's HTTP agents.
	it('retries 503, then succeeds', async () => {
		const scope = nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(503, { errors: [{ code: 'unavailable', detail: 'Service Unavailable' }] }, { 'retry-after': '0' })
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice({ status: 'to_review', payment_date: null }) });
		const result = await runNode({
			parameters: { provider: 'qonto', operation: 'getStatus', invoiceId: QONTO_ID },
			credentials: credentials(),
		});
		expect(scope.isDone()).toBe(true);
		expect(result.output[0].json).toMatchObject({ outcome: 'status', status: 'to_review' });
	});

	it('gives up after Max Retries: vendor_error for 5xx', async () => {
		let calls = 0;
		nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.times(3)
			.reply(() => {
				calls++;
				return [502, { errors: [{ code: 'bad_gateway', detail: 'Bad gateway' }] }, { 'retry-after': '0' }];
			});
		const fiveHundred = await runNode({
			parameters: { provider: 'qonto', operation: 'getStatus', invoiceId: QONTO_ID, options: { maxRetries: 2 } },
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(calls).toBe(3);
		expect(fiveHundred.output[0].json.error).toMatchObject({ category: 'vendor_error', httpCode: '502' });
	});

	it('a 503 asking to wait longer than Max Retry Wait stops at once as rate_limited', async () => {
		let calls = 0;
		nock(WETHOD_BASE)
			.get('/api/invoices/42')
			.times(3)
			.reply(() => {
				calls++;
				return [503, { key: 'maintenance', message: 'Back soon' }, { 'retry-after': '120' }];
			});
		const result = await runNode({
			parameters: { ...byId('42'), options: { maxRetryWaitSeconds: 60 } },
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(calls).toBe(1);
		expect(result.output[0].json.error).toMatchObject({ category: 'rate_limited', httpCode: '503', retryAfterSeconds: 120 });
	});

	it('applies the per-request timeout', async () => {
		nock(WETHOD_BASE).get('/api/invoices/42').delay(2500).reply(200, wethodInvoice());
		const result = await runNode({
			parameters: { ...byId('42'), options: { timeoutSeconds: 1, maxRetries: 0 } },
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		const error = result.output[0].json.error as Record<string, string>;
		expect(error.category).toBe('network');
		expect(error.message).toMatch(/no answer in time/);
	});

	it('an unknown write result refused on retry and confirmed unpaid by a read is `reverted`', async () => {
		const scope = nock(QONTO_BASE)
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice() })
			.post(`/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`)
			.reply(504, 'Gateway Timeout', { 'content-type': 'text/plain', 'retry-after': '0' })
			.post(`/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`)
			.reply(400, { errors: [{ code: 'invalid_transition', detail: 'Invoice is not paid' }] })
			.get(`/v2/supplier_invoices/${QONTO_ID}`)
			.reply(200, { supplier_invoice: qontoInvoice({ status: 'to_review', payment_date: null }) });
		const result = await runNode({
			parameters: { provider: 'qonto', operation: 'revertPayment', invoiceId: QONTO_ID },
			credentials: credentials(),
		});
		expect(scope.isDone()).toBe(true);
		expect(result.output[0].json).toMatchObject({
			outcome: 'reverted',
			status: 'to_review',
			previous: { status: 'paid' },
		});
	});

	it('never follows a redirect on a write', async () => {
		const target = nock('https://evil.example').post(/.*/).reply(200, {});
		nock(CONTAZEN_BASE)
			.post('/v1/supplier-bills/sbill_1/mark-unpaid')
			.reply(307, '', { location: 'https://evil.example/steal' });
		const result = await runNode({
			parameters: { provider: 'contazen', operation: 'revertPayment', invoiceId: 'sbill_1' },
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(target.isDone()).toBe(false);
		expect(result.output[0].json.error).toMatchObject({ category: 'unexpected_response', httpCode: '307' });
	});

	it.each([
		['http://api.example.com', false],
		['ftp://127.0.0.1/v1', false],
		['https://user:pw@api.example.com', false],
		['https://api.example.com/v1?key=pw', false],
		['http://127.0.0.1:9/v1', true],
		['http://localhost:9/v1', true],
		['https://contazen-proxy.example.com/v1/', true],
	])('credential base URL %s allowed: %s', async (baseUrl, allowed) => {
		const creds = credentials();
		creds.paymentRevertContazenApi.baseUrl = baseUrl;
		const origin = new URL(baseUrl.replace(/^ftp:/, 'http:')).origin;
		const scope = nock(origin)
			.post('/v1/supplier-bills/sbill_1/mark-unpaid')
			.reply(200, contazenEnvelope(contazenBill({ id: 'sbill_1' })));
		const result = await runNode({
			parameters: { provider: 'contazen', operation: 'revertPayment', invoiceId: 'sbill_1' },
			credentials: creds,
			onError: 'continueRegularOutput',
		});
		expect(scope.isDone()).toBe(allowed);
		if (allowed) expect(result.output[0].json.outcome).toBe('reverted');
		else expect(result.output[0].json.error).toMatchObject({ category: 'authentication' });
		expect(result.everything).not.toMatch(/:pw@|key=pw/);
	});

	it.each([
		['a JSON array', [1, 2, 3]],
		['an object of another shape', { foo: 'bar' }],
		['a plain text', 'upstream connect error'],
		['malformed JSON', '{"errors": ['],
		['an empty body', ''],
	])('a 400 with %s still gives a clear error', async (_label, body) => {
		nock(CONTAZEN_BASE).post('/v1/supplier-bills/sbill_1/mark-unpaid').reply(400, body as never);
		const result = await runNode({
			parameters: { provider: 'contazen', operation: 'revertPayment', invoiceId: 'sbill_1' },
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		const error = result.output[0].json.error as Record<string, string>;
		expect(['validation', 'unexpected_response']).toContain(error.category);
		expect(error.message).toMatch(/^Contazen: .*HTTP 400/);
		expect(error.httpCode).toBe('400');
	});

	it('a 200 with HTML instead of JSON is unexpected_response', async () => {
		nock(CONTAZEN_BASE)
			.post('/v1/supplier-bills/sbill_1/mark-unpaid')
			.reply(200, '<!doctype html><html><head><title>Maintenance</title></head></html>', { 'content-type': 'text/html' });
		const result = await runNode({
			parameters: { provider: 'contazen', operation: 'revertPayment', invoiceId: 'sbill_1' },
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(result.output[0].json.error).toMatchObject({ category: 'unexpected_response', vendorMessage: 'Maintenance' });
	});

	describe('secrets never leave the node', () => {
		// Vendors that echo what they received, in bodies and headers: the worst case.
		it.each([
			['qonto', 'oAuth2', SECRETS[1]],
			['qonto', 'apiKey', SECRETS[3]],
			['contazen', '', SECRETS[4]],
			['wethod', '', SECRETS[5]],
		])('%s %s: not in outputs, errors, messages or descriptions', async (provider, authentication, secret) => {
			const echo = (status: number) =>
				function (this: { req: { headers: Record<string, string> } }) {
					const auth = this.req.headers.authorization;
					return [
						status,
						{
							errors: [{ code: 'echo', detail: `Rejected ${auth}` }],
							error: { message: `bad key ${secret}`, code: secret },
							key: secret,
							message: `token ${secret} refused`,
							trace_id: secret,
						},
						{ 'x-request-id': secret },
					] as [number, object, Record<string, string>];
				};
			const base = provider === 'qonto' ? QONTO_BASE : provider === 'contazen' ? CONTAZEN_BASE : WETHOD_BASE;
			nock(base).get(/.*/).times(10).reply(echo(403)).post(/.*/).times(10).reply(echo(400));
			if (provider === 'qonto' && authentication === 'oAuth2') nock('https://oauth.qonto.com').post('/oauth2/token').reply(400, {});
			const id = provider === 'qonto' ? QONTO_ID : provider === 'contazen' ? 'sbill_1' : '42';
			for (const onError of ['continueRegularOutput', 'continueErrorOutput', undefined] as const) {
				const result = await runNode({
					parameters: { provider, authentication, operation: 'revertPayment', invoiceId: id },
					credentials: credentials(),
					onError,
				});
				expect(result.output.length + result.errorOutput.length + (result.error ? 1 : 0)).toBeGreaterThan(0);
				expectNoSecrets(result.everything);
			}
		});

		it('a successful answer that carries a secret is redacted too', async () => {
			nock(CONTAZEN_BASE)
				.post('/v1/supplier-bills/sbill_1/mark-unpaid')
				.reply(200, contazenEnvelope(contazenBill({ id: 'sbill_1', note: `paid with ${SECRETS[4]}` })));
			const result = await runNode({
				parameters: { provider: 'contazen', operation: 'revertPayment', invoiceId: 'sbill_1' },
				credentials: credentials(),
			});
			expect(result.output[0].json.invoice).toMatchObject({ note: 'paid with [redacted]' });
			expectNoSecrets(result.everything);
		});
	});
});
