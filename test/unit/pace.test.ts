/**
 * The shared pace on a simulated clock: the schedule is checked exactly, without waiting in real
 * time. Two simulated vendors count fixed windows: one reports its quota like Contazen, the other
 * only answers 429 with a wait, like Qonto and Wethod (and like the local fakes).
 */
import { sleep } from 'n8n-workflow';

import { Pace, paceFor, type Admission, type Answer, type Clock, type Quota, type Ticket, type TurnRequest } from '../../nodes/PaymentRevert/transport/pace';

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
		readonly limit: number,
		readonly windowMs: number,
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
		expect(await clock.run(pace.admit({ maxWaitSeconds: 60 }))).toEqual({ refusedWaitSeconds: 91 });
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
		expect(admissions.map((a) => ('done' in a ? 'ticket' : a))).toEqual(['ticket', 'ticket', { refusedWaitSeconds: 60 }]);
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
		(vendor as { limit: number }).limit = 20;
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
		expect(short).toEqual({ refusedWaitSeconds: 30 });
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
