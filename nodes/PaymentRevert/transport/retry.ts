/**
 * The retry policy: what one attempt's result means for the next, as a pure function (no clock,
 * no I/O; the jitter's random source is injected), so that the whole table is tested on its own
 * (test/unit/retry.test.ts) and the connection only carries it out.
 */

/** Statuses that say "try again": the vendor's rate limit and its gateways' temporary failures. */
export const RETRY_STATUSES: readonly number[] = [429, 502, 503, 504];
/** Socket failures worth another try. */
export const NETWORK_CODES: readonly string[] = [
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'ECONNREFUSED',
	'EPIPE',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ESOCKETTIMEDOUT',
];
/** Of those, the ones where a request may have reached the vendor before the failure. */
export const MAYBE_DELIVERED: readonly string[] = ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKETTIMEDOUT'];

export interface RetryInput {
	/** The attempt that just ended, counted from 0. */
	attempt: number;
	maxRetries: number;
	maxRetryWaitSeconds: number;
	/** The request changes state: an attempt without a clear answer may have been applied. */
	write: boolean;
	/** The vendor's answer; undefined when none came (`networkCode` then says why, where known). */
	answer?: {
		status: number;
		/** Larger than the node reads: not the vendor's, whatever its status. */
		oversized?: boolean;
		/** Its body was cut before its end (the deadline, a reset): only the status is known. */
		cut?: boolean;
		/** The wait the vendor asked for, in seconds (its headers or body). */
		askedWaitSeconds?: number;
	};
	networkCode?: string;
	/** In [0, 1): the jitter's source. Default Math.random. */
	random?: () => number;
}

export interface RetryDecision {
	/** Send again (after `waitMs`). */
	retry: boolean;
	/** This request's own wait before its next attempt; none when it stops, or when the credential's hold covers it. */
	waitMs?: number;
	/** A 429: every request of the credential waits this long (the pace's hold), retried or not. */
	holdMs?: number;
	/** `holdMs` is the vendor's own figure, so it tells when the vendor's window ends. */
	asked?: boolean;
	/** The vendor asked to wait longer than Max Retry Wait (or a 429's backoff is): nothing more is tried. */
	refusedWaitSeconds?: number;
	/** Set when the refused wait is the backoff after a 429 without a figure, not the vendor's. */
	refusedBy?: 'backoff';
	/** This attempt of a write may have been applied though no answer shows it (5xx, reset, timeout). */
	mayHaveApplied: boolean;
}

/** Exponential backoff with jitter: between half and all of 0.5 s x 2^attempt, at most 30 s. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
	const cap = Math.min(30_000, 500 * 2 ** attempt);
	return Math.round(cap / 2 + (random() * cap) / 2);
}

export function retryDecision(input: RetryInput): RetryDecision {
	const { attempt, maxRetries, maxRetryWaitSeconds, write, answer, random } = input;
	const lastAttempt = attempt >= maxRetries;
	const maxWaitMs = maxRetryWaitSeconds * 1000;
	if (!answer || answer.cut) {
		// A cut body is no answer to retry on, but a 2xx one to a write was applied, most likely.
		const code = input.networkCode ?? '';
		const mayHaveApplied = write && (MAYBE_DELIVERED.includes(code) || (answer !== undefined && is2xx(answer.status)));
		if (!NETWORK_CODES.includes(code) || lastAttempt) return { retry: false, mayHaveApplied };
		const waitMs = backoffMs(attempt, random);
		// Max Retry Wait bounds every pause between attempts, the backoff's too.
		if (waitMs > maxWaitMs) return { retry: false, mayHaveApplied };
		return { retry: true, waitMs, mayHaveApplied };
	}
	if (answer.oversized) {
		// Not the vendor's answer: its status says nothing worth a retry. A write answered 2xx or
		// 5xx may still have been applied, and only a read can tell.
		return { retry: false, mayHaveApplied: write && (is2xx(answer.status) || answer.status >= 500) };
	}
	if (!RETRY_STATUSES.includes(answer.status)) return { retry: false, mayHaveApplied: false };

	const asked = answer.askedWaitSeconds;
	const waitMs = asked !== undefined ? asked * 1000 : backoffMs(attempt, random);
	const mayHaveApplied = write && answer.status >= 500;
	let hold: Pick<RetryDecision, 'holdMs' | 'asked'> = {};
	if (answer.status === 429) {
		// A 429 is about the credential's quota: every request waits what the vendor asked, even
		// when this one gives up. Without a figure, the others wait the backoff (within what the
		// user allows) and this request too.
		hold = asked !== undefined ? { holdMs: waitMs, asked: true } : { holdMs: Math.min(waitMs, maxWaitMs), asked: false };
	}
	if (asked !== undefined && asked > maxRetryWaitSeconds) {
		return { retry: false, ...hold, refusedWaitSeconds: asked, mayHaveApplied };
	}
	if (lastAttempt) return { retry: false, ...hold, mayHaveApplied };
	if (waitMs > maxWaitMs) {
		// A backoff longer than Max Retry Wait is not slept: a 429 stops as rate_limited with that
		// wait; a 5xx stops with its own answer (vendor_error).
		const refused: Pick<RetryDecision, 'refusedWaitSeconds' | 'refusedBy'> =
			answer.status === 429 ? { refusedWaitSeconds: waitMs / 1000, refusedBy: 'backoff' } : {};
		return { retry: false, ...hold, ...refused, mayHaveApplied };
	}
	// The pace makes this request wait a 429's asked wait; any other wait is its own.
	return hold.asked ? { retry: true, ...hold, mayHaveApplied } : { retry: true, waitMs, ...hold, mayHaveApplied };
}

const is2xx = (status: number) => status >= 200 && status < 300;
