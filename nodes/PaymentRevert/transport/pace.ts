import { sleepFor } from '../compat';
import { LearnedWindow, type Round } from './window';

/** What a vendor reports of its quota on an answer. */
export interface Quota {
	remaining: number;
	/** When the window ends, on this machine's clock (the vendor's clock corrected by its Date header). */
	resetAtMs: number;
}

export interface Clock {
	now(): number;
	/** Rejects when `signal` aborts (where n8n's sleep can: see compat.ts). */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What one answer told of the credential's limit. */
export interface Answer {
	quota?: Quota;
	/** A 429: every request of the credential waits this long. */
	limitedMs?: number;
	/** `limitedMs` is the vendor's own figure, so it tells when the vendor's window ends. */
	asked?: boolean;
}

/** Permission to send one request; `done` must follow, with the answer or without one (none came). */
export interface Ticket {
	done(answer?: Answer): void;
	/** How long the vendor's limit held this request back before its turn (not answers in flight). */
	heldMs?: number;
}

/**
 * What held a refused request back; always the vendor's limit, never the node's own requests in
 * flight: a 429 that said how long (`asked`), a 429 without a figure and the node's backoff
 * (`backoff`), the quota the vendor reports, used up until its reset (`quota`), or the window
 * learned from the vendor's earlier 429s (`learned`).
 */
export type HeldBy = 'asked' | 'backoff' | 'quota' | 'learned';

export interface Refusal {
	refusedWaitSeconds: number;
	heldBy: HeldBy;
}

export type Admission = Ticket | Refusal;

/** One request asking for its turn. */
export interface TurnRequest {
	/**
	 * The longest this request waits for the vendor's limit (a 429's wait, a quota's reset, a
	 * learned window's end); when its turn is further, it is refused. A wait behind requests in
	 * flight (the first request, the cap before the limit is known) is bounded by their own
	 * timeouts and does not count.
	 */
	maxWaitSeconds: number;
	/** Its own execution's: when that execution is cancelled, the request leaves the queue. */
	signal?: AbortSignal;
	/** When the request first asked; its retries keep their place. Default: now. */
	since?: number;
	/** The item already holds an answer (the read before its write): it goes first, see `rank`. */
	followUp?: boolean;
	/**
	 * Requests its execution may have in flight (its Concurrency): until the limit is known, the
	 * credential has at least that many in flight, so one execution runs as it always did.
	 */
	concurrency?: number;
}

interface Waiter {
	rank: number;
	seq: number;
	maxWaitMs: number;
	/** `Pace.held` when it asked. */
	heldFrom: number;
	grant(ticket: Ticket): void;
	refuse(refusal: Refusal): void;
}

const realClock: Clock = { now: () => Date.now(), sleep: sleepFor };

function cancelled(signal: AbortSignal): Error {
	return signal.reason instanceof Error ? signal.reason : new Error('The execution was cancelled');
}

/**
 * The pace of one credential, shared by every request of every execution that uses it in this
 * n8n process. Requests wait in one queue and go when the vendor's limit allows:
 * - the first request goes alone: it learns the quota, and an expired OAuth2 token is refreshed
 *   once rather than by every request in flight;
 * - where the vendor reports its remaining quota and the window's reset, that quota is used, then
 *   all wait for the reset and one request opens the next window;
 * - where it reports nothing, requests in flight start at one execution's Concurrency and grow by
 *   one request per round trip, so that a burst of executions meets the unknown limit with few
 *   requests too many. A 429 holds everyone for the wait the vendor asked
 *   and teaches the vendor's window (see LearnedWindow); each window of it opens with one request;
 * - a request whose item already had an answer goes before the others, unless those have waited
 *   half their Max Retry Wait: invoices are reverted early, and no one starves;
 * - Max Retry Wait bounds what the vendor's limit makes a request wait (a 429's wait, a quota's
 *   reset, a learned window's end), not its wait behind requests in flight, which their own
 *   timeouts bound.
 */
export class Pace {
	private readonly queue: Waiter[] = [];
	private seq = 0;
	private inFlight = 0;
	/** Requests in flight allowed while nothing is known of the limit. */
	private cwnd = 1;
	private probing = false;
	private probeNeeded = true;
	private blockedUntil = 0;
	private blockedBy: HeldBy = 'asked';
	/** Requests still allowed before `resetAt`; undefined while the vendor has reported no quota. */
	private budget: number | undefined;
	private resetAt = 0;
	/** The vendor's window, learned from its 429s where it reports no quota. */
	private readonly learned = new LearnedWindow();
	private wakeAt: number | undefined;
	/**
	 * How long, in all, the vendor's limit has held the queue: what Max Retry Wait bounds. It
	 * stands still while the queue waits only for answers in flight. `holdUntil`: until when the
	 * limit held the queue at the last pump, counted up to `countedTo`.
	 */
	private held = 0;
	private holdUntil = 0;
	private countedTo = 0;
	lastUsed = 0;

	constructor(private readonly clock: Clock = realClock) {}

	/**
	 * Waits for the request's turn. Resolves with a ticket, or with a refusal (nothing sent) when
	 * the turn is further than `maxWaitSeconds`; rejects when the request's execution is cancelled.
	 */
	async admit(request: TurnRequest): Promise<Admission> {
		const { signal } = request;
		if (signal?.aborted) throw cancelled(signal);
		const now = this.clock.now();
		this.count(now);
		this.lastUsed = now;
		this.cwnd = Math.max(this.cwnd, request.concurrency ?? 1);
		const maxWaitMs = Math.max(0, request.maxWaitSeconds) * 1000;
		return await new Promise<Admission>((resolve, reject) => {
			const onAbort = () => {
				this.remove(waiter);
				reject(cancelled(signal!));
				this.pump();
			};
			const settle = () => signal?.removeEventListener('abort', onAbort);
			const waiter: Waiter = {
				rank: rank(request, now, maxWaitMs),
				seq: this.seq++,
				maxWaitMs,
				heldFrom: this.held,
				grant: (ticket) => {
					settle();
					resolve(ticket);
				},
				refuse: (refusal) => {
					settle();
					resolve(refusal);
				},
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			const at = this.queue.findIndex((w) => w.rank > waiter.rank);
			this.queue.splice(at === -1 ? this.queue.length : at, 0, waiter);
			this.pump();
		});
	}

	/** The vendor asked everyone to wait (a 429). */
	hold(ms: number): void {
		this.block(this.clock.now() + ms, 'asked');
		this.pump();
	}

	/** One item's own wait (a backoff after a 5xx or a network failure); ends when `signal` aborts. */
	async pause(ms: number, signal?: AbortSignal): Promise<void> {
		await this.clock.sleep(ms, signal);
	}

	/** Nothing in flight or waiting, and no wait or window of the vendor's still running. */
	idleFor(ms: number, now: number): boolean {
		return (
			this.inFlight === 0 &&
			this.queue.length === 0 &&
			now - Math.max(this.lastUsed, this.blockedUntil, this.resetAt) > ms
		);
	}

	/** Grants every turn that is due, refuses the ones beyond their wait, and sleeps until the next. */
	private pump(): void {
		for (;;) {
			const now = this.clock.now();
			this.count(now);
			this.roll(now);
			this.refuseLate(now);
			if (this.queue.length === 0) break;
			const at = this.nextTurn(now);
			if (at > now) {
				this.wake(at, now);
				break;
			}
			const waiter = this.queue.shift()!;
			waiter.grant({ ...this.ticket(now), heldMs: this.held - waiter.heldFrom });
		}
		this.holdUntil = this.vendorHold();
	}

	/** Adds the time the vendor's limit held the queue since the last count. */
	private count(now: number): void {
		this.held += Math.max(0, Math.min(now, this.holdUntil) - this.countedTo);
		this.countedTo = now;
	}

	/** Until when the vendor's limit (not an answer in flight) keeps the next request from going. */
	private vendorHold(): number {
		let until = this.blockedUntil;
		if (this.budget !== undefined) {
			if (this.budget <= 0) until = Math.max(until, this.resetAt);
		} else if (this.learned.full()) {
			// Until the round's first answer, its end is not known: the wait is for that answer.
			const end = this.learned.end();
			if (end !== Infinity) until = Math.max(until, end);
		}
		return until;
	}

	/** When the next request may go; Infinity while it must wait for an answer in flight. */
	private nextTurn(now: number): number {
		if (this.probing) return Infinity;
		const at = Math.max(now, this.blockedUntil);
		if (this.budget !== undefined) return this.budget > 0 ? at : Math.max(at, this.resetAt);
		if (this.learned.limit !== undefined) {
			if (this.learned.full()) return Math.max(at, this.learned.end());
			// A round's first request goes alone: if the vendor's window is still running, one 429
			// tells it, not a round of them.
			return this.learned.waitingForFirstAnswer() ? Infinity : at;
		}
		return !this.probeNeeded && this.inFlight >= this.cwnd ? Infinity : at;
	}

	/**
	 * The earliest turn of the request at `position` in the queue, from what is known of the limit
	 * (answers in flight are assumed to come at once): a lower bound while the vendor's next
	 * quota is unknown.
	 */
	private turnAt(position: number, now: number): { at: number; heldBy: HeldBy } {
		const from = Math.max(now, this.blockedUntil);
		if (this.budget !== undefined) {
			const at = position < this.budget ? from : Math.max(from, this.resetAt);
			return { at, heldBy: at > from ? 'quota' : this.blockedBy };
		}
		const at = this.learned.turnAt(position, from);
		return { at, heldBy: at > from ? 'learned' : this.blockedBy };
	}

	/**
	 * Refuses the requests whose turn, by the vendor's limit, is further than what is left of
	 * their Max Retry Wait; never one whose turn has come.
	 */
	private refuseLate(now: number): void {
		let position = 0;
		for (const waiter of [...this.queue]) {
			const { at, heldBy } = this.turnAt(position, now);
			const left = waiter.maxWaitMs - (this.held - waiter.heldFrom);
			if (at > now && at - now > left) {
				this.remove(waiter);
				waiter.refuse({ refusedWaitSeconds: Math.max(1, Math.ceil((at - now) / 1000)), heldBy });
			} else position += 1;
		}
	}

	private remove(waiter: Waiter): void {
		const at = this.queue.indexOf(waiter);
		if (at !== -1) this.queue.splice(at, 1);
	}

	private wake(at: number, now: number): void {
		if (at === Infinity || (this.wakeAt !== undefined && this.wakeAt <= at && this.wakeAt > now)) return;
		this.wakeAt = at;
		void this.clock.sleep(at - now).then(() => {
			if (this.wakeAt === at) this.wakeAt = undefined;
			this.pump();
		});
	}

	/** Closes the windows that are over. */
	private roll(now: number): void {
		if (this.budget !== undefined && now >= this.resetAt) {
			// The reported window is over: the next answer tells the new one.
			this.budget = undefined;
			this.probeNeeded = true;
		}
		this.learned.roll(now, this.blockedUntil);
	}

	private ticket(now: number): Ticket {
		const probe = this.probeNeeded;
		if (probe) {
			this.probeNeeded = false;
			this.probing = true;
		}
		if (this.budget !== undefined) this.budget -= 1;
		const round = this.learned.admitted(now);
		this.inFlight += 1;
		this.lastUsed = now;
		let finished = false;
		return {
			done: (answer) => {
				if (finished) return;
				finished = true;
				if (probe) this.probing = false;
				this.answered(round, answer);
				this.pump();
			},
		};
	}

	private answered(round: Round, answer: Answer | undefined): void {
		const now = this.clock.now();
		this.lastUsed = now;
		// Grow only while the cap is what holds requests back.
		const capped = this.inFlight >= this.cwnd;
		this.inFlight -= 1;
		if (answer?.quota) this.learnQuota(answer.quota);
		// Even a failure ends after the request reached the vendor, if it did.
		this.learned.answered(round, now, answer !== undefined && answer.limitedMs === undefined);
		if (answer?.limitedMs === undefined) {
			// One more per round trip (1/cwnd per answer): the unknown limit is met with about
			// sqrt(2 x limit) requests in flight, so few answers 429.
			if (answer && capped) this.cwnd += 1 / this.cwnd;
			return;
		}
		this.block(now + answer.limitedMs, answer.asked ? 'asked' : 'backoff');
		if (!answer.asked) {
			// No figure from the vendor: fewer requests at once.
			this.cwnd = Math.max(1, Math.floor(this.cwnd / 2));
		} else if (this.budget === undefined) this.learned.limited(round, now, answer.limitedMs);
	}

	private block(until: number, by: HeldBy): void {
		if (until <= this.blockedUntil) return;
		this.blockedUntil = until;
		this.blockedBy = by;
	}

	private learnQuota({ remaining, resetAtMs }: Quota): void {
		// The vendor says what is left: nothing to guess.
		this.learned.forget();
		if (this.budget === undefined || resetAtMs > this.resetAt) {
			// A new window: requests still in flight may count in it.
			this.budget = Math.max(0, remaining - this.inFlight);
			this.resetAt = resetAtMs;
		} else if (resetAtMs === this.resetAt) {
			// Our own count already holds the requests in flight; a lower figure means someone else
			// uses the same key.
			this.budget = Math.min(this.budget, remaining);
		}
	}
}

/**
 * The queue's order: a request that already holds an answer for its item ranks by when it asked;
 * any other ranks half its Max Retry Wait later, so it yields to those until it has waited that long.
 */
function rank(request: TurnRequest, now: number, maxWaitMs: number): number {
	return (request.since ?? now) + (request.followUp ? 0 : maxWaitMs / 2);
}

const paces = new Map<string, Pace>();
const IDLE_MS = 15 * 60_000;

/** The pace for one credential in this process, created on first use; idle ones are dropped. */
export function paceFor(key: string): Pace {
	const now = Date.now();
	for (const [k, pace] of paces) if (pace.idleFor(IDLE_MS, now)) paces.delete(k);
	let pace = paces.get(key);
	if (!pace) {
		pace = new Pace();
		pace.lastUsed = now;
		paces.set(key, pace);
	}
	return pace;
}
