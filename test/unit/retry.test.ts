/** The retry policy on its own: a pure function of one attempt's result (transport/retry.ts). */
import {
	backoffMs,
	MAYBE_DELIVERED,
	NETWORK_CODES,
	retryDecision,
	type RetryInput,
} from '../../nodes/PaymentRevert/transport/retry';

const LOW = () => 0;
const HIGH = () => 0.999_999;
const base = { attempt: 0, maxRetries: 3, maxRetryWaitSeconds: 60, write: false, random: LOW };
const answer = (status: number, extra: Partial<NonNullable<RetryInput['answer']>> = {}) => ({ ...base, answer: { status, ...extra } });

describe('retryDecision: answers', () => {
	it.each([429, 502, 503, 504])('HTTP %i is retried while attempts remain', (status) => {
		expect(retryDecision(answer(status))).toMatchObject({ retry: true });
		expect(retryDecision({ ...answer(status), attempt: 3 })).toMatchObject({ retry: false });
	});

	it.each([200, 201, 204, 301, 400, 401, 403, 404, 409, 412, 422, 423, 500, 501, 505])('HTTP %i is final, with no wait and no hold', (status) => {
		expect(retryDecision(answer(status))).toEqual({ retry: false, mayHaveApplied: false });
	});

	it('an oversized answer is final whatever its status', () => {
		expect(retryDecision(answer(503, { oversized: true }))).toEqual({ retry: false, mayHaveApplied: false });
		expect(retryDecision(answer(429, { oversized: true, askedWaitSeconds: 5 }))).toEqual({ retry: false, mayHaveApplied: false });
	});

	it('an oversized 2xx or 5xx to a write may have been applied (only a read can tell); a 4xx or a read may not', () => {
		expect(retryDecision({ ...answer(200, { oversized: true }), write: true })).toEqual({ retry: false, mayHaveApplied: true });
		expect(retryDecision({ ...answer(204, { oversized: true }), write: true })).toEqual({ retry: false, mayHaveApplied: true });
		expect(retryDecision({ ...answer(503, { oversized: true }), write: true })).toEqual({ retry: false, mayHaveApplied: true });
		expect(retryDecision({ ...answer(404, { oversized: true }), write: true })).toEqual({ retry: false, mayHaveApplied: false });
		expect(retryDecision(answer(200, { oversized: true }))).toEqual({ retry: false, mayHaveApplied: false });
	});

	it('a 2xx whose body was cut: retried like its network failure; to a write it may have been applied', () => {
		const cut = (status: number, networkCode: string) => ({ ...base, networkCode, answer: { status, cut: true } });
		expect(retryDecision({ ...cut(200, 'ETIMEDOUT'), write: true })).toEqual({ retry: true, waitMs: 250, mayHaveApplied: true });
		expect(retryDecision({ ...cut(200, 'ETIMEDOUT'), write: true, attempt: 3 })).toEqual({ retry: false, mayHaveApplied: true });
		// A reset is "maybe delivered" anyway; a cut 2xx to a read was not a write.
		expect(retryDecision(cut(200, 'ECONNRESET'))).toEqual({ retry: true, waitMs: 250, mayHaveApplied: false });
		expect(retryDecision({ ...cut(500, 'ECONNRESET'), write: true })).toEqual({ retry: true, waitMs: 250, mayHaveApplied: true });
	});

	it('a 5xx to a write may have been applied; a 429, a read or a final 500 may not', () => {
		expect(retryDecision({ ...answer(502), write: true }).mayHaveApplied).toBe(true);
		expect(retryDecision({ ...answer(504), write: true, attempt: 3 }).mayHaveApplied).toBe(true);
		expect(retryDecision({ ...answer(429), write: true }).mayHaveApplied).toBe(false);
		expect(retryDecision(answer(503)).mayHaveApplied).toBe(false);
		expect(retryDecision({ ...answer(500), write: true }).mayHaveApplied).toBe(false);
	});
});

describe('retryDecision: asked waits', () => {
	it("a 429's asked wait holds the whole credential; the request waits no more of its own", () => {
		expect(retryDecision(answer(429, { askedWaitSeconds: 5 }))).toEqual({ retry: true, holdMs: 5000, asked: true, mayHaveApplied: false });
	});

	it("a 5xx's asked wait is the request's own", () => {
		expect(retryDecision(answer(503, { askedWaitSeconds: 5 }))).toEqual({ retry: true, waitMs: 5000, mayHaveApplied: false });
		expect(retryDecision(answer(503, { askedWaitSeconds: 0 }))).toEqual({ retry: true, waitMs: 0, mayHaveApplied: false });
	});

	it('a wait up to Max Retry Wait is waited; a longer one stops, with the wait, even on the last attempt', () => {
		expect(retryDecision(answer(429, { askedWaitSeconds: 60 }))).toMatchObject({ retry: true, holdMs: 60_000 });
		expect(retryDecision(answer(429, { askedWaitSeconds: 61 }))).toEqual({
			retry: false,
			holdMs: 61_000,
			asked: true,
			refusedWaitSeconds: 61,
			mayHaveApplied: false,
		});
		expect(retryDecision({ ...answer(503, { askedWaitSeconds: 120 }), write: true, attempt: 3 })).toEqual({
			retry: false,
			refusedWaitSeconds: 120,
			mayHaveApplied: true,
		});
	});

	it('a 429 without a figure: the request backs off, the others wait that too within Max Retry Wait', () => {
		expect(retryDecision(answer(429))).toEqual({ retry: true, waitMs: 250, holdMs: 250, asked: false, mayHaveApplied: false });
		expect(retryDecision({ ...answer(429), attempt: 5, maxRetries: 10, maxRetryWaitSeconds: 10 })).toEqual({
			retry: true,
			waitMs: 8000,
			holdMs: 8000,
			asked: false,
			mayHaveApplied: false,
		});
		// The last attempt still tells the credential to hold.
		expect(retryDecision({ ...answer(429), attempt: 3 })).toEqual({ retry: false, holdMs: 2000, asked: false, mayHaveApplied: false });
	});

	it('a 429 without a figure whose backoff does not fit in Max Retry Wait: not slept, rate_limited with that backoff', () => {
		expect(retryDecision({ ...answer(429), attempt: 6, maxRetries: 10, maxRetryWaitSeconds: 10 })).toEqual({
			retry: false,
			holdMs: 10_000,
			asked: false,
			refusedWaitSeconds: 15,
			refusedBy: 'backoff',
			mayHaveApplied: false,
		});
		// 2-4 s after the fourth attempt: with Max Retry Wait 2 s, only a backoff of exactly 2 s fits.
		expect(retryDecision({ ...answer(429), attempt: 2, maxRetries: 5, maxRetryWaitSeconds: 2, random: LOW })).toMatchObject({ retry: true, waitMs: 1000 });
		expect(retryDecision({ ...answer(429), attempt: 3, maxRetries: 5, maxRetryWaitSeconds: 2, random: LOW })).toMatchObject({ retry: true, waitMs: 2000 });
		expect(retryDecision({ ...answer(429), attempt: 3, maxRetries: 5, maxRetryWaitSeconds: 2, random: HIGH })).toMatchObject({
			retry: false,
			refusedWaitSeconds: 4,
			refusedBy: 'backoff',
		});
		expect(retryDecision({ ...answer(429), maxRetryWaitSeconds: 0 })).toMatchObject({ retry: false, holdMs: 0, refusedWaitSeconds: 0.25 });
	});

	it("every other backoff is bounded too: a 5xx without a figure and a network failure stop with their own answer", () => {
		const tight = { maxRetries: 5, maxRetryWaitSeconds: 1, random: HIGH };
		expect(retryDecision({ ...answer(503), ...tight, attempt: 1 })).toEqual({ retry: true, waitMs: 1000, mayHaveApplied: false });
		expect(retryDecision({ ...answer(503), ...tight, attempt: 2 })).toEqual({ retry: false, mayHaveApplied: false });
		expect(retryDecision({ ...answer(502), ...tight, attempt: 2, write: true })).toEqual({ retry: false, mayHaveApplied: true });
		expect(retryDecision({ ...base, ...tight, networkCode: 'ECONNRESET', attempt: 1 })).toEqual({ retry: true, waitMs: 1000, mayHaveApplied: false });
		expect(retryDecision({ ...base, ...tight, networkCode: 'ECONNRESET', attempt: 2, write: true })).toEqual({ retry: false, mayHaveApplied: true });
		// A wait the vendor asked for within Max Retry Wait is waited as before.
		expect(retryDecision({ ...answer(503, { askedWaitSeconds: 1 }), ...tight, attempt: 2 })).toEqual({ retry: true, waitMs: 1000, mayHaveApplied: false });
	});

	it('Max Retries 0: nothing is retried', () => {
		expect(retryDecision({ ...answer(503), maxRetries: 0 })).toEqual({ retry: false, mayHaveApplied: false });
		expect(retryDecision({ ...base, maxRetries: 0, networkCode: 'ECONNRESET' })).toEqual({ retry: false, mayHaveApplied: false });
	});
});

describe('retryDecision: no answer', () => {
	it.each(NETWORK_CODES.map((code) => [code]))('%s is retried with a backoff', (code) => {
		expect(retryDecision({ ...base, networkCode: code })).toEqual({ retry: true, waitMs: 250, mayHaveApplied: false });
		expect(retryDecision({ ...base, networkCode: code, attempt: 3 })).toEqual({ retry: false, mayHaveApplied: false });
	});

	it.each([['ECANCELED'], ['EAUTH'], ['EPROTO'], [undefined]])('%s is final', (code) => {
		expect(retryDecision({ ...base, write: true, networkCode: code })).toEqual({ retry: false, mayHaveApplied: false });
	});

	it('a write may have been applied only where the request may have reached the vendor', () => {
		for (const code of NETWORK_CODES) {
			expect(retryDecision({ ...base, write: true, networkCode: code }).mayHaveApplied).toBe(MAYBE_DELIVERED.includes(code));
			expect(retryDecision({ ...base, write: false, networkCode: code }).mayHaveApplied).toBe(false);
		}
		expect(MAYBE_DELIVERED).toEqual(expect.arrayContaining(['ECONNRESET', 'ETIMEDOUT']));
		expect(MAYBE_DELIVERED).not.toContain('ECONNREFUSED');
		expect(MAYBE_DELIVERED).not.toContain('ENOTFOUND');
	});
});

describe('backoffMs', () => {
	it.each([
		[0, 250, 500],
		[1, 500, 1000],
		[3, 2000, 4000],
		[5, 8000, 16_000],
		[6, 15_000, 30_000],
		[10, 15_000, 30_000],
	])('attempt %i waits between %i and %i ms', (attempt, low, high) => {
		expect(backoffMs(attempt, LOW)).toBe(low);
		expect(backoffMs(attempt, HIGH)).toBe(high);
		expect(backoffMs(attempt, () => 0.5)).toBe(Math.round((low + high) / 2));
	});

	it('the decision uses the injected random source', () => {
		expect(retryDecision({ ...answer(503), attempt: 2, random: HIGH })).toEqual({ retry: true, waitMs: 2000, mayHaveApplied: false });
		expect(retryDecision({ ...base, networkCode: 'ETIMEDOUT', attempt: 2, random: LOW })).toMatchObject({ waitMs: 1000 });
	});
});
