/**
 * A vendor's rate-limit window learned from its 429s, for vendors that report no quota (Qonto,
 * Wethod answer only a 429 and a wait). A window opens with the first request after a release;
 * a 429 that states a wait tells when the vendor's window ends, so how long it is and how many
 * requests it accepted. Later windows send that many, then wait for the window's end.
 */
export interface Round {
	epoch: number;
	openedAt?: number;
	admitted: number;
	/** Answers other than 429 to the requests admitted in this round. */
	accepted: number;
	/**
	 * When the round's first request ended: the vendor's window opened (with the first request that
	 * reached it) before that, so it ends no sooner than the learned length after it.
	 */
	answeredAt?: number;
	/** When the round's first 429 with a wait came, and when the vendor said (by it) that its window ends. */
	limitedAt?: number;
	endsAt?: number;
}

/** A round that is over, as the next one learns from it. */
interface Closed {
	openedAt: number;
	end: number;
	accepted: number;
	/** A 429 ended it (not our estimate of the window). */
	limited: boolean;
}

/** The longest window any of the vendors documents (Wethod: 5,000 requests per hour). */
const MAX_WINDOW_MS = 60 * 60_000;
/**
 * Before a window is known, a round that ran longer than this many times the wait its first 429
 * asked spans more than one of the vendor's windows (or quiet time between them): it teaches no
 * window. The round after the 429's release opens with the vendor's next window and does.
 */
const FIRST_SPAN = 3;

export class LearnedWindow {
	/** Requests per window and its length; undefined until a 429 stated a wait. */
	limit: number | undefined;
	ms = 0;
	round: Round = { epoch: 0, admitted: 0, accepted: 0 };
	/** How much the next full round without a 429 adds to `limit`; doubles while rounds stay clean. */
	private step = 1;
	private previous: Closed | undefined;

	/** The round is used up: the next request waits for its end. */
	full(): boolean {
		return this.limit !== undefined && this.round.openedAt !== undefined && this.round.admitted >= this.limit;
	}

	/** The round's first request is on its way. */
	waitingForFirstAnswer(): boolean {
		return this.round.openedAt !== undefined && this.round.answeredAt === undefined;
	}

	/** When the round ends; Infinity until that is known. `estimate`: assume an answer comes now. */
	end(now?: number): number {
		const { answeredAt = now, endsAt } = this.round;
		if (endsAt !== undefined) return endsAt;
		return this.limit !== undefined && answeredAt !== undefined ? answeredAt + this.ms : Infinity;
	}

	/** The earliest turn of the request at `position` in the queue, from `at` on. */
	turnAt(position: number, at: number): number {
		if (this.limit === undefined) return at;
		const open = this.round.openedAt !== undefined;
		const left = open ? Math.max(0, this.limit - this.round.admitted) : this.limit;
		if (position < left) return at;
		const next = open ? Math.max(at, this.end(at)) : at + this.ms;
		return next + Math.floor((position - left) / this.limit) * this.ms;
	}

	admitted(now: number): Round {
		this.round.openedAt ??= now;
		this.round.admitted += 1;
		return this.round;
	}

	/** A request of `round` ended; `accepted`: answered, not with a 429. */
	answered(round: Round, now: number, accepted: boolean): void {
		if (round !== this.round) return;
		round.answeredAt ??= now;
		if (accepted) round.accepted += 1;
	}

	/** A 429 stating `ms` to wait, to a request of `round`. */
	limited(round: Round, now: number, ms: number): void {
		if (round !== this.round || round.openedAt === undefined || ms <= 0) return;
		round.limitedAt ??= now;
		round.endsAt = Math.min(round.endsAt ?? Infinity, now + ms);
	}

	/** Closes the round once it is over (and the vendor's hold too), learning from it. */
	roll(now: number, blockedUntil: number): void {
		const round = this.round;
		const end = this.end();
		if (round.openedAt === undefined || now < blockedUntil || now < end) return;
		if (round.endsAt !== undefined) this.learnFrom(round as Required<Round>);
		else if (this.limit !== undefined && round.admitted >= this.limit) {
			// A full round without a 429: the vendor may allow more; a limit set too low by a
			// passing 429 recovers in a few rounds.
			this.limit += this.step;
			this.step *= 2;
		}
		this.previous = { openedAt: round.openedAt, end, accepted: round.accepted, limited: round.endsAt !== undefined };
		this.round = { epoch: round.epoch + 1, admitted: 0, accepted: 0 };
	}

	forget(): void {
		this.limit = undefined;
	}

	/** A round that a 429 ended: what it tells of the vendor's window. */
	private learnFrom({ openedAt, accepted, limitedAt, endsAt }: Required<Round>): void {
		if (this.limit === undefined) {
			// Nothing accepted: the vendor's window was used up before this round; it tells no limit.
			if (accepted > 0 && limitedAt - openedAt <= FIRST_SPAN * (endsAt - limitedAt)) this.learn(accepted, endsAt - openedAt);
			return;
		}
		const previous = this.previous;
		if (
			previous &&
			!previous.limited &&
			openedAt - previous.end < this.ms &&
			(accepted === 0 || endsAt - openedAt > 1.5 * this.ms)
		) {
			// Our estimate released this round, and the vendor's window ends later than one opened by
			// it would: the window that opened with the previous round was still running, it is
			// longer than learned.
			this.learn(previous.accepted + accepted, endsAt - previous.openedAt);
		} else if (accepted > 0 && endsAt - openedAt <= 2 * this.ms) {
			// A window of about the known length: its limit (lower, or our growth went past it).
			this.learn(accepted, endsAt - openedAt);
		}
		// Otherwise a wait far beyond the known window after a pause (another client used the
		// quota, a penalty): it was waited, and teaches nothing.
	}

	/**
	 * Takes what one round showed. A known window changes by at most half its limit, and half or
	 * double its length, per round: one round can be the exception (another client used the
	 * quota, a passing 429), and a wrong figure must not hold every request for an hour.
	 */
	private learn(limit: number, ms: number): void {
		if (this.limit === undefined) {
			this.limit = limit;
			this.ms = Math.min(ms, MAX_WINDOW_MS);
		} else {
			this.limit = Math.max(limit, Math.ceil(this.limit / 2));
			this.ms = Math.min(Math.max(ms, this.ms / 2), 2 * this.ms, MAX_WINDOW_MS);
		}
		this.step = 1;
	}
}
