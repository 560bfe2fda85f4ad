import { sleep } from 'n8n-workflow';

/** What a vendor reports of its quota on an answer. */
export interface Quota {
	remaining: number;
	/** When the window ends, on this machine's clock (the vendor's clock corrected by its Date header). */
	resetAtMs: number;
}

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

/** Permission to send one request; `done` must follow, answer or not. */
export interface Ticket {
	done(quota?: Quota): void;
}

export type Admission = Ticket | { refusedWaitSeconds: number };

const realClock = (signal?: AbortSignal): Clock => ({
	now: () => Date.now(),
	// n8n 2.x's sleep stops when the execution is cancelled; 1.x ignores the signal.
	sleep: async (ms) => await (sleep as (ms: number, signal?: AbortSignal) => Promise<void>)(ms, signal),
});

/**
 * The pace of one credential, shared by every request of a run:
 * - the first request goes alone: it learns the quota, and an expired OAuth2 token is refreshed
 *   once rather than by every item in flight;
 * - where the vendor reports its remaining quota and the window's reset, the rest of the quota is
 *   spread evenly until the reset; once it is used up, all wait for the reset and one request
 *   opens the next window;
 * - a 429 holds everyone for the wait the vendor asked (or a backoff), not only the item that got it.
 */
export class Pace {
	private probe: Promise<void> | undefined;
	private probeNeeded = true;
	private blockedUntil = 0;
	/** Requests still allowed before `resetAt`; undefined while the vendor has reported no quota. */
	private budget: number | undefined;
	private resetAt = 0;
	private nextAt = 0;
	private inFlight = 0;
	lastUsed = 0;

	constructor(private readonly clock: Clock = realClock()) {}

	/** Waits for the request's turn; refuses when the vendor's wait is longer than `maxWaitSeconds`. */
	async admit(maxWaitSeconds: number): Promise<Admission> {
		for (;;) {
			this.lastUsed = this.clock.now();
			if (this.probe) {
				await this.probe;
				continue;
			}
			const now = this.clock.now();
			if (this.budget !== undefined && now >= this.resetAt) {
				// The window is over: the next answer tells the new one.
				this.budget = undefined;
				this.probeNeeded = true;
			}
			const until = Math.max(this.blockedUntil, this.budget !== undefined && this.budget <= 0 ? this.resetAt : 0);
			if (until > now) {
				if (until - now > maxWaitSeconds * 1000) return { refusedWaitSeconds: Math.ceil((until - now) / 1000) };
				await this.clock.sleep(until - now);
				continue;
			}
			if (this.probeNeeded) {
				this.probeNeeded = false;
				let release!: () => void;
				this.probe = new Promise((resolve) => (release = resolve));
				return this.ticket(() => {
					this.probe = undefined;
					release();
				});
			}
			if (this.budget !== undefined) {
				// Reserve the next evenly spaced slot before sleeping, so that concurrent items queue.
				const at = Math.max(now, this.nextAt);
				// A turn further away than the user allows is refused without taking it.
				if (at - now > maxWaitSeconds * 1000) return { refusedWaitSeconds: Math.ceil((at - now) / 1000) };
				this.nextAt = at + (this.resetAt - at) / this.budget;
				this.budget -= 1;
				if (at > now) await this.clock.sleep(at - now);
				if (this.blockedUntil > this.clock.now()) continue;
			}
			return this.ticket();
		}
	}

	/** Nothing in flight or waiting, and no wait or window of the vendor's still running. */
	idleFor(ms: number, now: number): boolean {
		return this.inFlight === 0 && !this.probe && now - Math.max(this.lastUsed, this.blockedUntil, this.resetAt) > ms;
	}

	/** The vendor asked everyone to wait (a 429). */
	hold(ms: number): void {
		this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + ms);
	}

	/** One item's own wait (a backoff after a 5xx or a network failure). */
	async pause(ms: number): Promise<void> {
		await this.clock.sleep(ms);
	}

	private ticket(onDone?: () => void): Ticket {
		this.inFlight += 1;
		let finished = false;
		return {
			done: (quota) => {
				if (finished) return;
				finished = true;
				this.lastUsed = this.clock.now();
				this.inFlight -= 1;
				if (quota) this.learn(quota);
				onDone?.();
			},
		};
	}

	private learn({ remaining, resetAtMs }: Quota): void {
		if (this.budget === undefined || resetAtMs > this.resetAt) {
			// A new window: requests still in flight may count in it.
			this.budget = Math.max(0, remaining - this.inFlight);
			this.resetAt = resetAtMs;
			this.nextAt = this.clock.now();
		} else if (resetAtMs === this.resetAt) {
			// Our own count already holds the requests in flight; a lower figure means someone else
			// uses the same key.
			this.budget = Math.min(this.budget, remaining);
		}
	}
}

const paces = new Map<string, Pace>();
const IDLE_MS = 15 * 60_000;

/** The pace for one credential within one execution, created on first use. */
export function paceFor(key: string, signal?: AbortSignal): Pace {
	const now = Date.now();
	for (const [k, pace] of paces) if (pace.idleFor(IDLE_MS, now)) paces.delete(k);
	let pace = paces.get(key);
	if (!pace) {
		pace = new Pace(realClock(signal));
		pace.lastUsed = now;
		paces.set(key, pace);
	}
	return pace;
}
