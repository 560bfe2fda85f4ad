import nock from 'nock';

import { runNode } from '../harness/engine';
import { CONTAZEN_BASE, contazenBill, contazenEnvelope, credentials, expectNoSecrets, NOT_A_CONTAZEN_KEY, SECRETS, useNock } from '../helpers';

const BILL = 'sbill_abc123';
const PATH = `/v1/supplier-bills/${BILL}/mark-unpaid`;
const revert = (extra: Record<string, unknown> = {}) => ({
	provider: 'contazen',
	operation: 'revertPayment',
	invoiceId: BILL,
	...extra,
});
const czError = (status: number, type: string, code: string, message: string, extra = {}) => ({
	success: false,
	error: { message, type, code, status, ...extra },
	meta: { version: 'v1', response_time: '2.3ms' },
});

describe('Contazen supplier bills, in the n8n engine', () => {
	useNock();

	it('reverts a bill with the Bearer key and names the linked expense it also flipped', async () => {
		const scope = nock(CONTAZEN_BASE)
			.matchHeader('authorization', `Bearer ${SECRETS[4]}`)
			.matchHeader('accept', 'application/json')
			.post(PATH)
			.reply(200, contazenEnvelope(contazenBill()));

		const result = await runNode({ parameters: revert(), credentials: credentials() });

		expect(scope.isDone()).toBe(true);
		const json = result.output[0].json;
		expect(json).toMatchObject({
			provider: 'contazen',
			outcome: 'reverted',
			paid: false,
			status: 'unpaid',
			paymentDate: null,
			previous: null,
			invoiceNumber: 'F-2026-17',
			amount: 119,
			currency: 'RON',
			requestId: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
			linkedExpenseId: 'exp_abc123',
			invoice: { id: BILL, object: 'supplier_bill' },
		});
		expect(json.notes).toEqual([
			'Contazen also marked the linked expense exp_abc123 as unpaid.',
			'Contazen documents no way to read a single supplier bill, so the state before the revert could not be captured.',
		]);
		expectNoSecrets(result.everything);
	});

	it('treats "not paid" refusals as a safe re-run (already_unpaid), or invalid_state with Fail', async () => {
		nock(CONTAZEN_BASE).post(PATH).reply(400, czError(400, 'validation_error', 'invalid_request', 'Supplier bill is not paid'));
		const ok = await runNode({ parameters: revert(), credentials: credentials() });
		expect(ok.output[0].json).toMatchObject({ outcome: 'already_unpaid', paid: false, status: 'unpaid' });

		nock(CONTAZEN_BASE).post(PATH).reply(400, czError(400, 'validation_error', 'invalid_request', 'Supplier bill is not paid'));
		const fail = await runNode({
			parameters: revert({ options: { ifNotPaid: 'fail' } }),
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(fail.output[0].json.error).toMatchObject({ category: 'invalid_state' });
	});

	it.each([
		[423, 'resource_locked', 'Supplier bill is locked'],
		[409, 'resource_conflict', 'Accounting period is closed'],
	])('a %i is invalid_state with the vendor code', async (status, code, message) => {
		nock(CONTAZEN_BASE).post(PATH).reply(status, czError(status, 'resource_error', code, message));
		const result = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(result.output[0].json.error).toMatchObject({
			category: 'invalid_state',
			httpCode: String(status),
			vendorCode: code,
			vendorMessage: message,
		});
	});

	it.each([
		[401, 'authentication_error', 'invalid_api_key', 'Invalid API key', 'authentication'],
		[401, 'authentication_error', 'ip_restricted', 'IP not allowed', 'authentication'],
		[403, 'authentication_error', 'insufficient_permissions', 'Insufficient permissions', 'permission'],
		[404, 'resource_error', 'resource_not_found', 'Supplier bill not found', 'not_found'],
		[400, 'validation_error', 'invalid_field_value', 'Invalid value', 'validation'],
		[500, 'api_error', 'internal_error', 'Something went wrong', 'vendor_error'],
	])('HTTP %i %s/%s (%s) becomes %s', async (status, type, code, message, category) => {
		nock(CONTAZEN_BASE).post(PATH).times(5).reply(status, czError(status, type, code, message));
		const result = await runNode({
			parameters: revert({ options: { maxRetries: 0 } }),
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(result.output[0].json.error).toMatchObject({
			category,
			httpCode: String(status),
			vendorCode: code,
			vendorMessage: message,
			provider: 'contazen',
			invoiceId: BILL,
		});
	});

	it('honours error.retry_after on 429, then succeeds', async () => {
		const scope = nock(CONTAZEN_BASE)
			.post(PATH)
			.reply(429, czError(429, 'rate_limit_error', 'rate_limit_exceeded', 'Rate limit exceeded', { retry_after: 0 }), {
				'x-ratelimit-remaining': '0',
			})
			.post(PATH)
			.reply(200, contazenEnvelope(contazenBill()));
		const result = await runNode({ parameters: revert(), credentials: credentials() });
		expect(scope.isDone()).toBe(true);
		expect(result.output[0].json.outcome).toBe('reverted');
	});

	it('stops with rate_limited and the wait when Contazen asks more than Max Retry Wait', async () => {
		let calls = 0;
		nock(CONTAZEN_BASE)
			.post(PATH)
			.times(3)
			.reply(() => {
				calls++;
				return [429, czError(429, 'rate_limit_error', 'rate_limit_exceeded', 'Rate limit exceeded', { retry_after: 120 })];
			});
		const result = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(calls).toBe(1);
		expect(result.output[0].json.error).toMatchObject({ category: 'rate_limited', retryAfterSeconds: 120, httpCode: '429' });
	});

	it.each([
		['getStatus', {}],
		['revertPayment', { dryRun: true }],
	])('%s %j is unsupported: Contazen documents no single-bill read', async (operation, options) => {
		const result = await runNode({
			parameters: { provider: 'contazen', operation, invoiceId: BILL, options },
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(result.output[0].json.error).toMatchObject({ category: 'unsupported', provider: 'contazen' });
	});

	it('refuses a key without the sk_live_/sk_test_ prefix before sending anything', async () => {
		const creds = credentials();
		Object.assign(creds.paymentRevertContazenApi, { apiKey: NOT_A_CONTAZEN_KEY });
		const result = await runNode({ parameters: revert(), credentials: creds, onError: 'continueRegularOutput' });
		const error = result.output[0].json.error as Record<string, string>;
		expect(error.category).toBe('authentication');
		expect(error.message).toMatch(/sk_live_/);
		expect(result.everything).not.toContain(NOT_A_CONTAZEN_KEY);
	});

	it.each(['bill with spaces', 'x'.repeat(65), 'bill/../../settings', '={{ 1 }}'])(
		'refuses the ID %j without any request',
		async (id) => {
			const result = await runNode({
				parameters: revert({ invoiceId: '={{ $json.id }}' }),
				items: [{ id }],
				credentials: credentials(),
				onError: 'continueRegularOutput',
			});
			expect(result.output[0].json.error).toMatchObject({ category: 'invalid_input' });
		},
	);
});
