import { errorItemJson, mapFailure, RevertFailure, TransportFailure } from '../../nodes/PaymentRevert/errors';
import { qonto } from '../../nodes/PaymentRevert/providers/qonto';
import { wethod } from '../../nodes/PaymentRevert/providers/wethod';

const answer = (statusCode: number, json: unknown, text = JSON.stringify(json), headers = {}) =>
	new TransportFailure({ statusCode, json, text, headers }, undefined, undefined, false);

describe('error mapping', () => {
	it.each([
		[400, 'validation'],
		[401, 'authentication'],
		[403, 'permission'],
		[404, 'not_found'],
		[409, 'validation'],
		[422, 'validation'],
		[423, 'invalid_state'],
		[429, 'rate_limited'],
		[500, 'vendor_error'],
		[502, 'vendor_error'],
		[503, 'vendor_error'],
	])('HTTP %i with a vendor JSON body is %s', (status, category) => {
		const failure = mapFailure(wethod, answer(status, { key: 'k', message: 'm' }), '42');
		expect(failure.category).toBe(category);
		expect(failure.message.startsWith('Wethod: ')).toBe(true);
		expect(failure.details).toMatchObject({ httpCode: status, vendor: { vendorCode: 'k', vendorMessage: 'm' } });
	});

	it('non-JSON bodies are unexpected_response, except where the status alone decides', () => {
		expect(mapFailure(qonto, answer(200, undefined, '<html><title>Login</title></html>'), 'x').category).toBe('unexpected_response');
		expect(mapFailure(qonto, answer(404, undefined, 'Not Found'), 'x').category).toBe('unexpected_response');
		expect(mapFailure(qonto, answer(302, undefined, ''), 'x').category).toBe('unexpected_response');
		expect(mapFailure(qonto, answer(500, undefined, '<html><title>Oops</title></html>'), 'x')).toMatchObject({
			category: 'vendor_error',
			details: { vendor: { vendorMessage: 'Oops' } },
		});
		expect(mapFailure(qonto, answer(502, undefined, 'Bad Gateway'), 'x').category).toBe('vendor_error');
		expect(mapFailure(qonto, answer(401, undefined, ''), 'x').category).toBe('authentication');
		expect(mapFailure(qonto, answer(403, undefined, ''), 'x').category).toBe('permission');
		const limited = mapFailure(wethod, answer(429, undefined, '', { 'x-ratelimit-retry-after': '30' }), '42');
		expect(limited).toMatchObject({ category: 'rate_limited', details: { retryAfterSeconds: 30 } });
	});

	it('every category gets a message that starts with the provider name', () => {
		for (const status of [301, 400, 401, 403, 404, 405, 409, 412, 418, 422, 423, 429, 500, 502, 503, 504]) {
			const failure = mapFailure(qonto, answer(status, { errors: [{ code: 'c', detail: 'd' }] }), 'x');
			expect(failure.message).toMatch(/^Qonto: \S/);
		}
		expect(mapFailure(qonto, answer(405, { errors: [] }), 'x').category).toBe('unexpected_response');
	});

	it('a wait above Max Retry Wait is rate_limited whatever the status', () => {
		const failure = mapFailure(
			qonto,
			new TransportFailure({ statusCode: 503, json: { errors: [] }, text: '{}', headers: {} }, undefined, undefined, true, 120),
			'x',
		);
		expect(failure).toMatchObject({ category: 'rate_limited', details: { retryAfterSeconds: 120, httpCode: 503 } });
	});

	it('no answer is network; a refused credential before any answer is authentication', () => {
		expect(mapFailure(qonto, new TransportFailure(undefined, 'ECONNRESET', undefined, false), 'x')).toMatchObject({
			category: 'network',
			details: { httpCode: null, vendor: { vendorCode: 'ECONNRESET' } },
		});
		expect(mapFailure(qonto, new TransportFailure(undefined, 'ETIMEDOUT', undefined, true), 'x').message).toMatch(/no answer in time/);
		expect(mapFailure(qonto, new TransportFailure(undefined, undefined, 'OAuth token refresh failed', false), 'x').category).toBe(
			'authentication',
		);
	});

	it('rate_limited carries the wait the vendor asked for', () => {
		const failure = mapFailure(wethod, answer(429, { key: 'rl' }, undefined, { 'x-ratelimit-retry-after': '90' }), '42');
		expect(failure.details.retryAfterSeconds).toBe(90);
		const item = errorItemJson(failure, 'wethod', '42');
		expect(item).toMatchObject({ category: 'rate_limited', retryAfterSeconds: 90, httpCode: '429' });
		expect(item.description).toContain('Retry after: 90 s');
	});

	it('the error item has exactly the contract fields', () => {
		const item = errorItemJson(new RevertFailure('invalid_input', 'Qonto: bad'), 'qonto', 'abc');
		expect(Object.keys(item).sort()).toEqual(
			['category', 'description', 'httpCode', 'invoiceId', 'message', 'provider', 'requestId', 'vendorCode', 'vendorMessage'].sort(),
		);
	});
});
