/**
 * The vendors' wait and quota headers (issue 12, finding 8): only delta-seconds (digits) or an
 * HTTP-date are a figure; anything else is no figure (the node backs off). A header sent twice and
 * joined by a proxy or by Node ("5, 5") is its value; differing values take the longest wait (and,
 * for a remaining quota, the smallest count): honouring the most cautious figure obeys them all.
 * A wait is believed up to an hour; a window's reset more than an hour ahead is not believed at all.
 */
import { contazen } from '../../nodes/PaymentRevert/providers/contazen';
import { qonto } from '../../nodes/PaymentRevert/providers/qonto';
import type { VendorResponse } from '../../nodes/PaymentRevert/providers/types';
import { wethod } from '../../nodes/PaymentRevert/providers/wethod';

/** Monday 30 November 2026, 12:00:00 UTC. */
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const HOUR = 3600;

function answer(headers: Record<string, string>, json?: unknown, statusCode = 429): VendorResponse {
	return { statusCode, headers, json, text: json === undefined ? '' : JSON.stringify(json) };
}

/** Every malformed or odd value, and what it must mean, as a Retry-After header. */
const RETRY_AFTER: Array<[string, number | undefined]> = [
	['5', 5],
	['0', 0],
	['005', 5],
	['5, 5', 5],
	['5,5', 5],
	['3600, 1', HOUR],
	['1, 30', 30],
	[' ', undefined],
	['', undefined],
	['-1', undefined],
	['+5', undefined],
	['1e3', undefined],
	['0x10', undefined],
	['5.5', undefined],
	['5s', undefined],
	['Infinity', undefined],
	['5, abc', undefined],
	['5,', undefined],
	['5, , 5', undefined],
	['1000000000000', HOUR],
	['99999999999999999999999999', HOUR],
	// HTTP-dates: IMF-fixdate, and the obsolete RFC 850 and asctime forms (RFC 9110 5.6.7).
	['Mon, 30 Nov 2026 12:00:30 GMT', 30],
	['Monday, 30-Nov-26 12:00:30 GMT', 30],
	['Mon Nov 30 12:00:30 2026', 30],
	['Mon, 30 Nov 2026 12:00:30 GMT, Mon, 30 Nov 2026 12:00:30 GMT', 30],
	['Mon, 30 Nov 2026 12:00:30 GMT, 60', 60],
	['Sun, 06 Nov 1994 08:49:37 GMT', 0],
	['Sun Nov  6 08:49:37 1994', 0],
	// RFC 850's two-digit year: 99 is 1999 (2099 is more than 50 years ahead), 27 is 2027.
	['Friday, 31-Dec-99 23:59:59 GMT', 0],
	['Tuesday, 30-Nov-27 12:00:00 GMT', HOUR],
	['Fri, 31 Dec 9999 23:59:59 GMT', HOUR],
	['Mon, 31 Nov 2026 12:00:30 GMT', undefined],
	['Mon, 30 Nov 2026 24:00:30 GMT', undefined],
	['Mon, 30 Nov 2026 12:00:30 +0000', undefined],
	['mon, 30 nov 2026 12:00:30 gmt', undefined],
	['2026-11-30T12:00:30Z', undefined],
	['Mon, 30 Nov 2026', undefined],
	['3600, 1 GMT', undefined],
];

describe('Qonto Retry-After', () => {
	it.each(RETRY_AFTER)('%j -> %p', (value, expected) => {
		expect(qonto.retryAfterSeconds(answer({ 'retry-after': value }), NOW)).toBe(expected);
	});

	it('no header: no figure', () => {
		expect(qonto.retryAfterSeconds(answer({}), NOW)).toBeUndefined();
	});

	it("an HTTP-date counts from the vendor's clock (its Date header), not ours", () => {
		// The vendor's clock is an hour behind: 30 s from its now, not an hour in its past.
		const date = 'Mon, 30 Nov 2026 11:00:00 GMT';
		expect(qonto.retryAfterSeconds(answer({ date, 'retry-after': 'Mon, 30 Nov 2026 11:00:30 GMT' }), NOW)).toBe(30);
	});
});

describe('Wethod x-ratelimit-retry-after (seconds), else Retry-After', () => {
	it.each([
		['5', 5],
		['5, 5', 5],
		['5, 7', 7],
		['0', 0],
		['1e3', undefined],
		['0x10', undefined],
		['-1', undefined],
		[' ', undefined],
		['Mon, 30 Nov 2026 12:00:30 GMT', undefined],
		['1000000000000', HOUR],
	] as Array<[string, number | undefined]>)('%j -> %p', (value, expected) => {
		expect(wethod.retryAfterSeconds(answer({ 'x-ratelimit-retry-after': value }), NOW)).toBe(expected);
	});

	it('a malformed x-ratelimit-retry-after falls back to a well-formed Retry-After', () => {
		expect(wethod.retryAfterSeconds(answer({ 'x-ratelimit-retry-after': 'soon', 'retry-after': '7' }), NOW)).toBe(7);
		expect(wethod.retryAfterSeconds(answer({ 'retry-after': '5, 5' }), NOW)).toBe(5);
	});
});

describe('Contazen error.retry_after (a number in the body)', () => {
	const body = (retryAfter: unknown) => ({ success: false, error: { code: 'rate_limit_exceeded', retry_after: retryAfter } });

	it.each([
		[4, 4],
		[0, 0],
		[1.5, 1.5],
		['4', 4],
		['4, 4', 4],
		[-1, undefined],
		['-1', undefined],
		['1e3', undefined],
		['0x10', undefined],
		['', undefined],
		[' ', undefined],
		[null, undefined],
		[true, undefined],
		[[4], undefined],
		[1e12, HOUR],
	] as Array<[unknown, number | undefined]>)('%j -> %p', (value, expected) => {
		expect(contazen.retryAfterSeconds(answer({}, body(value)), NOW)).toBe(expected);
	});

	it('a malformed one falls back to Retry-After', () => {
		expect(contazen.retryAfterSeconds(answer({ 'retry-after': '6' }, body('soon')), NOW)).toBe(6);
	});
});

describe('Contazen X-RateLimit-Remaining / X-RateLimit-Reset (Unix seconds)', () => {
	const seconds = (ms: number) => String(Math.floor(ms / 1000));
	const limits = (remaining: string, reset: string, statusCode = 200) =>
		answer({ 'x-ratelimit-remaining': remaining, 'x-ratelimit-reset': reset, 'x-ratelimit-limit': '100' }, { success: true }, statusCode);

	it('a reset 30 s ahead with the quota used up: a 30 s wait, and the quota for the pace', () => {
		const response = limits('0', seconds(NOW + 30_000));
		expect(contazen.retryAfterSeconds(response, NOW)).toBe(30);
		expect(contazen.quota?.(response, NOW)).toEqual({ remaining: 0, resetAtMs: NOW + 30_000 });
	});

	it('quota left: the reset is no wait', () => {
		expect(contazen.retryAfterSeconds(limits('5', seconds(NOW + 30_000)), NOW)).toBeUndefined();
	});

	it('a reset in milliseconds (574 years ahead) is not believed: no wait, no quota', () => {
		const response = limits('0', String(NOW + 30_000), 429);
		expect(contazen.retryAfterSeconds(response, NOW)).toBeUndefined();
		expect(contazen.quota?.(response, NOW)).toBeUndefined();
	});

	it('a reset more than an hour ahead is not believed; up to an hour is', () => {
		expect(contazen.quota?.(limits('3', seconds(NOW + 2 * HOUR * 1000)), NOW)).toBeUndefined();
		expect(contazen.retryAfterSeconds(limits('0', seconds(NOW + 2 * HOUR * 1000)), NOW)).toBeUndefined();
		expect(contazen.quota?.(limits('3', seconds(NOW + HOUR * 1000)), NOW)).toEqual({ remaining: 3, resetAtMs: NOW + HOUR * 1000 });
	});

	it('a reset in the past is now: no wait, a window that is over', () => {
		const response = limits('0', seconds(NOW - 90_000), 429);
		expect(contazen.retryAfterSeconds(response, NOW)).toBe(0);
		expect(contazen.quota?.(response, NOW)).toEqual({ remaining: 0, resetAtMs: NOW });
	});

	it.each(['-1', '1e3', '0x10', ' ', '2.5', 'many', '5, x'])('remaining %j is no figure: no quota, and not "used up"', (remaining) => {
		const response = limits(remaining, seconds(NOW + 30_000));
		expect(contazen.quota?.(response, NOW)).toBeUndefined();
		expect(contazen.retryAfterSeconds(response, NOW)).toBeUndefined();
	});

	it('remaining sent twice: the smaller count; "00" is zero', () => {
		expect(contazen.quota?.(limits('5, 3', seconds(NOW + 30_000)), NOW)).toMatchObject({ remaining: 3 });
		expect(contazen.quota?.(limits('5, 5', seconds(NOW + 30_000)), NOW)).toMatchObject({ remaining: 5 });
		expect(contazen.retryAfterSeconds(limits('00', seconds(NOW + 30_000)), NOW)).toBe(30);
	});

	it.each(['1e9', '0x10', '-5', ' ', `${seconds(NOW + 30_000)}.5`])('reset %j is no figure', (reset) => {
		expect(contazen.quota?.(limits('0', reset), NOW)).toBeUndefined();
		expect(contazen.retryAfterSeconds(limits('0', reset, 429), NOW)).toBeUndefined();
	});

	it('reset sent twice: the later one', () => {
		const response = limits('0', `${seconds(NOW + 10_000)}, ${seconds(NOW + 30_000)}`);
		expect(contazen.quota?.(response, NOW)).toEqual({ remaining: 0, resetAtMs: NOW + 30_000 });
	});

	it("the reset counts on Contazen's clock (its Date header)", () => {
		const response = limits('0', seconds(NOW - HOUR * 1000 + 30_000));
		response.headers.date = 'Mon, 30 Nov 2026 11:00:00 GMT';
		expect(contazen.retryAfterSeconds(response, NOW)).toBe(30);
	});
});
