/**
 * Faults and limits, in the n8n engine against the local vendor fakes: every fault on each
 * provider, batches of 200 mixed items with random (seeded) faults, and rate limits enforced by
 * the fakes. The only timing asserted is that a wait the vendor asked for was honoured.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startFakes, type FakeFault, type Fakes, type LoggedRequest } from '../fakes/server';
import { runNode, type RunOptions } from '../harness/engine';
import { expectNoSecrets, FAKES_CONFIG, fakeCredentials, QONTO_ID, SECRETS } from '../helpers';

type Vendor = 'qonto' | 'contazen' | 'wethod';

let fakes: Fakes;
beforeAll(async () => (fakes = await startFakes({ config: FAKES_CONFIG })));
afterAll(async () => await fakes.close());
beforeEach(() => fakes.reset());

/** What differs per vendor for the same scenario. */
const VENDORS: Record<Vendor, { id: string; unpaid: string; missing: string; malformed: string; idOf(n: number): string }> = {
	qonto: {
		id: QONTO_ID,
		unpaid: 'to_review',
		missing: '00000000-0000-4000-8000-000000000000',
		malformed: 'not-a-uuid',
		idOf: (n) => `00000000-0000-4000-8000-${String(n + 1).padStart(12, '0')}`,
	},
	contazen: {
		id: 'sbill_fault01',
		unpaid: 'unpaid',
		missing: 'sbill_missing',
		malformed: 'sbill 1/2',
		idOf: (n) => `sbill_${String(n + 1).padStart(5, '0')}`,
	},
	wethod: {
		id: '1042',
		unpaid: 'sent',
		missing: '999999',
		malformed: '12ab',
		idOf: (n) => String(5000 + n),
	},
};
const PROVIDERS = Object.keys(VENDORS) as Vendor[];

function run(provider: Vendor, invoiceId: string | string[], options: INodeParameters = {}, extra: Partial<RunOptions> = {}) {
	const ids = Array.isArray(invoiceId) ? invoiceId : [invoiceId];
	return runNode({
		parameters: { provider, authentication: 'apiKey', operation: 'revertPayment', invoiceId: '={{ $json.id }}', options },
		items: ids.map((id) => ({ id })),
		credentials: fakeCredentials(fakes.url),
		onError: 'continueRegularOutput',
		...extra,
	});
}

/** The revert requests of one invoice. */
const writes = (id: string) => fakes.log.filter((r) => r.method === 'POST' && r.path.includes(id));
const errorOf = (item: INodeExecutionData) => item.json.error as IDataObject;
const outcomeOf = (item: INodeExecutionData) => (item.json.outcome as string) ?? `error:${errorOf(item).category as string}`;

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
		fakes.seed(provider, v.id);
		fakes.addFaults([onWrite(fault)]);
		const result = await run(provider, v.id, { timeoutSeconds: 1 });
		expect(result.output).toHaveLength(1);
		expect(result.output[0].json).toMatchObject({ outcome: 'reverted', paid: false, status: v.unpaid });
		expect(result.output[0].pairedItem).toEqual({ item: 0 });
		expect(fakes.state[provider].get(v.id)).toMatchObject({ status: v.unpaid });
		const attempts = writes(v.id);
		expect(attempts.filter((r) => r.fault)).toHaveLength(fault.count ?? 1);
		// The write took effect exactly once: every later attempt was refused or a no-op.
		expect(attempts.filter((r) => !r.fault && r.status === 200).length).toBeLessThanOrEqual(1);
		expectNoSecrets(result.everything);
	});

	it("a 429's requested wait is honoured before the resend", async () => {
		fakes.seed(provider, v.id);
		fakes.addFaults([onWrite({ type: 'limit', retryAfter: 1 })]);
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
		fakes.seed(provider, v.id);
		fakes.addFaults([onWrite(fault)]);
		const result = await run(provider, [v.id, v.missing], { maxRetries: 2 });
		expect(result.output.map(outcomeOf)).toEqual([`error:${category}`, 'error:not_found']);
		expect(result.output.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(writes(v.id)).toHaveLength(3);
		if (category === 'rate_limited') expect(errorOf(result.output[0]).retryAfterSeconds).toBe(0);
	});

	it('a wait longer than Max Retry Wait: rate_limited at once with the wait, no resend', async () => {
		fakes.seed(provider, v.id);
		fakes.addFaults([onWrite({ type: 'limit', retryAfter: 120 })]);
		const result = await run(provider, v.id, { maxRetryWaitSeconds: 30 });
		expect(errorOf(result.output[0])).toMatchObject({ category: 'rate_limited', retryAfterSeconds: 120, httpCode: '429' });
		expect(writes(v.id)).toHaveLength(1);
		expect(fakes.state[provider].get(v.id)).toMatchObject({ status: 'paid' });
	});

	it.each([
		[401, 'authentication'],
		[403, 'permission'],
		[404, 'not_found'],
		[422, 'validation'],
	])('never retries a %i (%s)', async (status, category) => {
		fakes.seed(provider, v.id);
		fakes.addFaults([onWrite({ type: 'status', status, body: { error: { message: 'refused' } } })]);
		const result = await run(provider, v.id, { capturePreviousState: false });
		expect(errorOf(result.output[0]).category).toBe(category);
		expect(writes(v.id)).toHaveLength(1);
	});

	it('a redirect on the write is not followed', async () => {
		fakes.seed(provider, v.id);
		fakes.addFaults([onWrite({ type: 'status', status: 307, body: '', headers: { location: `${fakes.url}/${provider}/elsewhere` } })]);
		const result = await run(provider, v.id);
		expect(errorOf(result.output[0])).toMatchObject({ category: 'unexpected_response', httpCode: '307' });
		expect(fakes.log.some((r) => r.path.includes('elsewhere'))).toBe(false);
	});
});

/** mulberry32: the same "random" faults on every run, so a failure can be replayed. */
function random(seed: number) {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

type Kind = 'paid' | 'unpaid' | 'missing' | 'malformed';

/** 200 items: paid, already unpaid, unknown and malformed IDs, with 1-2 faults on a third of them. */
function plan(provider: Vendor, seed: number) {
	const v = VENDORS[provider];
	const rand = random(seed);
	const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
	const items: Array<{ id: string; kind: Kind }> = [];
	const faults: FakeFault[] = [];
	for (let n = 0; n < 200; n++) {
		const roll = rand();
		const kind: Kind = roll < 0.6 ? 'paid' : roll < 0.8 ? 'unpaid' : roll < 0.9 ? 'missing' : 'malformed';
		const id = kind === 'malformed' ? `${v.malformed}${n}` : v.idOf(n);
		if (kind === 'paid') fakes.seed(provider, id);
		if (kind === 'unpaid') fakes.seed(provider, id, { status: v.unpaid, payment_date: null });
		items.push({ id, kind });
		if (kind === 'malformed' || rand() > 0.35) continue;
		const kinds: FakeFault[] = [
			{ type: 'status', status: pick([502, 503, 504]) },
			{ type: 'text', status: 502 },
			{ type: 'reset' },
			{ type: 'limit', retryAfter: 0 },
			{ type: 'latency', latencyMs: 50 },
			{ type: 'hang' },
		];
		// A lost answer is only unambiguous on a paid invoice: on an unpaid one, "applied, then
		// refused" and "refused twice" look the same to anyone.
		if (kind === 'paid') kinds.push({ type: 'lose' }, { type: 'lose' });
		// Contazen cannot be read first, so a write with an unknown result (5xx, reset, timeout) on
		// a bill that was already unpaid is reported `reverted`, as the contract says: keep those
		// faults to paid bills there.
		if (provider === 'contazen' && kind === 'unpaid') kinds.splice(0, kinds.length, { type: 'limit', retryAfter: 0 }, { type: 'latency', latencyMs: 50 });
		const count = rand() < 0.7 ? 1 : 2;
		for (let k = 0; k < count; k++) {
			const fault = pick(kinds);
			// Hangs cost a timeout each: keep a handful.
			if (fault.type === 'hang' && rand() < 0.7) continue;
			const method = fault.type === 'lose' || rand() < 0.6 ? 'POST' : undefined;
			faults.push({ ...fault, vendor: provider, path: `/${id}`, ...(method ? { method } : {}) });
		}
	}
	return { items, faults };
}

describe('batches of 200 mixed items with random faults', () => {
	it.each(PROVIDERS.flatMap((p) => [[p, 1], [p, 2]] as Array<[Vendor, number]>))(
		'%s, seed %i: 200 items out, in order, paired, outcomes and final state exact',
		async (provider, seed) => {
			const v = VENDORS[provider];
			// Contazen says "not paid" with a 400 here, so that an already-unpaid bill is reported as such.
			if (provider === 'contazen') fakes.config.contazen.alreadyUnpaid = 'error';
			const { items, faults } = plan(provider, seed);
			fakes.addFaults(faults);
			const before = new Map([...fakes.state[provider]].map(([id, invoice]) => [id, structuredClone(invoice)]));

			const result = await run(provider, items.map((i) => i.id), { timeoutSeconds: 1, concurrency: 10 });

			const expected = items.map(({ kind }) =>
				kind === 'paid' ? 'reverted' : kind === 'unpaid' ? 'already_unpaid' : kind === 'missing' ? 'error:not_found' : 'error:invalid_input',
			);
			expect(result.output.map(outcomeOf)).toEqual(expected);
			expect(result.output.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
			expect(result.output.map((i) => i.json.invoiceId ?? errorOf(i).invoiceId)).toEqual(items.map((i) => i.id));
			for (const { id, kind } of items) {
				const now = fakes.state[provider].get(id) as IDataObject | undefined;
				if (kind === 'paid') expect(now).toMatchObject({ status: v.unpaid, payment_date: null });
				else expect(now).toEqual(before.get(id));
			}
			// Malformed IDs never reached the vendor; every planned fault fired.
			const malformed = items.filter((i) => i.kind === 'malformed').map((i) => i.id);
			expect(fakes.log.filter((r) => malformed.some((id) => r.path.includes(id)))).toEqual([]);
			expect(fakes.log.filter((r) => r.fault).length).toBeGreaterThan(20);
			expectNoSecrets(result.everything);
		},
		120_000,
	);
});

const count429 = (log: LoggedRequest[]) => log.filter((r) => r.status === 429).length;

describe('rate limits enforced by the fakes', () => {
	it('300 Contazen reverts at 30 requests per 6 s: 0 failed items, no 429', async () => {
		fakes.config.contazen.rateLimit = { limit: 30, windowMs: 6000 };
		const ids = Array.from({ length: 300 }, (_, n) => VENDORS.contazen.idOf(n));
		for (const id of ids) fakes.seed('contazen', id);
		const result = await run('contazen', ids);
		expect(result.output.map(outcomeOf)).toEqual(ids.map(() => 'reverted'));
		expect(fakes.log).toHaveLength(300);
		expect(count429(fakes.log)).toBe(0);
	}, 150_000);

	it('Contazen: two nodes on the same credential in one execution, over one limit: no 429', async () => {
		fakes.config.contazen.rateLimit = { limit: 10, windowMs: 2000 };
		const ids = Array.from({ length: 10 }, (_, n) => VENDORS.contazen.idOf(n));
		for (const id of ids) fakes.seed('contazen', id);
		const result = await run('contazen', ids, {}, { nodes: 2, parameters: {
			provider: 'contazen', operation: 'revertPayment', invoiceId: '={{ $json.invoiceId ?? $json.id }}',
		} });
		// The bills were reverted by the first node; the second reverts them again, a no-op.
		expect(result.output).toHaveLength(10);
		expect(result.output.every((i) => i.json.outcome === 'reverted')).toBe(true);
		expect(fakes.log).toHaveLength(20);
		expect(count429(fakes.log)).toBe(0);
	}, 60_000);

	it.each([
		['qonto', { rateLimit: { limit: 10, windowMs: 1000 } }],
		['wethod', { rateLimit: { limit: 10, windowMs: 1000 } }],
	] as Array<[Vendor, IDataObject]>)(
		'%s (no quota headers): 40 reverts over a 10 per second limit, 0 failed items, the 429s waited out',
		async (provider, config) => {
			Object.assign(fakes.config[provider], config);
			const ids = Array.from({ length: 40 }, (_, n) => VENDORS[provider].idOf(n));
			for (const id of ids) fakes.seed(provider, id);
			const result = await run(provider, ids, { capturePreviousState: false, concurrency: 5 });
			expect(result.output.map(outcomeOf)).toEqual(ids.map(() => 'reverted'));
			const limited = count429(fakes.log);
			// A 429 holds every item: at most the ones already in flight meet the same window.
			expect(limited).toBeGreaterThan(0);
			expect(limited).toBeLessThanOrEqual(5 * 4);
		},
		60_000,
	);

	it('Qonto OAuth2: an expired token is refreshed once for a batch in flight, not once per item', async () => {
		const ids = Array.from({ length: 10 }, (_, n) => VENDORS.qonto.idOf(n));
		for (const id of ids) fakes.seed('qonto', id);
		const creds = fakeCredentials(fakes.url);
		// The stored access token is refused; its refresh token is good.
		Object.assign(fakes.config.qonto, {
			accessTokens: [],
			refreshTokens: { [SECRETS[2]]: true },
			clientId: creds.qontoOAuth2Api.clientId,
			clientSecret: SECRETS[0],
		});
		const result = await runNode({
			parameters: { provider: 'qonto', operation: 'revertPayment', invoiceId: '={{ $json.id }}', options: { concurrency: 5 } },
			items: ids.map((id) => ({ id })),
			credentials: creds,
		});
		expect(result.output.map(outcomeOf)).toEqual(ids.map(() => 'reverted'));
		expect(fakes.log.filter((r) => r.path.endsWith('/oauth2/token'))).toHaveLength(1);
		expect(result.credentialUpdates).toHaveLength(1);
		expectNoSecrets(result.everything);
	});
});
