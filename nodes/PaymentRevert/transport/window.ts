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
	/** When the vendor said (by a 429) that its window ends. */
	endsAt?: number;
	/** The 429 came right after our release: the vendor's previous window was still running. */
	early?: boolean;
}

export class LearnedWindow {
	/** Requests per window and its length; undefined until a 429 stated a wait. */
	limit: number | undefined;
	ms = 0;
	round: Round = { epoch: 0, admitted: 0, accepted: 0 };
	/** How much the next full round without a 429 adds to `limit`; doubles while rounds stay clean. */
	private step = 1;
	private previousOpenedAt: number | undefined;

	/** The round is used up: the next request waits for its end. */
	full(): boolean {
		return this.limit !== undefined && this.round.openedAt !== undefined && this.round.admitted >= this.limit;
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
		const endsAt = now + ms;
		if (round.endsAt !== undefined) {
			round.endsAt = Math.min(round.endsAt, endsAt);
			return;
		}
		if (this.limit !== undefined && this.previousOpenedAt !== undefined && endsAt - round.openedAt < this.ms / 2) {
			// Released too early: the vendor's window is longer than learned.
			this.ms = Math.max(this.ms, endsAt - this.previousOpenedAt);
			round.early = true;
		}
		round.endsAt = endsAt;
	}

	/** Closes the round once it is over (and the vendor's hold too), learning from it. */
	roll(now: number, blockedUntil: number): void {
		const round = this.round;
		if (round.openedAt === undefined || now < blockedUntil || now < this.end()) return;
		if (round.endsAt !== undefined) {
			// Nothing accepted: the vendor's window was used up before this round (by someone else,
			// or by requests of an earlier round); it tells no limit.
			if (!round.early && round.accepted > 0) {
				this.limit = round.accepted;
				this.ms = round.endsAt - round.openedAt;
				this.step = 1;
			}
		} else if (this.limit !== undefined && round.admitted >= this.limit) {
			// A full round without a 429: the vendor may allow more; a limit set too low by a
			// passing 429 recovers in a few rounds.
			this.limit += this.step;
			this.step *= 2;
		}
		this.previousOpenedAt = round.openedAt;
		this.round = { epoch: round.epoch + 1, admitted: 0, accepted: 0 };
	}

	forget(): void {
		this.limit = undefined;
	}
}
