/**
 * The shared pace on a simulated clock: the schedule is checked exactly, without waiting in real
 * time. Two simulated vendors count fixed windows: one reports its quota like Contazen, the other
 * only answers 429 with a wait, like Qonto and Wethod (and like the local fakes).
 */
import { sleep } from 'n8n-workflow';

import { Pace, paceFor, type Admission, type Answer, type Clock, type Quota, type Refusal, type Ticket, type TurnRequest } from '../../nodes/PaymentRevert/transport/pace';

/** Lets every promise chain settle before the clock moves on. */
const flush = async () => await sleep(0);

class SimClock implements Clock {
	t = 0;
	private timers: Array<{ at: number; resolve: () => void }> = [];
	now = () => this.t;
	sleep = async (ms: number, signal?: AbortSignal) =>
		await new Promise<void>((resolve, reject) => {
			const timer = { at: this.t + Math.max(0, ms), resolve };
			this.timers.push(timer);
			signal?.addEventListener('abort', () => {
				this.timers = this.timers.filter((t) => t !== timer);
				reject(new Error('cancelled'));
			});
		});

	/** Advances time from timer to timer until `work` is done. */
	async run<T>(work: Promise<T>): Promise<T> {
		let done = false;
		void work.finally(() => (done = true)).catch(() => undefined);
		for (;;) {
			await flush();
			if (done) return await work;
			if (this.timers.length === 0) throw new Error('deadlock: nothing scheduled');
			this.timers.sort((a, b) => a.at - b.at);
			const next = this.timers.shift()!;
			this.t = Math.max(this.t, next.at);
			next.resolve();
		}
	}
}

interface Hit {
	ok: boolean;
	/** The vendor's answer as the transport reports it to the pace. */
	answer: Answer;
}

/** Fixed windows opened by the first request after the last one ended; refused requests do not count. */
abstract class FixedWindows {
	windowStart = -Infinity;
	count = 0;
	sent: number[] = [];
	limited: number[] = [];
	constructor(
		protected clock: SimClock,
		/** Both may change, as a vendor's limit does. */
		public limit: number,
		public windowMs: number,
	) {}
	hit(): Hit {
		const now = this.clock.now();
		if (now >= this.windowStart + this.windowMs) {
			this.windowStart = now;
			this.count = 0;
		}
		const ok = this.count < this.limit;
		if (ok) {
			this.count += 1;
			this.sent.push(now);
		} else this.limited.push(now);
		return { ok, answer: this.answer(ok, now) };
	}
	protected abstract answer(ok: boolean, now: number): Answer;
	/** 429s per window of the vendor, in order. */
	limitedPerWindow(): number[] {
		const starts = this.sent.filter((t, i) => i % this.limit === 0);
		return starts.map((start, i) => this.limited.filter((t) => t >= (i === 0 ? -Infinity : start) && t < (starts[i + 1] ?? Infinity)).length);
	}
}

/** Reports its quota on every answer, reset in whole seconds (Contazen). */
class QuotaVendor extends FixedWindows {
	protected answer(ok: boolean, now: number): Answer {
		const resetAtMs = Math.ceil((this.windowStart + this.windowMs) / 1000) * 1000;
		const quota: Quota = { remaining: this.limit - this.count, resetAtMs };
		return ok ? { quota } : { quota, limitedMs: resetAtMs - now, asked: true };
	}
}

/** Reports nothing; a 429 asks to wait the rest of the window in whole seconds (Qonto, Wethod, the fakes). */
class SilentVendor extends FixedWindows {
	protected answer(ok: boolean, now: number): Answer {
		if (ok) return {};
		return { limitedMs: Math.max(1, Math.ceil((this.windowStart + this.windowMs - now) / 1000)) * 1000, asked: true };
	}
}

/** `requests` requests through `concurrency` workers, each answered after `latencyMs`. */
async function batch(pace: Pace, clock: SimClock, vendor: FixedWindows, requests: number, concurrency: number, latencyMs = 20) {
	let next = 0;
	let inFlight = 0;
	let maxInFlight = 0;
	const worker = async () => {
		while (next < requests) {
			next += 1;
			for (;;) {
				const ticket = (await pace.admit({ maxWaitSeconds: 3600 })) as Ticket;
				inFlight += 1;
				maxInFlight = Math.max(maxInFlight, inFlight);
				await clock.sleep(latencyMs / 2);
				const { ok, answer } = vendor.hit();
				await clock.sleep(latencyMs / 2);
				inFlight -= 1;
				ticket.done(answer);
				if (ok) break;
			}
		}
	};
	await clock.run(Promise.all(Array.from({ length: concurrency }, worker)));
	return { maxInFlight };
}

interface ItemOptions {
	/** Requests of the item in a row (2: a read, then the write). */
	requests?: number;
	maxRetries?: number;
	maxWaitSeconds?: number;
	signal?: AbortSignal;
	latencyMs?: number;
}

interface ItemResult {
	ok: boolean;
	refusedWaitSeconds?: number;
	/** When the item's last request was answered. */
	at: number;
}

/** One item the way transport.ts sends it: each request waits its turn, a 429 uses up an attempt. */
async function item(pace: Pace, clock: SimClock, vendor: FixedWindows, options: ItemOptions = {}): Promise<ItemResult> {
	const { requests = 2, maxRetries = 3, maxWaitSeconds = 60, signal, latencyMs = 20 } = options;
	for (let r = 0; r < requests; r++) {
		const turn: TurnRequest = { maxWaitSeconds, signal, since: clock.now(), followUp: r > 0 };
		for (let attempt = 0; ; attempt++) {
			const admission = await pace.admit(turn);
			if (!('done' in admission)) return { ok: false, refusedWaitSeconds: admission.refusedWaitSeconds, at: clock.now() };
			await clock.sleep(latencyMs / 2);
			const { ok, answer } = vendor.hit();
			await clock.sleep(latencyMs / 2);
			admission.done(answer);
			if (ok) break;
			if (attempt >= maxRetries || answer.limitedMs! > maxWaitSeconds * 1000) return { ok: false, at: clock.now() };
		}
	}
	return { ok: true, at: clock.now() };
}

/** `n` items asking at once (a burst of one-item executions); the ones that failed. */
async function burst(pace: Pace, clock: SimClock, vendor: FixedWindows, n: number, options: ItemOptions = {}) {
	const results = await clock.run(Promise.all(Array.from({ length: n }, async () => await item(pace, clock, vendor, options))));
	return results.filter((r) => !r.ok);
}

/** The limit-bound minimum from the first request: full windows back to back. */
const minimumMs = (requests: number, vendor: FixedWindows) => (Math.ceil(requests / vendor.limit) - 1) * vendor.windowMs;

describe('Pace (simulated clock)', () => {
	it.each([1, 5, 20])('300 requests at 30 per 6 s with quota headers, concurrency %i: no 429, one window after another', async (concurrency) => {
		const clock = new SimClock();
		const vendor = new QuotaVendor(clock, 30, 6000);
		const pace = new Pace(clock);
		await batch(pace, clock, vendor, 300, concurrency);
		expect(vendor.limited).toEqual([]);
		expect(vendor.sent).toHaveLength(300);
		// 10 windows of 6 s (reset announced in whole seconds, so up to 7 s each).
		const elapsed = clock.now();
		expect(elapsed).toBeGreaterThanOrEqual(54_000);
		expect(elapsed).toBeLessThanOrEqual(10 * 7000);
	});

	it('with quota headers, uses what is left at once, then waits for the reset', async () => {
		const clock = new SimClock();
		const vendor = new QuotaVendor(clock, 30, 6000);
		await batch(new Pace(clock), clock, vendor, 60, 60, 0);
		expect(vendor.limited).toEqual([]);
		// The first request goes alone; the 29 left go at once; the next window opens at the reset.
		expect(vendor.sent.slice(0, 30)).toEqual(Array.from({ length: 30 }, () => 0));
		expect(vendor.sent.slice(30)).toEqual(Array.from({ length: 30 }, () => 6000));
	});

	it('the first request goes alone; the others follow its answer', async () => {
		const clock = new SimClock();
		const vendor = new QuotaVendor(clock, 1000, 60_000);
		const pace = new Pace(clock);
		const order: string[] = [];
		await clock.run(
			Promise.all(
				[0, 1, 2].map(async (i) => {
					const ticket = (await pace.admit({ maxWaitSeconds: 60 })) as Ticket;
					order.push(`send ${i}`);
					await clock.sleep(100);
					order.push(`answer ${i}`);
					ticket.done(vendor.hit().answer);
				}),
			),
		);
		expect(order.slice(0, 2)).toEqual(['send 0', 'answer 0']);
	});

	it('without quota headers, one execution runs at its Concurrency after the first answer; a burst of executions starts from one', async () => {
		const inFlightAfterProbe = async (concurrency: number) => {
			const clock = new SimClock();
			const pace = new Pace(clock);
			let inFlight = 0;
			let most = 0;
			await clock.run(
				Promise.all(
					Array.from({ length: 8 }, async () => {
						const ticket = (await pace.admit({ maxWaitSeconds: 60, concurrency })) as Ticket;
						inFlight += 1;
						most = Math.max(most, inFlight);
						await clock.sleep(100);
						inFlight -= 1;
						ticket.done({});
					}),
				),
			);
			return { most, elapsed: clock.now() };
		};
		// One execution with Concurrency 5: the probe, then (at least) 5 at a time.
		const one = await inFlightAfterProbe(5);
		expect(one.most).toBeGreaterThanOrEqual(5);
		// Executions of one item each: after the probe, 1 more, then a half more per answer.
		const burst = await inFlightAfterProbe(1);
		expect(burst.most).toBeLessThan(5);
		expect(burst.elapsed).toBeGreaterThan(one.elapsed);
	});

	it('without quota headers, a 429 holds every item for the wait asked', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		const first = (await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket;
		first.done({ limitedMs: 5000, asked: true });
		const admitted: number[] = [];
		await clock.run(
			Promise.all(
				[0, 1, 2].map(async () => {
					const ticket = (await pace.admit({ maxWaitSeconds: 60 })) as Ticket;
					admitted.push(clock.now());
					ticket.done({});
				}),
			),
		);
		expect(admitted).toEqual([5000, 5000, 5000]);
	});

	it('a held wait longer than allowed is refused at once with the wait', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		((await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket).done({});
		pace.hold(90_500);
		expect(await clock.run(pace.admit({ maxWaitSeconds: 60 }))).toEqual({ refusedWaitSeconds: 91, heldBy: 'asked' });
		expect(clock.now()).toBe(0);
	});

	it('a quota used up by someone else on the same key: waits for the reset, no 429', async () => {
		const clock = new SimClock();
		const vendor = new QuotaVendor(clock, 10, 6000);
		const pace = new Pace(clock);
		const probe = (await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket;
		probe.done(vendor.hit().answer);
		for (let i = 0; i < 9; i++) vendor.hit(); // another workflow, same API key
		const ticket = (await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket;
		// This one goes (the pace did not know yet), is refused and learns that nothing is left.
		ticket.done(vendor.hit().answer);
		await batch(pace, clock, vendor, 5, 3);
		expect(vendor.limited).toHaveLength(1);
		expect(vendor.sent.slice(-5).every((t) => t >= 6000)).toBe(true);
	});

	it('a turn beyond the quota window is refused at once when the reset is further than Max Retry Wait', async () => {
		const clock = new SimClock();
		const vendor = new QuotaVendor(clock, 3, 60_000);
		const pace = new Pace(clock);
		((await clock.run(pace.admit({ maxWaitSeconds: 10 }))) as Ticket).done(vendor.hit().answer);
		// 2 left in this window, reset in 60 s: the third request would wait 60 s.
		const admissions = await clock.run(Promise.all([0, 1, 2].map(async () => await pace.admit({ maxWaitSeconds: 10 }))));
		expect(admissions.map((a) => ('done' in a ? 'ticket' : a))).toEqual(['ticket', 'ticket', { refusedWaitSeconds: 60, heldBy: 'quota' }]);
		expect(clock.now()).toBe(0);
	});

	it('a pace stays while the vendor\'s wait runs, and is idle only after it', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		((await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket).done({});
		pace.hold(30 * 60_000);
		expect(pace.idleFor(15 * 60_000, 20 * 60_000)).toBe(false);
		expect(pace.idleFor(15 * 60_000, 46 * 60_000)).toBe(true);
	});
});

describe('Pace shared by executions (simulated clock)', () => {
	it('several executions interleaved on one pace: served in the order they asked, no 429', async () => {
		const clock = new SimClock();
		const vendor = new QuotaVendor(clock, 10, 2000);
		const pace = new Pace(clock);
		const order: string[] = [];
		// Three executions of 8 items, each with its own concurrency of 2, started 5 ms apart.
		const execution = async (name: string, startMs: number) => {
			await clock.sleep(startMs);
			let next = 0;
			const worker = async () => {
				while (next < 8) {
					const i = next++;
					const ticket = (await pace.admit({ maxWaitSeconds: 60 })) as Ticket;
					order.push(`${name}${i}`);
					await clock.sleep(20);
					ticket.done(vendor.hit().answer);
				}
			};
			await Promise.all([worker(), worker()]);
		};
		await clock.run(Promise.all([execution('a', 0), execution('b', 5), execution('c', 10)]));
		expect(vendor.limited).toEqual([]);
		expect(vendor.sent).toHaveLength(24);
		// One stream: each window holds requests of every execution.
		expect(new Set(order.slice(0, 10).map((name) => name[0]))).toEqual(new Set(['a', 'b', 'c']));
		expect(clock.now()).toBeLessThan(3 * 2000 + 1000);
	});

	it('an execution cancelled mid-wait: its requests leave the queue at once, the others keep their order', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		((await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket).done({ limitedMs: 5000, asked: true });
		const a = new AbortController();
		const b = new AbortController();
		const events: string[] = [];
		const wait = async (name: string, signal: AbortSignal, followUp = false) => {
			try {
				const ticket = (await pace.admit({ maxWaitSeconds: 60, signal, followUp })) as Ticket;
				events.push(`${name} at ${clock.now()}`);
				ticket.done({});
			} catch {
				events.push(`${name} cancelled at ${clock.now()}`);
			}
		};
		const cancel = async () => {
			await clock.sleep(1000);
			a.abort();
		};
		await clock.run(Promise.all([wait('a1', a.signal), wait('b1', b.signal), wait('a2', a.signal, true), wait('b2', b.signal), cancel()]));
		expect(events).toEqual(['a1 cancelled at 1000', 'a2 cancelled at 1000', 'b1 at 5000', 'b2 at 5000']);
		// Nothing is left waiting.
		expect(pace.idleFor(0, clock.now() + 1)).toBe(true);
	});

	it('an execution cancelled while its request waits behind a probe in flight does not block the others', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		const probe = (await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket;
		const a = new AbortController();
		const waiting = pace.admit({ maxWaitSeconds: 60, signal: a.signal });
		const other = pace.admit({ maxWaitSeconds: 60 });
		a.abort();
		await expect(waiting).rejects.toThrow();
		probe.done({});
		expect('done' in (await clock.run(other))).toBe(true);
	});

	it.each([
		['120 items (a read, then the write), Max Retry Wait 60 s', 120, 60],
		['300 items (a read, then the write), Max Retry Wait 120 s', 300, 120],
	])('no quota headers, 30 requests per 6 s, %s, all asking at once: the window is learned', async (_name, items, maxWaitSeconds) => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 30, 6000);
		const pace = new Pace(clock);
		const results = await clock.run(Promise.all(Array.from({ length: items }, async () => await item(pace, clock, vendor, { maxWaitSeconds }))));
		expect(results.filter((r) => !r.ok)).toEqual([]);
		expect(vendor.sent).toHaveLength(items * 2);
		// The first window finds the limit with one request more per round trip, so about
		// sqrt(2 x 30) in flight meet it; after it, at most a request or two more per window.
		const perWindow = vendor.limitedPerWindow();
		expect(perWindow[0]).toBeLessThanOrEqual(10);
		expect(Math.max(...perWindow.slice(1))).toBeLessThanOrEqual(2);
		// Every window used to the full, back to back: within 1.1x of the limit-bound minimum.
		expect(Math.max(...results.map((r) => r.at))).toBeLessThanOrEqual(1.1 * minimumMs(items * 2, vendor));
	});

	it('no quota headers: full windows without a 429 try more (1, 2, 4, ... more), so a raised limit is found', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 10, 1000);
		const pace = new Pace(clock);
		await batch(pace, clock, vendor, 100, 100);
		// Learned: 10 per second. The vendor now allows 20.
		vendor.limit = 20;
		vendor.sent = [];
		vendor.limited = [];
		const started = clock.now();
		await batch(pace, clock, vendor, 400, 400);
		expect(vendor.sent).toHaveLength(400);
		// At 10 per second, 400 requests take 39 s or more; at 20, 19 s.
		expect(clock.now() - started).toBeLessThan(25_000);
		// One request too many in every other window at most, once the new limit is found.
		expect(vendor.limited.length).toBeLessThanOrEqual(15);
	});

	it('a learned window counts from the first answer of its round: a request slow to reach the vendor does not make the next round early', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 10, 2000);
		const pace = new Pace(clock);
		/** One request `outboundMs` on its way to the vendor, answered at once; retried after a 429. */
		const send = async (outboundMs: number, retry = true) => {
			for (;;) {
				const ticket = (await pace.admit({ maxWaitSeconds: 60 })) as Ticket;
				await clock.sleep(outboundMs);
				const { ok, answer } = vendor.hit();
				ticket.done(answer);
				if (ok || !retry) return;
			}
		};
		// 11 at once: 10 accepted, one 429 asking 2 s. Learned: 10 per 2 s.
		await clock.run(Promise.all(Array.from({ length: 11 }, async () => await send(0, false))));
		expect(vendor.limited).toHaveLength(1);
		// The next round's requests take 500 ms to arrive, so the vendor's window opens at 2.5 s and
		// ends at 4.5 s, not 4 s; the round after it must wait for that.
		await clock.run(Promise.all([...Array.from({ length: 10 }, async () => await send(500)), ...Array.from({ length: 10 }, async () => await send(0))]));
		expect(vendor.limited).toHaveLength(1);
		expect(vendor.sent).toHaveLength(30);
	});

	it('a follow-up (the write after its read) goes before first requests, until they have waited half their Max Retry Wait', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		((await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket).done({ limitedMs: 40_000, asked: true });
		const order: string[] = [];
		const ask = async (name: string, turn: TurnRequest) => {
			const ticket = (await pace.admit(turn)) as Ticket;
			order.push(name);
			ticket.done({});
		};
		const later = async (ms: number, name: string, turn: Omit<TurnRequest, 'since'>) => {
			await clock.sleep(ms);
			await ask(name, { ...turn, since: clock.now() });
		};
		await clock.run(
			Promise.all([
				ask('first 1', { maxWaitSeconds: 60, since: 0 }),
				ask('first 2', { maxWaitSeconds: 60, since: 0 }),
				// Asked after them, but holds a read: goes first.
				later(10_000, 'write 1', { maxWaitSeconds: 60, followUp: true }),
				// Asked once the first requests had waited more than 30 s: goes after them.
				later(31_000, 'write 2', { maxWaitSeconds: 60, followUp: true }),
			]),
		);
		expect(order).toEqual(['write 1', 'first 1', 'first 2', 'write 2']);
	});

	it('each request obeys its own Max Retry Wait: executions with different options on one pace', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		((await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket).done({ limitedMs: 30_000, asked: true });
		const started = clock.now();
		const [short, long] = await clock.run(
			Promise.all([pace.admit({ maxWaitSeconds: 10 }), pace.admit({ maxWaitSeconds: 60 })]),
		);
		expect(short).toEqual({ refusedWaitSeconds: 30, heldBy: 'asked' });
		expect('done' in long).toBe(true);
		expect(clock.now() - started).toBe(30_000);
	});

	it('a wait for the turn beyond Max Retry Wait is refused with the wait, nothing sent; the learned window sets the turn', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 10, 6000);
		const pace = new Pace(clock);
		// Learn the window: 10 per 6 s.
		await batch(pace, clock, vendor, 30, 30);
		const hits = () => vendor.sent.length + vendor.limited.length;
		const before = hits();
		// 40 requests at once, each allowing 15 s: two windows (20 requests) fit, the rest is refused.
		const admissions: Admission[] = await clock.run(
			Promise.all(
				Array.from({ length: 40 }, async () => {
					const admission = await pace.admit({ maxWaitSeconds: 15 });
					if ('done' in admission) {
						await clock.sleep(20);
						admission.done(vendor.hit().answer);
					}
					return admission;
				}),
			),
		);
		const refused = admissions.filter((a) => !('done' in a)) as Array<{ refusedWaitSeconds: number }>;
		expect(refused.length).toBeGreaterThanOrEqual(10);
		expect(refused.length).toBeLessThanOrEqual(20);
		expect(refused.every((r) => r.refusedWaitSeconds > 0)).toBe(true);
		expect(hits() - before).toBe(40 - refused.length);
	});
});

describe('paceFor', () => {
	it('one pace per key (credential, base URL): the same object for every execution, node and item', () => {
		const a = paceFor('paymentRevertContazenApi\ncred-1\nhttps://api.contazen.ro/v1');
		expect(paceFor('paymentRevertContazenApi\ncred-1\nhttps://api.contazen.ro/v1')).toBe(a);
		expect(paceFor('paymentRevertContazenApi\ncred-2\nhttps://api.contazen.ro/v1')).not.toBe(a);
		expect(paceFor('paymentRevertContazenApi\ncred-1\nhttp://localhost:4010/v1')).not.toBe(a);
	});

	it('an idle pace is dropped, never one with a request waiting', async () => {
		jest.useFakeTimers();
		try {
			const key = 'paymentRevertWethodApi\ncred-idle\nhttps://api.wethod.com';
			const pace = paceFor(key);
			((await pace.admit({ maxWaitSeconds: 60 })) as Ticket).done({ limitedMs: 3_600_000, asked: true });
			// A request waits for the hour the vendor asked.
			const waiting = pace.admit({ maxWaitSeconds: 86_400 });
			jest.setSystemTime(Date.now() + 2 * 3_600_000);
			expect(paceFor(key)).toBe(pace);
			// Its turn comes; once it is answered and 15 minutes pass with nothing else, the pace goes.
			jest.advanceTimersByTime(3_600_000);
			((await waiting) as Ticket).done({});
			jest.setSystemTime(Date.now() + 14 * 60_000);
			expect(paceFor(key)).toBe(pace);
			jest.setSystemTime(Date.now() + 2 * 60_000);
			expect(paceFor(key)).not.toBe(pace);
		} finally {
			jest.useRealTimers();
		}
	});
});

describe('Pace: Max Retry Wait bounds the vendor\'s waits, not the wait behind requests in flight', () => {
	it('another execution\'s slow first request (120 s): a request allowing 5 s goes when it is answered, it is not refused', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		const probe = (await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket;
		void clock.sleep(120_000).then(() => probe.done({}));
		const admission = await clock.run(pace.admit({ maxWaitSeconds: 5 }));
		expect('done' in admission).toBe(true);
		expect(clock.now()).toBe(120_000);
	});

	it('Max Retry Wait 0 (the field allows it): requests queued behind the first all go once it is answered', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		const probe = (await clock.run(pace.admit({ maxWaitSeconds: 0, concurrency: 5 }))) as Ticket;
		const decided: Array<{ granted: boolean; at: number }> = [];
		const others = Promise.all(
			[1, 2, 3, 4].map(async () => {
				const admission = await pace.admit({ maxWaitSeconds: 0, concurrency: 5 });
				decided.push({ granted: 'done' in admission, at: clock.now() });
			}),
		);
		void clock.sleep(200).then(() => probe.done({}));
		await clock.run(others);
		expect(decided).toEqual([1, 2, 3, 4].map(() => ({ granted: true, at: 200 })));
	});

	it('the cap on requests in flight before the limit is known: 30 executions, answers in 2 s, Max Retry Wait 1 s: none refused', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 1000, 6000);
		const pace = new Pace(clock);
		const failed = await burst(pace, clock, vendor, 30, { maxWaitSeconds: 1, latencyMs: 2000 });
		expect(failed).toEqual([]);
		expect(vendor.sent).toHaveLength(60);
	});

	it('a wait the vendor asks while a request waits behind the first one counts from then: within Max Retry Wait it goes, beyond it it is refused at once', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		const probe = (await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket;
		// The first request takes 50 s, then answers 429 asking 5 s.
		void clock.sleep(50_000).then(() => probe.done({ limitedMs: 5000, asked: true }));
		const within = pace.admit({ maxWaitSeconds: 10 }).then((a) => ({ granted: 'done' in a, at: clock.now() }));
		expect(await clock.run(within)).toEqual({ granted: true, at: 55_000 });

		// Then a request allowing 10 s waits for a 429's 8 s; 6 s in, another 429 asks 5 s more:
		// 6 s waited and 5 s to go is more than 10 s, so it is refused then, with the 5 s.
		pace.hold(8000);
		const waiting = pace.admit({ maxWaitSeconds: 10 }).then((a) => ({ admission: a, at: clock.now() }));
		void clock.sleep(6000).then(() => pace.hold(5000));
		expect(await clock.run(waiting)).toEqual({ admission: { refusedWaitSeconds: 5, heldBy: 'asked' }, at: 61_000 });
	});

	it('a refusal says what held the request: a 429\'s wait, a 429 without one, the reported quota, the learned window', async () => {
		const refusalAfter = async (first: Answer, maxWaitSeconds: number) => {
			const clock = new SimClock();
			const pace = new Pace(clock);
			((await clock.run(pace.admit({ maxWaitSeconds: 60 }))) as Ticket).done(first);
			return await clock.run(pace.admit({ maxWaitSeconds }));
		};
		expect(await refusalAfter({ limitedMs: 30_000, asked: true }, 10)).toEqual({ refusedWaitSeconds: 30, heldBy: 'asked' });
		expect(await refusalAfter({ limitedMs: 4000, asked: false }, 2)).toEqual({ refusedWaitSeconds: 4, heldBy: 'backoff' });
		expect(await refusalAfter({ quota: { remaining: 0, resetAtMs: 45_000 } }, 10)).toEqual({ refusedWaitSeconds: 45, heldBy: 'quota' });

		// Learned 10 per 6 s; with 10 requests ahead in the window, the 11th waits for the next one.
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 10, 6000);
		const pace = new Pace(clock);
		await batch(pace, clock, vendor, 30, 30);
		const admissions = await clock.run(Promise.all(Array.from({ length: 11 }, async () => await pace.admit({ maxWaitSeconds: 1 }))));
		const refused = admissions.filter((a) => !('done' in a));
		expect(refused.length).toBeGreaterThan(0);
		expect(refused.every((r) => (r as Refusal).heldBy === 'learned')).toBe(true);
	});
});

describe('Pace: the window learned from a 429 is one of the vendor\'s windows', () => {
	it('a quiet hour of single reverts, then bursts at 30 per 6 s: no item fails', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 30, 6000);
		const pace = new Pace(clock);
		// One execution of one invoice every 5 minutes for an hour (the pace is never idle 15 min).
		await clock.run(
			(async () => {
				for (let n = 0; n < 12; n++) {
					expect((await item(pace, clock, vendor)).ok).toBe(true);
					await clock.sleep(5 * 60_000);
				}
			})(),
		);
		// Then two bursts of 60 one-item executions, a minute apart (default Max Retry Wait 60 s):
		// 120 requests each, 4 of the vendor's windows, well within 60 s.
		for (let n = 0; n < 2; n++) {
			expect(await burst(pace, clock, vendor, 60)).toEqual([]);
			await clock.run(clock.sleep(60_000));
		}
	});

	it('control: the same bursts without the quiet hour before them', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 30, 6000);
		const pace = new Pace(clock);
		for (let n = 0; n < 2; n++) {
			expect(await burst(pace, clock, vendor, 60)).toEqual([]);
			await clock.run(clock.sleep(60_000));
		}
	});

	it('ten minutes of steady requests below the limit (never idle), then bursts: no item fails', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 30, 6000);
		const pace = new Pace(clock);
		// 4 requests in flight at all times, each answered in 1 s: 24 per 6 s.
		const steady = async () => {
			while (clock.now() < 10 * 60_000) await item(pace, clock, vendor, { requests: 1, latencyMs: 1000 });
		};
		await clock.run(Promise.all([steady(), steady(), steady(), steady()]));
		expect(vendor.limited).toEqual([]);
		for (let n = 0; n < 2; n++) {
			expect(await burst(pace, clock, vendor, 60)).toEqual([]);
			await clock.run(clock.sleep(60_000));
		}
		// The burst found the limit with a few requests too many, not with a round of 10 minutes' worth.
		expect(vendor.limited.length).toBeLessThanOrEqual(30);
	});

	it('another client used up the quota once: the limit learned before is not replaced by what was left', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 30, 6000);
		const pace = new Pace(clock);
		expect(await burst(pace, clock, vendor, 60)).toEqual([]);
		await clock.run(clock.sleep(60_000));
		// Another client sends 28 requests; ours get 2, then a 429 asking the rest of the window.
		for (let n = 0; n < 28; n++) vendor.hit();
		expect(await burst(pace, clock, vendor, 60)).toEqual([]);
		await clock.run(clock.sleep(60_000));
		expect(await burst(pace, clock, vendor, 60)).toEqual([]);
	});

	it('a 429 asking 20 minutes once (another client): after it, the learned window is not 20 minutes long', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 30, 6000);
		const pace = new Pace(clock);
		expect(await burst(pace, clock, vendor, 60)).toEqual([]);
		await clock.run(clock.sleep(60_000));
		// One window of the vendor's lasts 20 minutes and is nearly used up by someone else.
		Object.assign(vendor, { windowStart: clock.now(), count: 28, windowMs: 20 * 60_000 });
		void clock.sleep(20 * 60_000).then(() => (vendor.windowMs = 6000));
		// The items asking now are refused (the vendor asks 20 minutes); the next burst is not.
		const refused = await burst(pace, clock, vendor, 60);
		expect(refused.length).toBeGreaterThan(0);
		await clock.run(clock.sleep(20 * 60_000));
		expect(await burst(pace, clock, vendor, 60)).toEqual([]);
	});

	it('a vendor whose window grows from 6 s to 60 s: the longer window is learned, not one 429 per request every window', async () => {
		const clock = new SimClock();
		const vendor = new SilentVendor(clock, 30, 6000);
		const pace = new Pace(clock);
		expect(await burst(pace, clock, vendor, 60)).toEqual([]);
		vendor.windowMs = 60_000;
		const changed = clock.now();
		// 300 requests at 30 per minute: 10 minutes.
		expect(await burst(pace, clock, vendor, 150, { maxWaitSeconds: 900 })).toEqual([]);
		// A round released too early costs one 429 (its first request goes alone); the learned
		// length doubles each time (another client may have used the window, so a long wait is not
		// believed at once). Then one 429 every other window at most (the limit's growth).
		expect(vendor.limited.filter((t) => t >= changed).length).toBeLessThanOrEqual(15);
		expect(vendor.limited.filter((t) => t >= changed + 5 * 60_000).length).toBeLessThanOrEqual(3);
	});
});
