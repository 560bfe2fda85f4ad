import nock from 'nock';

import { runNode } from '../harness/engine';
import { credentials, expectNoSecrets, SECRETS, WETHOD_BASE, wethodInvoice, useNock } from '../helpers';

const revert = (extra: Record<string, unknown> = {}) => ({
	provider: 'wethod',
	operation: 'revertPayment',
	invoiceId: '42',
	...extra,
});

function wethod() {
	return nock(WETHOD_BASE)
		.matchHeader('authorization', `Bearer ${SECRETS[5]}`)
		.matchHeader('wethod-company', 'acme')
		.matchHeader('wethod-version', '2024-06-15');
}

describe('Wethod invoices, in the n8n engine', () => {
	useNock();

	it('reverts a paid invoice with the token, company and version headers', async () => {
		const scope = wethod()
			.get('/api/invoices/42')
			.reply(200, wethodInvoice())
			.post('/api/invoices/42:set-unpaid')
			.reply(200, wethodInvoice({ status: 'sent', payment_date: null }), { 'x-request-id': 'w-req-1' });

		const result = await runNode({ parameters: revert(), credentials: credentials() });

		expect(scope.isDone()).toBe(true);
		expect(result.output[0].json).toMatchObject({
			provider: 'wethod',
			outcome: 'reverted',
			paid: false,
			status: 'sent',
			paymentDate: null,
			previous: { status: 'paid', paymentDate: '2024-07-01', paymentAmount: 1000 },
			invoiceNumber: 'INV-2024-001',
			amount: 1000,
			currency: null,
			requestId: 'w-req-1',
			invoice: { id: 42, status: 'sent' },
		});
		expectNoSecrets(result.everything);
	});

	it('accepts a numeric ID from an expression', async () => {
		wethod().get('/api/invoices/42').reply(200, wethodInvoice({ status: 'sent', payment_date: null }));
		const result = await runNode({
			parameters: revert({ invoiceId: '={{ $json.invoice }}' }),
			items: [{ invoice: 42 }],
			credentials: credentials(),
		});
		expect(result.output[0].json).toMatchObject({ invoiceId: '42', outcome: 'already_unpaid', status: 'sent' });
	});

	it('without capture, a 412 confirmed by a read is a safe re-run', async () => {
		const scope = wethod()
			.post('/api/invoices/42:set-unpaid')
			.reply(412, { key: 'precondition_failure', message: 'Invoice is not paid' })
			.get('/api/invoices/42')
			.reply(200, wethodInvoice({ status: 'sent', payment_date: null }));
		const result = await runNode({
			parameters: revert({ options: { capturePreviousState: false } }),
			credentials: credentials(),
		});
		expect(scope.isDone()).toBe(true);
		expect(result.output[0].json).toMatchObject({ outcome: 'already_unpaid', status: 'sent' });
	});

	it('a 412 on a paid invoice is invalid_state with key and message', async () => {
		wethod()
			.post('/api/invoices/42:set-unpaid')
			.reply(412, { key: 'precondition_failure', message: 'Invoice is linked to a closed budget' })
			.get('/api/invoices/42')
			.reply(200, wethodInvoice());
		const result = await runNode({
			parameters: revert({ options: { capturePreviousState: false } }),
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		expect(result.output[0].json.error).toMatchObject({
			category: 'invalid_state',
			httpCode: '412',
			vendorCode: 'precondition_failure',
			vendorMessage: 'Invoice is linked to a closed budget',
		});
	});

	it('a 412 on every call (company or version header refused) is a validation error', async () => {
		nock(WETHOD_BASE)
			.get('/api/invoices/42')
			.reply(412, { key: 'precondition_failure', message: 'Missing or invalid Wethod-Version header' });
		const result = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(result.output[0].json.error).toMatchObject({
			category: 'validation',
			vendorMessage: 'Missing or invalid Wethod-Version header',
		});
	});

	it.each([
		[401, { key: 'unauthorized', message: 'Invalid token' }, 'authentication'],
		[403, { key: 'forbidden', message: 'Missing permission invoices.edit_sent' }, 'permission'],
		[404, { key: 'not_found', message: 'Invoice not found' }, 'not_found'],
	])('HTTP %i becomes the right category', async (status, body, category) => {
		nock(WETHOD_BASE).get('/api/invoices/42').reply(status, body);
		const result = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(result.output[0].json.error).toMatchObject({
			category,
			httpCode: String(status),
			vendorCode: body.key,
			vendorMessage: body.message,
		});
		if (status === 403) {
			expect((result.output[0].json.error as { message: string }).message).toMatch(/invoices\.edit_sent/);
		}
	});

	it('waits what x-ratelimit-retry-after says, or reports it when it is too long', async () => {
		const scope = nock(WETHOD_BASE)
			.get('/api/invoices/42')
			.reply(429, { key: 'too_many_requests', message: 'Slow down' }, { 'x-ratelimit-retry-after': '0' })
			.get('/api/invoices/42')
			.reply(200, wethodInvoice({ status: 'sent', payment_date: null }));
		const ok = await runNode({ parameters: revert(), credentials: credentials() });
		expect(scope.isDone()).toBe(true);
		expect(ok.output[0].json.outcome).toBe('already_unpaid');

		nock(WETHOD_BASE)
			.get('/api/invoices/42')
			.reply(429, { key: 'too_many_requests', message: 'Slow down' }, { 'x-ratelimit-retry-after': '3600' });
		const limited = await runNode({ parameters: revert(), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(limited.output[0].json.error).toMatchObject({ category: 'rate_limited', retryAfterSeconds: 3600 });
		expect((limited.output[0].json.error as { description: string }).description).toMatch(/Retry after: 3600 s/);
	});

	it.each(['0', '-1', '4.2', 'abc', '12 34', '1e3'])('refuses the ID %j without any request', async (invoiceId) => {
		const result = await runNode({ parameters: revert({ invoiceId }), credentials: credentials(), onError: 'continueRegularOutput' });
		expect(result.output[0].json.error).toMatchObject({ category: 'invalid_input', provider: 'wethod', invoiceId });
	});

	it('refuses a company that is not a slug before sending anything', async () => {
		const creds = credentials();
		creds.paymentRevertWethodApi.company = 'https://acme.wethod.com';
		const result = await runNode({ parameters: revert(), credentials: creds, onError: 'continueRegularOutput' });
		expect(result.output[0].json.error).toMatchObject({ category: 'authentication' });
	});
});
