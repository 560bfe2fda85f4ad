/**
 * The shared pace on a simulated clock: the schedule is checked exactly, without waiting in real
 * time. The vendor here counts fixed windows and reports its quota like Contazen.
 */
import { sleep } from 'n8n-workflow';

import { Pace, paceFor, type Clock, type Quota, type Ticket } from '../../nodes/PaymentRevert/pace';

/** Lets every promise chain settle before the clock moves on. */
const flush = async () => await sleep(0);

class SimClock implements Clock {
	t = 0;
	private timers: Array<{ at: number; resolve: () => void }> = [];
	now = () => this.t;
	sleep = async (ms: number) =>
		await new Promise<void>((resolve) => this.timers.push({ at: this.t + Math.max(0, ms), resolve }));

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

/** Fixed windows opened by the first request after the last one ended; reset in whole seconds. */
class Vendor {
	windowStart = -Infinity;
	count = 0;
	sent: number[] = [];
	limited: number[] = [];
	constructor(
		private clock: SimClock,
		readonly limit: number,
		readonly windowMs: number,
	) {}
	hit(): { ok: boolean; quota: Quota; retryAfterMs: number } {
		const now = this.clock.now();
		if (now >= this.windowStart + this.windowMs) {
			this.windowStart = now;
			this.count = 0;
		}
		const resetAtMs = Math.ceil((this.windowStart + this.windowMs) / 1000) * 1000;
		const ok = this.count < this.limit;
		if (ok) {
			this.count += 1;
			this.sent.push(now);
		} else this.limited.push(now);
		return { ok, quota: { remaining: this.limit - this.count, resetAtMs }, retryAfterMs: resetAtMs - now };
	}
}

/** `requests` requests through `concurrency` workers, each answered after `latencyMs`. */
async function batch(pace: Pace, clock: SimClock, vendor: Vendor, requests: number, concurrency: number, latencyMs = 20) {
	let next = 0;
	let inFlight = 0;
	let maxInFlight = 0;
	const worker = async () => {
		while (next < requests) {
			next += 1;
			for (;;) {
				const ticket = (await pace.admit(3600)) as Ticket;
				inFlight += 1;
				maxInFlight = Math.max(maxInFlight, inFlight);
				await clock.sleep(latencyMs / 2);
				const answer = vendor.hit();
				await clock.sleep(latencyMs / 2);
				inFlight -= 1;
				ticket.done(answer.quota);
				if (answer.ok) break;
				pace.hold(answer.retryAfterMs);
			}
		}
	};
	await clock.run(Promise.all(Array.from({ length: concurrency }, worker)));
	return { maxInFlight };
}

describe('Pace (simulated clock)', () => {
	it.each([1, 5, 20])('300 requests at 30 per 6 s, concurrency %i: no 429, one window after another', async (concurrency) => {
		const clock = new SimClock();
		const vendor = new Vendor(clock, 30, 6000);
		const pace = new Pace(clock);
		await batch(pace, clock, vendor, 300, concurrency);
		expect(vendor.limited).toEqual([]);
		expect(vendor.sent).toHaveLength(300);
		// 10 windows of 6 s (reset announced in whole seconds, so up to 7 s each).
		const elapsed = clock.now();
		expect(elapsed).toBeGreaterThanOrEqual(54_000);
		expect(elapsed).toBeLessThanOrEqual(10 * 7000);
	});

	it('spreads a window evenly rather than in a burst', async () => {
		const clock = new SimClock();
		const vendor = new Vendor(clock, 30, 6000);
		await batch(new Pace(clock), clock, vendor, 30, 10, 0);
		const gaps = vendor.sent.slice(2).map((t, i) => t - vendor.sent[i + 1]);
		// 29 requests left after the first, spread over the 6 s until the reset.
		for (const gap of gaps) expect(gap).toBeCloseTo(6000 / 29, 0);
	});

	it('the first request goes alone; the others follow its answer', async () => {
		const clock = new SimClock();
		const vendor = new Vendor(clock, 1000, 60_000);
		const pace = new Pace(clock);
		const order: string[] = [];
		await clock.run(
			Promise.all(
				[0, 1, 2].map(async (i) => {
					const ticket = (await pace.admit(60)) as Ticket;
					order.push(`send ${i}`);
					await clock.sleep(100);
					order.push(`answer ${i}`);
					ticket.done(vendor.hit().quota);
				}),
			),
		);
		expect(order.slice(0, 2)).toEqual(['send 0', 'answer 0']);
	});

	it('without quota headers, a 429 holds every item for the wait asked', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		const first = (await clock.run(pace.admit(60))) as Ticket;
		first.done();
		pace.hold(5000);
		const admitted: number[] = [];
		await clock.run(
			Promise.all(
				[0, 1, 2].map(async () => {
					const ticket = (await pace.admit(60)) as Ticket;
					admitted.push(clock.now());
					ticket.done();
				}),
			),
		);
		expect(admitted).toEqual([5000, 5000, 5000]);
	});

	it('a held wait longer than allowed is refused at once with the wait', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		((await clock.run(pace.admit(60))) as Ticket).done();
		pace.hold(90_500);
		expect(await clock.run(pace.admit(60))).toEqual({ refusedWaitSeconds: 91 });
		expect(clock.now()).toBe(0);
	});

	it('a quota used up by someone else on the same key: waits for the reset, no 429', async () => {
		const clock = new SimClock();
		const vendor = new Vendor(clock, 10, 6000);
		const pace = new Pace(clock);
		const probe = (await clock.run(pace.admit(60))) as Ticket;
		probe.done(vendor.hit().quota);
		for (let i = 0; i < 9; i++) vendor.hit(); // another workflow, same API key
		const ticket = (await clock.run(pace.admit(60))) as Ticket;
		// This one goes (the pace did not know yet), is refused and learns that nothing is left.
		ticket.done(vendor.hit().quota);
		await batch(pace, clock, vendor, 5, 3);
		expect(vendor.limited).toHaveLength(1);
		expect(vendor.sent.slice(-5).every((t) => t >= 6000)).toBe(true);
	});

	it('a turn further away than Max Retry Wait is refused without being taken', async () => {
		const clock = new SimClock();
		const vendor = new Vendor(clock, 10, 60_000);
		const pace = new Pace(clock);
		((await clock.run(pace.admit(10))) as Ticket).done(vendor.hit().quota);
		// 9 left for 60 s: one every 6.7 s. The first turn is now, the second in 6.7 s, the third too far.
		const first = (await clock.run(pace.admit(10))) as Ticket;
		const admissions = await clock.run(Promise.all([pace.admit(10), pace.admit(10)]));
		expect(admissions[1]).toEqual({ refusedWaitSeconds: 14 });
		expect(clock.now()).toBeCloseTo(6667, 0);
		first.done();
		(admissions[0] as Ticket).done();
		// The refused turn was not taken: the next one is the third slot, not the fourth.
		await clock.run(pace.admit(60));
		expect(clock.now()).toBeCloseTo(13_333, 0);
	});

	it('a pace stays while the vendor\'s wait runs, and is idle only after it', async () => {
		const clock = new SimClock();
		const pace = new Pace(clock);
		((await clock.run(pace.admit(60))) as Ticket).done();
		pace.hold(30 * 60_000);
		expect(pace.idleFor(15 * 60_000, 20 * 60_000)).toBe(false);
		expect(pace.idleFor(15 * 60_000, 46 * 60_000)).toBe(true);
	});
});

describe('paceFor', () => {
	it('one pace per key (execution, credential, base URL): the same object for every node and item', () => {
		const a = paceFor('exec-1\ncontazenApi\ncred-1\nhttps://api.contazen.ro/v1');
		expect(paceFor('exec-1\ncontazenApi\ncred-1\nhttps://api.contazen.ro/v1')).toBe(a);
		expect(paceFor('exec-2\ncontazenApi\ncred-1\nhttps://api.contazen.ro/v1')).not.toBe(a);
		expect(paceFor('exec-1\ncontazenApi\ncred-2\nhttps://api.contazen.ro/v1')).not.toBe(a);
	});
});
