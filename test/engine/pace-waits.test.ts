/**
 * What the credential's pace makes an item wait, in n8n's engine against the fakes (both jest
 * projects): Max Retry Wait bounds the waits the vendor's limit imposes, not the wait behind the
 * node's own requests in flight; a refusal by the pace says what held it; an item's own wait
 * ends when its execution is cancelled, on n8n 1.x too.
 */
import { sleep } from 'n8n-workflow';

import { Pace } from '../../nodes/PaymentRevert/transport/pace';
import { errorOf, outcomeOf, useFakes, VENDORS } from './vendors';

const suite = useFakes();

const messages = (output: Array<{ json: Record<string, unknown> }>) =>
	output.map((i) => String((i.json.error as { message?: string } | undefined)?.message ?? ''));

describe('Max Retry Wait below one round trip', () => {
	it.each(['wethod', 'qonto', 'contazen'] as const)('%s: Max Retry Wait 0, no rate limit at all: every item reverted, none rate_limited', async (provider) => {
		const ids = Array.from({ length: 5 }, (_, n) => VENDORS[provider].idOf(n));
		for (const id of ids) suite.fakes.seed(provider, id);
		const result = await suite.run(provider, ids, { maxRetryWaitSeconds: 0 });
		expect(suite.fakes.log.filter((r) => r.status === 429)).toHaveLength(0);
		expect(result.output.map(outcomeOf)).toEqual(ids.map(() => 'reverted'));
	});

	it('wethod: Max Retry Wait 1 s, vendor answers in 1.5 s, no rate limit: every item reverted', async () => {
		suite.fakes.config.wethod.latencyMs = 1500;
		const ids = Array.from({ length: 3 }, (_, n) => VENDORS.wethod.idOf(n));
		for (const id of ids) suite.fakes.seed('wethod', id);
		const result = await suite.run('wethod', ids, { maxRetryWaitSeconds: 1, capturePreviousState: false });
		expect(suite.fakes.log.filter((r) => r.status === 429)).toHaveLength(0);
		expect(result.output.map(outcomeOf)).toEqual(ids.map(() => 'reverted'));
	}, 30_000);
});

describe('a refusal by the pace says what held it', () => {
	it('Max Retry Wait 0, no 429 at all: no item says the vendor asked to wait', async () => {
		const ids = Array.from({ length: 5 }, (_, n) => VENDORS.wethod.idOf(n));
		for (const id of ids) suite.fakes.seed('wethod', id);
		const result = await suite.run('wethod', ids, { maxRetryWaitSeconds: 0 });
		expect(suite.fakes.log.filter((r) => r.status === 429)).toHaveLength(0);
		expect(messages(result.output).filter((m) => /asks to wait/.test(m))).toEqual([]);
	});

	it('contazen: its reported quota used up, the reset beyond Max Retry Wait: rate_limited with the reset, not "Contazen asks to wait"', async () => {
		suite.fakes.config.contazen.rateLimit = { limit: 2, windowMs: 60_000 };
		const ids = Array.from({ length: 4 }, (_, n) => VENDORS.contazen.idOf(n));
		for (const id of ids) suite.fakes.seed('contazen', id);
		const result = await suite.run('contazen', ids, { maxRetryWaitSeconds: 10, concurrency: 1 });
		expect(suite.fakes.log.filter((r) => r.status === 429)).toHaveLength(0);
		expect(result.output.map(outcomeOf)).toEqual(['reverted', 'reverted', 'error:rate_limited', 'error:rate_limited']);
		for (const item of result.output.slice(2)) {
			expect(errorOf(item)).toMatchObject({ httpCode: null, retryAfterSeconds: expect.any(Number) });
			expect(errorOf(item).message).toMatch(/the quota Contazen reports for this window is used up; it resets in \d+ s/);
			expect(errorOf(item).message).not.toMatch(/asks to wait/);
		}
	});

	it('contazen: a 503, then the retry held back by the used-up quota: the item keeps the 503 and says the quota held it', async () => {
		suite.fakes.config.contazen.rateLimit = { limit: 2, windowMs: 60_000 };
		const ids = Array.from({ length: 2 }, (_, n) => VENDORS.contazen.idOf(n));
		for (const id of ids) suite.fakes.seed('contazen', id);
		// The second invoice's first attempt: a 503 without a wait (it uses the last of the quota).
		suite.fakes.addFaults([{ vendor: 'contazen', type: 'status', status: 503, path: ids[1], body: { success: false } }]);
		const result = await suite.run('contazen', ids, { maxRetryWaitSeconds: 10, concurrency: 1 });
		expect(result.output.map(outcomeOf)).toEqual(['reverted', 'error:rate_limited']);
		expect(errorOf(result.output[1])).toMatchObject({ httpCode: '503', retryAfterSeconds: expect.any(Number) });
		expect(errorOf(result.output[1]).message).toMatch(/the quota Contazen reports for this window is used up/);
		expect(errorOf(result.output[1]).message).not.toMatch(/asks to wait/);
	});
});

describe('an item\'s own wait and a cancelled execution', () => {
	it('a 60 s pause of an item (a backoff, a 5xx\'s wait) ends at once when its execution is cancelled', async () => {
		const cancel = new AbortController();
		const paused = new Pace().pause(60_000, cancel.signal).then(
			() => 'slept the whole wait',
			() => 'ended by the cancel',
		);
		cancel.abort();
		const first = await Promise.race([paused, sleep(1000).then(() => 'still waiting 1 s after the cancel')]);
		expect(first).toBe('ended by the cancel');
	});
});
