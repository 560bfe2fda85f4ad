import { mapFailure, TransportFailure } from '../../nodes/PaymentRevert/errors';
import { invoiceIn, refusalOf } from '../../nodes/PaymentRevert/providers/answer';
import { contazen } from '../../nodes/PaymentRevert/providers/contazen';
import { credentialTypeOf, getProvider, providers } from '../../nodes/PaymentRevert/providers';
import { firstMessage, textExcerpt, waitHeader } from '../../nodes/PaymentRevert/providers/parse';
import { qonto } from '../../nodes/PaymentRevert/providers/qonto';
import type { VendorResponse } from '../../nodes/PaymentRevert/providers/types';
import { wethod } from '../../nodes/PaymentRevert/providers/wethod';
import { contazenBill, contazenEnvelope, QONTO_ID, qontoInvoice, wethodInvoice } from '../helpers';

const response = (statusCode: number, json: unknown, headers: Record<string, string> = {}): VendorResponse => ({
	statusCode,
	headers,
	json,
	text: typeof json === 'string' ? json : JSON.stringify(json ?? ''),
});

describe('provider registry', () => {
	it('has exactly the three providers of the contract', () => {
		expect(Object.keys(providers).sort()).toEqual(['contazen', 'qonto', 'wethod']);
		expect(getProvider('qonto')).toBe(qonto);
		expect(getProvider('toString')).toBeUndefined();
	});

	it.each([
		[qonto, 'oAuth2', 'paymentRevertQontoOAuth2Api'],
		[qonto, 'apiKey', 'paymentRevertQontoApi'],
		[contazen, '', 'paymentRevertContazenApi'],
		[wethod, '', 'paymentRevertWethodApi'],
	])('%# picks the credential type', (provider, auth, type) => {
		expect(credentialTypeOf(provider, auth)).toBe(type);
	});
});

describe('Qonto', () => {
	it.each([
		[QONTO_ID, true],
		[QONTO_ID.toUpperCase(), true],
		['4d5418bbbd0d4df4865cc07afab8bb48', false],
		[`${QONTO_ID}x`, false],
		['', false],
	])('ID %j valid: %s', (id, ok) => expect(qonto.idPattern.test(id)).toBe(ok));

	it('builds the documented paths', () => {
		expect(qonto.endpoints.revert(QONTO_ID)).toEqual({ method: 'POST', path: `/v2/supplier_invoices/${QONTO_ID}/unmark_as_paid`, write: true });
		expect(qonto.endpoints.read?.(QONTO_ID)).toEqual({ method: 'GET', path: `/v2/supplier_invoices/${QONTO_ID}`, write: false });
	});

	it('base URL per environment', () => {
		expect(qonto.baseUrl({ environment: 'production' })).toBe('https://thirdparty.qonto.com');
		expect(qonto.baseUrl({ environment: 'sandbox' })).toBe('https://thirdparty-sandbox.staging.qonto.co');
		expect(qonto.baseUrl({ environment: 'custom', apiBaseUrl: 'http://127.0.0.1:1/q' })).toBe('http://127.0.0.1:1/q');
	});

	it('adds the staging header only for OAuth2 outside production', () => {
		expect(qonto.extraHeaders('paymentRevertQontoOAuth2Api', { environment: 'sandbox', stagingToken: 'st' })).toEqual({ 'X-Qonto-Staging-Token': 'st' });
		expect(qonto.extraHeaders('paymentRevertQontoOAuth2Api', { environment: 'production', stagingToken: 'st' })).toEqual({});
		expect(qonto.extraHeaders('paymentRevertQontoApi', { environment: 'sandbox', stagingToken: 'st' })).toEqual({});
	});

	it('unwraps both the wrapped and the bare invoice', () => {
		expect(qonto.unwrap({ supplier_invoice: qontoInvoice() })).toMatchObject({ id: QONTO_ID });
		expect(qonto.unwrap(qontoInvoice())).toMatchObject({ id: QONTO_ID });
		expect(qonto.unwrap({ errors: [] })).toBeUndefined();
		expect(qonto.unwrap('<html>')).toBeUndefined();
	});

	it('normalizes decimal-string amounts', () => {
		expect(qonto.normalize(qontoInvoice())).toMatchObject({
			status: 'paid',
			paid: true,
			paymentDate: '2022-03-01',
			paymentAmount: 22.1,
			amount: 22.1,
			currency: 'EUR',
			invoiceNumber: 'QONTO-JAN-2022',
		});
		expect(qonto.normalize(qontoInvoice({ status: 'to_review', payment_date: null }))).toMatchObject({ paid: false, paymentAmount: null });
	});

	it.each([
		[{ errors: [{ code: 'not_found', detail: 'Not found' }], trace_id: 't1' }, 'not_found', 'Not found', 't1'],
		[{ errors: { message: 'Not found' }, trace_id: 't2' }, null, 'Not found', 't2'],
		[{ code: 'sca_not_enrolled', message: 'SCA needed', trace_id: 't3' }, 'sca_not_enrolled', 'SCA needed', 't3'],
		['Not Found', null, 'Not Found', null],
	])('parses error shape %#', (body, code, message, requestId) => {
		expect(qonto.parseError(response(404, typeof body === 'string' ? body : body))).toEqual({
			vendorCode: code,
			vendorMessage: message,
			requestId,
		});
	});

	it('prefers the trace id (X-Tyk-Trace-Id, then trace_id), then x-request-id', () => {
		expect(qonto.requestId(response(200, {}, { 'x-request-id': 'a', 'x-tyk-trace-id': 'b' }))).toBe('b');
		expect(qonto.requestId(response(400, { trace_id: 'c' }, { 'x-request-id': 'a' }))).toBe('c');
		expect(qonto.requestId(response(200, {}, { 'x-request-id': 'a' }))).toBe('a');
	});

	it('a 400 on unmark needs a read', () => {
		expect(refusalOf(qonto, response(400, {}), { vendorCode: null, vendorMessage: null, requestId: null })).toBe('maybeNotPaid');
		expect(refusalOf(qonto, response(422, {}), { vendorCode: null, vendorMessage: null, requestId: null })).toBeUndefined();
	});
});

describe('Contazen', () => {
	it.each([
		['sup_1a2b3c4d5e', true],
		['AbC123XyZ', true],
		['a-b_c', true],
		['x'.repeat(64), true],
		['x'.repeat(65), false],
		['bill 1', false],
		['../settings', false],
	])('ID %j valid: %s', (id, ok) => expect(contazen.idPattern.test(id)).toBe(ok));

	it('has no read and a documented revert path under /v1', () => {
		expect(contazen.endpoints.read).toBeUndefined();
		expect(contazen.endpoints.revert('sbill_1').path).toBe('/supplier-bills/sbill_1/mark-unpaid');
		expect(contazen.baseUrl({})).toBe('https://api.contazen.ro/v1');
	});

	it('unwraps data.supplier_bill and normalizes amounts and partial payments', () => {
		const bill = contazen.unwrap(contazenEnvelope(contazenBill({ status: 'partial', payment_amount: 50 })));
		expect(contazen.normalize(bill!)).toMatchObject({ status: 'partial', paid: true, paymentAmount: 50, amount: 119, currency: 'RON' });
	});

	it('reads request_id from meta', () => {
		expect(contazen.requestId(response(200, contazenEnvelope(contazenBill())))).toBe('3c90c3cc-0d44-4b50-8888-8dd25736052a');
	});

	it('parses the error envelope and field maps', () => {
		const body = {
			success: false,
			error: { message: 'Validation failed', type: 'validation_error', code: 'invalid_field_value', status: 400, errors: { payment_date: 'bad' } },
		};
		expect(contazen.parseError(response(400, body))).toMatchObject({ vendorCode: 'invalid_field_value', vendorMessage: 'Validation failed' });
	});

	it.each([
		[400, 'invalid_request', 'Supplier bill is not paid', 'notPaid'],
		[409, 'conflict', 'Bill already unpaid', 'notPaid'],
		[409, 'conflict', 'Period closed', 'locked'],
		[423, 'resource_locked', 'Locked', 'locked'],
		[400, 'invalid_request', 'Bad date', undefined],
	])('%i %s %j → %s', (status, code, message, expected) => {
		expect(refusalOf(contazen, response(status, {}), { vendorCode: code, vendorMessage: message, requestId: null })).toBe(expected);
	});

	it('wait: error.retry_after, then Retry-After, then X-RateLimit-Reset when the window is used up', () => {
		const now = 1_000_000_000_000;
		const reset = { 'x-ratelimit-reset': String(now / 1000 + 30) };
		expect(contazen.retryAfterSeconds(response(429, { error: { retry_after: 12 } }), now)).toBe(12);
		expect(contazen.retryAfterSeconds(response(429, {}, { 'retry-after': '7' }), now)).toBe(7);
		expect(contazen.retryAfterSeconds(response(429, {}, reset), now)).toBe(30);
		expect(contazen.retryAfterSeconds(response(503, {}, { ...reset, 'x-ratelimit-remaining': '0' }), now)).toBe(30);
		// A 503 with quota left: the reset is not a wait, back off instead.
		expect(contazen.retryAfterSeconds(response(503, {}, { ...reset, 'x-ratelimit-remaining': '41' }), now)).toBeUndefined();
		expect(contazen.retryAfterSeconds(response(429, {}), now)).toBeUndefined();
	});

	it("quota: remaining and reset, the reset moved to our clock when Contazen's Date header is off by more than 2 s", () => {
		const now = 1_000_000_000_000;
		const headers = { 'x-ratelimit-remaining': '41', 'x-ratelimit-reset': String(now / 1000 + 30) };
		expect(contazen.quota!(response(200, {}, headers), now)).toEqual({ remaining: 41, resetAtMs: now + 30_000 });
		const sameClock = { ...headers, date: new Date(now + 900).toUTCString() };
		expect(contazen.quota!(response(200, {}, sameClock), now)).toEqual({ remaining: 41, resetAtMs: now + 30_000 });
		// Contazen's clock 20 s ahead: its reset is 10 s away for us, not 30.
		const ahead = { ...headers, 'x-ratelimit-reset': String(now / 1000 + 20 + 10), date: new Date(now + 20_000).toUTCString() };
		expect(contazen.quota!(response(200, {}, ahead), now)).toEqual({ remaining: 41, resetAtMs: now + 10_000 });
		expect(contazen.retryAfterSeconds(response(429, {}, ahead), now)).toBe(10);
		expect(contazen.quota!(response(200, {}, { 'x-ratelimit-remaining': '41' }), now)).toBeUndefined();
	});

	it('checks the key prefix', () => {
		expect(contazen.checkCredentials('paymentRevertContazenApi', { apiKey: 'sk_live_abc' })).toBeUndefined();
		expect(contazen.checkCredentials('paymentRevertContazenApi', { apiKey: 'sk_test_abc' })).toBeUndefined();
		expect(contazen.checkCredentials('paymentRevertContazenApi', { apiKey: 'abc' })).toMatch(/sk_live_/);
	});
});

describe('Wethod', () => {
	it.each([
		['1', true],
		['1042', true],
		['0', false],
		['01', false],
		['-1', false],
		['1.5', false],
		['9'.repeat(19), false],
	])('ID %j valid: %s', (id, ok) => expect(wethod.idPattern.test(id)).toBe(ok));

	it('builds the documented paths', () => {
		expect(wethod.endpoints.revert('7').path).toBe('/api/invoices/7:set-unpaid');
		expect(wethod.endpoints.read?.('7').path).toBe('/api/invoices/7');
	});

	it('normalizes the bare invoice', () => {
		expect(wethod.normalize(wethod.unwrap(wethodInvoice())!)).toMatchObject({ status: 'paid', paid: true, amount: 1000, paymentAmount: 1000 });
	});

	it('parses {key, message}', () => {
		expect(wethod.parseError(response(412, { key: 'precondition_failure', message: 'Nope' }))).toEqual({
			vendorCode: 'precondition_failure',
			vendorMessage: 'Nope',
			requestId: null,
		});
	});

	it('reads x-ratelimit-retry-after', () => {
		expect(wethod.retryAfterSeconds(response(429, {}, { 'x-ratelimit-retry-after': '42' }), Date.now())).toBe(42);
	});

	it('checks company slug and version', () => {
		expect(wethod.checkCredentials('paymentRevertWethodApi', { company: 'acme', apiVersion: '2024-06-15' })).toBeUndefined();
		expect(wethod.checkCredentials('paymentRevertWethodApi', { company: 'acme.wethod.com' })).toMatch(/slug/);
		expect(wethod.checkCredentials('paymentRevertWethodApi', { company: 'acme', apiVersion: 'latest' })).toMatch(/date/);
	});
});

describe('parsing helpers', () => {
	it('finds a message in any shape', () => {
		expect(firstMessage({ errors: [{ detail: 'a' }, { detail: 'b' }] })).toBe('a; b');
		expect(firstMessage({ error: { message: 'x' } })).toBe('x');
		expect(firstMessage({ errors: { field: 'bad' } })).toBe('bad');
		expect(firstMessage([1, 2])).toBeNull();
		expect(firstMessage(undefined)).toBeNull();
	});

	it('excerpts HTML titles and texts', () => {
		expect(textExcerpt('<html><title>Sign in</title></html>')).toBe('Sign in');
		expect(textExcerpt('  Bad   Gateway ')).toBe('Bad Gateway');
		expect(textExcerpt('x'.repeat(300))).toHaveLength(201);
		expect(textExcerpt('')).toBeNull();
	});

	it('reads Retry-After in seconds or as a date', () => {
		const now = Date.parse('2026-11-21T10:00:00Z');
		const wait = (value?: string) => waitHeader(response(429, {}, value === undefined ? {} : { 'retry-after': value }), 'retry-after', now, true);
		expect(wait('5')).toBe(5);
		expect(wait('Sat, 21 Nov 2026 10:00:30 GMT')).toBe(30);
		expect(wait('soon')).toBeUndefined();
		expect(wait()).toBeUndefined();
	});
});

describe('what a 2xx answer shows (invoiceIn)', () => {
	const ids = { qonto: QONTO_ID, contazen: 'sbill_abc123', wethod: '42' };

	it.each([
		['Qonto, wrapped', qonto, { supplier_invoice: qontoInvoice() }],
		['Qonto, bare, upper-case ID asked', qonto, qontoInvoice()],
		['Contazen', contazen, contazenEnvelope(contazenBill({ status: 'paid' }))],
		['Wethod, integer ID', wethod, wethodInvoice()],
	])('%s: the asked invoice with a known status counts', (_name, provider, body) => {
		const asked = provider === qonto && _name.includes('upper') ? QONTO_ID.toUpperCase() : ids[provider.id];
		const reading = invoiceIn(provider, response(200, body), asked);
		expect(reading).toMatchObject({ ok: true, state: { paid: true } });
	});

	it.each([
		['Wethod gateway JSON', wethod, { status: 200, message: 'OK' }, /no invoice in the answer/],
		['Qonto gateway JSON', qonto, { status: 'ok' }, /no supplier invoice in the answer/],
		['Contazen envelope without a bill', contazen, { success: true, data: { message: 'OK' }, meta: {} }, /no supplier bill in the answer/],
		['an array', wethod, [wethodInvoice()], /no invoice in the answer/],
		['another Wethod invoice', wethod, wethodInvoice({ id: 43, status: 'sent' }), /another invoice \(43\)/],
		['a Wethod ID as a different number', wethod, wethodInvoice({ id: 420 }), /another invoice/],
		['another Qonto invoice', qonto, qontoInvoice({ id: '9a1c5c2e-7c55-4c3b-9d6b-2f0e8f1d2a11' }), /another supplier invoice/],
		['another Contazen bill (case differs)', contazen, contazenEnvelope(contazenBill({ id: 'SBILL_ABC123' })), /another supplier bill/],
		['an unknown Qonto status', qonto, { supplier_invoice: qontoInvoice({ status: 'settled' }) }, /status "settled" is not one Qonto documents/],
		['an unknown Wethod status', wethod, wethodInvoice({ status: 'cancelled' }), /status "cancelled"/],
		['no status', contazen, contazenEnvelope(contazenBill({ status: undefined })), /has no status/],
	])('%s shows nothing', (_name, provider, body, reason) => {
		const reading = invoiceIn(provider, response(200, body), ids[provider.id]);
		expect(reading.ok).toBe(false);
		expect(!reading.ok && reading.reason).toMatch(reason);
	});

	it('an empty body or an HTML page shows nothing', () => {
		expect(invoiceIn(qonto, { statusCode: 200, headers: {}, json: undefined, text: '' }, QONTO_ID)).toEqual({ ok: false, reason: 'the answer is empty' });
		expect(invoiceIn(qonto, { statusCode: 200, headers: {}, json: undefined, text: '<html><title>x</title></html>' }, QONTO_ID)).toEqual({
			ok: false,
			reason: 'the answer is an HTML page',
		});
	});

	it('every paid status is a known one', () => {
		for (const provider of Object.values(providers)) {
			expect(provider.paidStatuses.length).toBeGreaterThan(0);
			for (const status of provider.paidStatuses) expect(provider.knownStatuses).toContain(status);
		}
	});
});

describe('Contazen "not paid" needs a refusal that says only that', () => {
	it.each([
		[400, 'invalid_request', 'Cannot mark the bill as not paid: the accounting period is closed'],
		[400, 'invalid_request', 'Payment not paid through the bank feed cannot be changed'],
		[422, 'invalid_field_value', 'no payment_date given'],
		[409, 'not_paid_by_card', 'Conflict'],
	])('%i %s %j is not "not paid"', (status, code, message) => {
		expect(refusalOf(contazen, response(status, {}), { vendorCode: code, vendorMessage: message, requestId: null })).not.toBe('notPaid');
	});

	it.each([
		[400, 'invalid_request', 'The supplier bill is not paid.'],
		[422, 'bill_not_paid', 'Unprocessable'],
	])('%i %s %j is "not paid"', (status, code, message) => {
		expect(refusalOf(contazen, response(status, {}), { vendorCode: code, vendorMessage: message, requestId: null })).toBe('notPaid');
	});
});

describe('message words come from the provider', () => {
	const answer = (statusCode: number, json: unknown, text = JSON.stringify(json)) =>
		new TransportFailure({ statusCode, json, text, headers: {} }, undefined, undefined, false);

	it.each([
		[qonto, 'organization'],
		[contazen, 'company'],
		[wethod, 'company'],
	])('%# not_found names the tenant', (provider, tenant) => {
		expect(mapFailure(provider, answer(404, { message: 'Not found' }), 'x').message).toMatch(new RegExp(`belongs to the right ${tenant}$`));
	});

	it('the setup hint is added where the provider has one', () => {
		expect(mapFailure(qonto, answer(302, undefined, ''), 'x').message).toMatch(/staging token/);
		expect(mapFailure(qonto, answer(200, undefined, '<html></html>'), 'x').message).toMatch(/staging token/);
		expect(mapFailure(wethod, answer(302, undefined, ''), 'x').message).not.toMatch(/staging|Qonto/);
		expect(mapFailure(contazen, answer(200, undefined, 'Bad Gateway'), 'x').message).not.toMatch(/staging|Qonto/);
	});
});
