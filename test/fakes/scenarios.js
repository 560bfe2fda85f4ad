'use strict';
/**
 * Fault scenarios shared by the in-engine suite (test/engine) and the real-n8n suite (test/e2e):
 * the same invoices, the same seeded random faults, the same expected outcomes.
 */

/** What differs per vendor for the same scenario. */
const VENDORS = {
	qonto: {
		id: '4d5418bb-bd0d-4df4-865c-c07afab8bb48',
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
const PROVIDERS = Object.keys(VENDORS);

/** mulberry32: the same "random" faults on every run, so a failure can be replayed. */
function random(seed) {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const EXPECTED = { paid: 'reverted', unpaid: 'already_unpaid', missing: 'error:not_found', malformed: 'error:invalid_input' };

/**
 * `size` items: paid, already unpaid, unknown and malformed IDs, with one or two faults on about a
 * third of them. Contazen is expected to answer "not paid" with a 400 (`alreadyUnpaid: 'error'`).
 */
function randomBatch(provider, seed, size = 200) {
	const v = VENDORS[provider];
	const rand = random(seed);
	const pick = (list) => list[Math.floor(rand() * list.length)];
	const items = [];
	const faults = [];
	for (let n = 0; n < size; n++) {
		const roll = rand();
		const kind = roll < 0.6 ? 'paid' : roll < 0.8 ? 'unpaid' : roll < 0.9 ? 'missing' : 'malformed';
		const id = kind === 'malformed' ? `${v.malformed}${n}` : v.idOf(n);
		items.push({ id, kind, expected: EXPECTED[kind] });
		if (kind === 'malformed' || rand() > 0.35) continue;
		let kinds = [
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
		// Contazen cannot be read first, so a write with an unknown result (5xx, reset, timeout) on a
		// bill that was already unpaid is `reverted`, as the contract says: those faults hit paid bills.
		if (provider === 'contazen' && kind === 'unpaid') kinds = [{ type: 'limit', retryAfter: 0 }, { type: 'latency', latencyMs: 50 }];
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

/** Seeds the batch's paid and unpaid invoices; returns copies of what was seeded. */
function seedBatch(fakes, provider, items) {
	const seeded = new Map();
	for (const { id, kind } of items) {
		if (kind === 'paid') seeded.set(id, structuredClone(fakes.seed(provider, id)));
		if (kind === 'unpaid') seeded.set(id, structuredClone(fakes.seed(provider, id, { status: VENDORS[provider].unpaid, payment_date: null })));
	}
	return seeded;
}

/**
 * Every fault on one provider in one batch: one invoice per fault, with what the node must report.
 * Run with timeoutSeconds 1, maxRetries 3, maxRetryWaitSeconds 30. (A 429 asking more than that
 * holds every item of the credential, so it has tests of its own.)
 */
function faultMatrix(provider) {
	const v = VENDORS[provider];
	const rows = [
		['502', { type: 'status', status: 502 }, 'reverted'],
		['503 twice', { type: 'status', status: 503, count: 2 }, 'reverted'],
		['504 gateway text', { type: 'text', status: 504, body: 'Gateway Timeout' }, 'reverted'],
		['reset', { type: 'reset' }, 'reverted'],
		['hang', { type: 'hang' }, 'reverted'],
		['lost answer', { type: 'lose' }, 'reverted'],
		['429 wait 0 s twice', { type: 'limit', retryAfter: 0, count: 2 }, 'reverted'],
		['429 wait 1 s', { type: 'limit', retryAfter: 1 }, 'reverted'],
		['503 until the retries run out', { type: 'status', status: 503, count: 4 }, 'error:vendor_error'],
		['reset until the retries run out', { type: 'reset', count: 4 }, 'error:network'],
		['403', { type: 'status', status: 403, body: { error: { message: 'forbidden' } } }, 'error:permission'],
		['redirect', { type: 'status', status: 307, body: '', headers: { location: 'http://127.0.0.1:9/elsewhere' } }, 'error:unexpected_response'],
		['HTML page', { type: 'html' }, 'error:unexpected_response'],
	];
	return rows.map(([name, fault, expected], n) => {
		const id = v.idOf(900 + n);
		return { name, id, expected, fault: { ...fault, vendor: provider, method: 'POST', path: id } };
	});
}

module.exports = { VENDORS, PROVIDERS, random, randomBatch, seedBatch, faultMatrix };
