/**
 * Faults in the n8n engine against the local vendor fakes: every fault on each provider, and
 * batches of 200 mixed items with random (seeded) faults. The only timing asserted is that a wait
 * the vendor asked for was honoured.
 */
import type { IDataObject } from 'n8n-workflow';

import type { FakeFault } from '../fakes/server';
import { expectNoSecrets } from '../helpers';
import { faultMatrix, randomBatch, seedBatch } from '../fakes/scenarios';
import { errorOf, outcomeOf, PROVIDERS, useFakes, VENDORS, type Vendor } from './vendors';

const suite = useFakes();
const { run } = suite;
/** The revert requests of one invoice. */
const writes = (id: string) => suite.fakes.log.filter((r) => r.method === 'POST' && r.path.includes(id));

describe.each(PROVIDERS)('%s: every fault on the revert', (provider) => {
	const v = VENDORS[provider];
	const onWrite = (fault: FakeFault): FakeFault => ({ vendor: provider, method: 'POST', path: v.id, ...fault });

	it.each([
		['a 502', { type: 'status', status: 502 }],
		['a 503', { type: 'status', status: 503, count: 2 }],
		['a 504 gateway text', { type: 'text', status: 504, body: 'Gateway Timeout' }],
		['a connection reset', { type: 'reset' }],
		['a hang (timeout)', { type: 'hang' }],
		['a lost answer (applied, then refused as a transition)', { type: 'lose' }],
		['a 429 asking to wait 0 s', { type: 'limit', retryAfter: 0, count: 2 }],
	] as Array<[string, FakeFault]>)('%s: retried, reverted once, nothing lost', async (_name, fault) => {
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([onWrite(fault)]);
		const result = await run(provider, v.id, { timeoutSeconds: 1 });
		expect(result.output).toHaveLength(1);
		expect(result.output[0].json).toMatchObject({ outcome: 'reverted', paid: false, status: v.unpaid });
		expect(result.output[0].pairedItem).toEqual({ item: 0 });
		expect(suite.fakes.state[provider].get(v.id)).toMatchObject({ status: v.unpaid });
		const attempts = writes(v.id);
		expect(attempts.filter((r) => r.fault)).toHaveLength(fault.count ?? 1);
		// The write took effect exactly once: every later attempt was refused or a no-op.
		expect(attempts.filter((r) => !r.fault && r.status === 200).length).toBeLessThanOrEqual(1);
		expectNoSecrets(result.everything);
	});

	it("a 429's requested wait is honoured before the resend", async () => {
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([onWrite({ type: 'limit', retryAfter: 1 })]);
		const result = await run(provider, v.id);
		expect(result.output[0].json.outcome).toBe('reverted');
		const [limited, resent] = writes(v.id);
		expect(limited.fault).toBe('limit');
		expect(resent.at - limited.at).toBeGreaterThanOrEqual(1000);
	});

	it.each([
		['5xx', { type: 'status', status: 503, count: 3 }, 'vendor_error'],
		['429', { type: 'limit', retryAfter: 0, count: 3 }, 'rate_limited'],
		['reset', { type: 'reset', count: 3 }, 'network'],
	] as Array<[string, FakeFault, string]>)('%s until the retries run out: %s, one item, in place', async (_name, fault, category) => {
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([onWrite(fault)]);
		const result = await run(provider, [v.id, v.missing], { maxRetries: 2 });
		expect(result.output.map(outcomeOf)).toEqual([`error:${category}`, 'error:not_found']);
		expect(result.output.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(writes(v.id)).toHaveLength(3);
		if (category === 'rate_limited') expect(errorOf(result.output[0]).retryAfterSeconds).toBe(0);
	});

	it('a wait longer than Max Retry Wait: rate_limited at once with the wait, no resend', async () => {
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([onWrite({ type: 'limit', retryAfter: 120 })]);
		const result = await run(provider, v.id, { maxRetryWaitSeconds: 30 });
		expect(errorOf(result.output[0])).toMatchObject({ category: 'rate_limited', retryAfterSeconds: 120, httpCode: '429' });
		expect(writes(v.id)).toHaveLength(1);
		expect(suite.fakes.state[provider].get(v.id)).toMatchObject({ status: 'paid' });
	});

	it.each([
		[401, 'authentication'],
		[403, 'permission'],
		[404, 'not_found'],
		[422, 'validation'],
	])('never retries a %i (%s)', async (status, category) => {
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([onWrite({ type: 'status', status, body: { error: { message: 'refused' } } })]);
		const result = await run(provider, v.id, { capturePreviousState: false });
		expect(errorOf(result.output[0]).category).toBe(category);
		expect(writes(v.id)).toHaveLength(1);
	});

	it('a redirect on the write is not followed', async () => {
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([onWrite({ type: 'status', status: 307, body: '', headers: { location: `${suite.fakes.url}/${provider}/elsewhere` } })]);
		const result = await run(provider, v.id);
		expect(errorOf(result.output[0])).toMatchObject({ category: 'unexpected_response', httpCode: '307' });
		expect(suite.fakes.log.some((r) => r.path.includes('elsewhere'))).toBe(false);
	});
});

describe.each(PROVIDERS)('%s: every fault in one batch (the batch the e2e suite runs in real n8n)', (provider) => {
	it('each invoice gets what its fault calls for; items in order, paired', async () => {
		const rows = faultMatrix(provider);
		for (const row of rows) suite.fakes.seed(provider, row.id);
		suite.fakes.addFaults(rows.map((r) => r.fault));
		const result = await run(provider, rows.map((r) => r.id), { timeoutSeconds: 1, maxRetryWaitSeconds: 30 });
		expect(result.output.map(outcomeOf)).toEqual(rows.map((r) => r.expected));
		expect(result.output.map((i) => i.pairedItem)).toEqual(rows.map((_, item) => ({ item })));
		for (const row of rows) {
			const status = (suite.fakes.state[provider].get(row.id) as IDataObject).status;
			expect([row.name, status]).toEqual([row.name, row.expected === 'reverted' ? VENDORS[provider].unpaid : 'paid']);
		}
		expectNoSecrets(result.everything);
	});
});

describe('batches of 200 mixed items with random faults', () => {
	it.each(PROVIDERS.flatMap((p) => [[p, 1], [p, 2]] as Array<[Vendor, number]>))(
		'%s, seed %i: 200 items out, in order, paired, outcomes and final state exact',
		async (provider, seed) => {
			const v = VENDORS[provider];
			// Contazen says "not paid" with a 400 here, so that an already-unpaid bill is reported as such.
			if (provider === 'contazen') suite.fakes.config.contazen.alreadyUnpaid = 'error';
			const { items, faults } = randomBatch(provider, seed);
			const before = seedBatch(suite.fakes, provider, items);
			suite.fakes.addFaults(faults);

			const result = await run(provider, items.map((i) => i.id), { timeoutSeconds: 1, concurrency: 10 });

			expect(result.output.map(outcomeOf)).toEqual(items.map((i) => i.expected));
			expect(result.output.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
			expect(result.output.map((i) => i.json.invoiceId ?? errorOf(i).invoiceId)).toEqual(items.map((i) => i.id));
			for (const { id, kind } of items) {
				const now = suite.fakes.state[provider].get(id) as IDataObject | undefined;
				if (kind === 'paid') expect(now).toMatchObject({ status: v.unpaid, payment_date: null });
				else expect(now).toEqual(before.get(id));
			}
			// Malformed IDs never reached the vendor; every planned fault fired.
			const malformed = items.filter((i) => i.kind === 'malformed').map((i) => i.id);
			expect(suite.fakes.log.filter((r) => malformed.some((id) => r.path.includes(id)))).toEqual([]);
			expect(suite.fakes.log.filter((r) => r.fault).length).toBeGreaterThan(20);
			expectNoSecrets(result.everything);
		},
		120_000,
	);
});
