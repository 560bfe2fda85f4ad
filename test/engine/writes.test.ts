/**
 * Writes whose answer cannot be read, and runs that stop with writes in flight (audit of SPEC
 * Revision 2: every `reverted` / `already_unpaid` can be trusted, a stopped run names what it may
 * have changed), and the backoff between retries bounded by Max Retry Wait.
 * - A 2xx answer to a write that is larger than the node reads, or whose body is cut, is an
 *   ambiguous answer: a read settles it (Qonto, Wethod); Contazen cannot be read, so the item says
 *   that the result is unknown, and a stopped run lists it.
 * - A run that stops names the items in flight whose write may have been applied (answer lost).
 * - No backoff (429 or 5xx without a figure, a network failure) is slept beyond Max Retry Wait.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { FakeFault } from '../fakes/server';
import { runNode } from '../harness/engine';
import { expectNoSecrets, fakeCredentials } from '../helpers';
import { errorOf, outcomeOf, PROVIDERS, useFakes, VENDORS, type Vendor } from './vendors';

const suite = useFakes();

/** The vendors with a documented single-invoice read. */
const READABLE: Vendor[] = ['qonto', 'wethod'];
/** Far longer than a test may run: only the node's timeout ends the answer. */
const FOREVER_MS = 120_000;

/** 2xx answers to the write that the node cannot read; each applied by the vendor. */
const UNREADABLE: Array<[string, Omit<FakeFault, 'vendor'>, INodeParameters]> = [
	['a huge 2xx answer', { type: 'huge', method: 'POST', sizeMb: 20 }, {}],
	['a huge 2xx answer announced in Content-Length', { type: 'huge', method: 'POST', sizeMb: 20, contentLength: true }, {}],
	['a 2xx answer whose body is cut (timeout, no retry left)', { type: 'trickle', method: 'POST', durationMs: FOREVER_MS }, { timeoutSeconds: 1, maxRetries: 0 }],
];

const writesTo = (id: string) => suite.fakes.log.filter((r) => r.method === 'POST' && r.path.includes(id));

/** Items with ids, without Continue: the run stops on the first failure in input order. */
function stoppingRun(provider: Vendor, ids: string[], options: INodeParameters = {}) {
	return runNode({
		parameters: { provider, authentication: 'apiKey', operation: 'revertPayment', invoiceId: '={{ $json.id }}', options },
		items: ids.map((id) => ({ id })),
		credentials: fakeCredentials(suite.fakes.url),
	});
}

describe('a 2xx answer to a write that cannot be read is ambiguous: a read decides', () => {
	describe.each(UNREADABLE)('%s', (_name, fault, options) => {
		it.each(READABLE)('%s, applied: the read shows it unpaid: reverted', async (provider) => {
			const v = VENDORS[provider];
			suite.fakes.seed(provider, v.id);
			suite.fakes.addFaults([{ ...fault, vendor: provider, path: v.id }]);
			const result = await suite.run(provider, v.id, options);
			expect(suite.fakes.state[provider].get(v.id)?.status).toBe(v.unpaid);
			expect(result.output[0].json).toMatchObject({ outcome: 'reverted', paid: false, status: v.unpaid });
			// Applied once: the write was not resent.
			expect(writesTo(v.id)).toHaveLength(1);
			expectNoSecrets(result.everything);
		});

		it('contazen (no single-bill read): unexpected_response saying that the result is unknown', async () => {
			const v = VENDORS.contazen;
			suite.fakes.seed('contazen', v.id);
			suite.fakes.addFaults([{ ...fault, vendor: 'contazen', path: v.id }]);
			const result = await suite.run('contazen', v.id, options);
			expect(suite.fakes.state.contazen.get(v.id)?.status).toBe(v.unpaid);
			const error = errorOf(result.output[0]);
			expect(error).toMatchObject({ category: 'unexpected_response', httpCode: '200' });
			expect(error.message).toMatch(/whether it was reverted is unknown: check it in Contazen/);
			expect(writesTo(v.id)).toHaveLength(1);
		});
	});

	it.each(READABLE)('%s, a huge 2xx that was not applied: the read shows it still paid: unexpected_response, nothing reverted', async (provider) => {
		const v = VENDORS[provider];
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([{ type: 'huge', vendor: provider, method: 'POST', path: v.id, status: 200, body: { ok: true }, sizeMb: 20 }]);
		const result = await suite.run(provider, v.id);
		expect(suite.fakes.state[provider].get(v.id)?.status).toBe('paid');
		const error = errorOf(result.output[0]);
		expect(error).toMatchObject({ category: 'unexpected_response' });
		expect(error.message).toMatch(/still paid .*nothing was reverted/);
	});

	it('wethod, no Continue: a huge answer to an applied revert, then a failing item: the error names the revert', async () => {
		const v = VENDORS.wethod;
		suite.fakes.seed('wethod', v.id);
		suite.fakes.addFaults([{ type: 'huge', vendor: 'wethod', method: 'POST', sizeMb: 20 }]);
		const result = await stoppingRun('wethod', [v.id, v.missing], { concurrency: 1 });
		expect(suite.fakes.state.wethod.get(v.id)?.status).toBe(v.unpaid);
		expect(result.error?.message).toMatch(/not found/);
		expect(String(result.error?.description)).toMatch(new RegExp(`Already reverted in this run before it stopped \\(1 invoice\\): ${v.id}\\b`));
		expect(result.error?.context).toMatchObject({ revertedInvoiceIds: [v.id] });
	});
});

describe('a run that stops names the writes in flight whose result is unknown', () => {
	it.each(PROVIDERS)('%s, Max Retries 0: a write whose answer was lost (applied) is listed as result unknown', async (provider) => {
		const v = VENDORS[provider];
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([{ type: 'lose', vendor: provider, method: 'POST', path: v.id }]);
		const result = await stoppingRun(provider, [v.missing, v.id], { maxRetries: 0 });
		expect(suite.fakes.state[provider].get(v.id)?.status).toBe(v.unpaid);
		expect(result.error?.message).toMatch(/not found/);
		expect(String(result.error?.description)).toMatch(new RegExp(`Result unknown \\(1 [a-z ]+, a revert was sent but no answer confirmed it\\): ${v.id}\\b`));
		expect(result.error?.context).toMatchObject({ unknownInvoiceIds: [v.id] });
		expect(result.error?.context).not.toHaveProperty('revertedInvoiceIds');
		expectNoSecrets(result.everything);
	});

	it('contazen: a huge answer to a write in flight (applied, unreadable) is listed as result unknown', async () => {
		const v = VENDORS.contazen;
		suite.fakes.seed('contazen', v.id);
		suite.fakes.addFaults([{ type: 'huge', vendor: 'contazen', method: 'POST', path: v.id, sizeMb: 20 }]);
		const result = await stoppingRun('contazen', [v.missing, v.id]);
		expect(result.error?.message).toMatch(/not found/);
		expect(String(result.error?.description)).toMatch(new RegExp(`Result unknown \\(1 supplier bill, [^)]*\\): ${v.id}\\b`));
		expect(result.error?.context).toMatchObject({ unknownInvoiceIds: [v.id] });
	});

	it('wethod: the failing item itself, a write whose answer was lost: its message says unknown and the note lists it', async () => {
		const v = VENDORS.wethod;
		suite.fakes.seed('wethod', v.id);
		suite.fakes.addFaults([{ type: 'lose', vendor: 'wethod', method: 'POST' }]);
		const result = await stoppingRun('wethod', [v.id], { maxRetries: 0, capturePreviousState: false });
		expect(result.error?.message).toMatch(/whether a change was applied is unknown/);
		expect(result.error?.context).toMatchObject({ unknownInvoiceIds: [v.id] });
	});

	it('a write that a read showed still paid is not listed (nothing was reverted)', async () => {
		const v = VENDORS.wethod;
		suite.fakes.seed('wethod', v.id);
		suite.fakes.addFaults([{ type: 'huge', vendor: 'wethod', method: 'POST', status: 200, body: { ok: true }, sizeMb: 20 }]);
		const result = await stoppingRun('wethod', [v.id], { capturePreviousState: false });
		expect(result.error?.message).toMatch(/still paid/);
		expect(String(result.error?.description)).not.toMatch(/Result unknown/);
		expect(result.error?.context).not.toHaveProperty('unknownInvoiceIds');
	});
});

describe('Max Retry Wait bounds every backoff between retries', () => {
	it('wethod, Max Retry Wait 2 s, Max Retries 5, every answer 429 without a figure: rate_limited once the backoff does not fit (at most 4 requests)', async () => {
		const id = VENDORS.wethod.idOf(0);
		suite.fakes.seed('wethod', id);
		suite.fakes.addFaults([{ vendor: 'wethod', type: 'status', status: 429, body: { key: 'too_many_requests', message: 'Too many requests' }, count: 20 }]);
		const result = await suite.run('wethod', id, { maxRetryWaitSeconds: 2, maxRetries: 5, capturePreviousState: false });
		expect(outcomeOf(result.output[0])).toBe('error:rate_limited');
		// Backoffs of 0.25-0.5, 0.5-1, 1-2 s fit in 2 s; the next (2-4 s) does not, and is the wait reported.
		expect(suite.fakes.log.length).toBeLessThanOrEqual(4);
		const error = errorOf(result.output[0]);
		expect(error.retryAfterSeconds).toBeGreaterThan(2);
		expect(error.message).toMatch(/without saying how long to wait/);
	}, 30_000);

	it('wethod, Max Retry Wait 1 s, Max Retries 5, every read 503 without Retry-After: vendor_error once the backoff does not fit', async () => {
		const id = VENDORS.wethod.idOf(0);
		suite.fakes.seed('wethod', id);
		suite.fakes.addFaults([{ vendor: 'wethod', type: 'status', method: 'GET', status: 503, body: { message: 'unavailable' }, count: 20 }]);
		const result = await suite.run('wethod', id, { maxRetryWaitSeconds: 1, maxRetries: 5 });
		expect(outcomeOf(result.output[0])).toBe('error:vendor_error');
		// Backoffs of 0.25-0.5 and 0.5-1 s fit in 1 s; the next (1-2 s) does not.
		expect(suite.fakes.log.length).toBeLessThanOrEqual(3);
	}, 30_000);

	it('qonto, Max Retry Wait 1 s, Max Retries 5, every read reset: network once the backoff does not fit', async () => {
		const v = VENDORS.qonto;
		suite.fakes.seed('qonto', v.id);
		suite.fakes.addFaults([{ vendor: 'qonto', type: 'reset', method: 'GET', count: 20 }]);
		const result = await suite.run('qonto', v.id, { maxRetryWaitSeconds: 1, maxRetries: 5 });
		expect(outcomeOf(result.output[0])).toBe('error:network');
		expect(suite.fakes.log.length).toBeLessThanOrEqual(3);
	}, 30_000);
});
