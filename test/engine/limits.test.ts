/**
 * Rate limits enforced by the local vendor fakes, in the n8n engine: the pace by Contazen's quota
 * headers, 429s waited out where a vendor reports no quota, one OAuth2 refresh per batch.
 */
import type { IDataObject } from 'n8n-workflow';

import type { LoggedRequest } from '../fakes/server';
import { runNode } from '../harness/engine';
import { expectNoSecrets, fakeCredentials, SECRETS } from '../helpers';
import { outcomeOf, useFakes, VENDORS, type Vendor } from './vendors';

const suite = useFakes();
const { run } = suite;

const count429 = (log: LoggedRequest[]) => log.filter((r) => r.status === 429).length;

describe('rate limits enforced by the fakes', () => {
	it('300 Contazen reverts at 30 requests per 6 s: 0 failed items, no 429', async () => {
		suite.fakes.config.contazen.rateLimit = { limit: 30, windowMs: 6000 };
		const ids = Array.from({ length: 300 }, (_, n) => VENDORS.contazen.idOf(n));
		for (const id of ids) suite.fakes.seed('contazen', id);
		const result = await run('contazen', ids);
		expect(result.output.map(outcomeOf)).toEqual(ids.map(() => 'reverted'));
		expect(suite.fakes.log).toHaveLength(300);
		expect(count429(suite.fakes.log)).toBe(0);
	}, 150_000);

	it('Contazen: two nodes on the same credential in one execution, over one limit: no 429', async () => {
		suite.fakes.config.contazen.rateLimit = { limit: 10, windowMs: 2000 };
		const ids = Array.from({ length: 10 }, (_, n) => VENDORS.contazen.idOf(n));
		for (const id of ids) suite.fakes.seed('contazen', id);
		const result = await run('contazen', ids, {}, { nodes: 2, parameters: {
			provider: 'contazen', operation: 'revertPayment', invoiceId: '={{ $json.invoiceId ?? $json.id }}',
		} });
		// The bills were reverted by the first node; the second reverts them again, a no-op.
		expect(result.output).toHaveLength(10);
		expect(result.output.every((i) => i.json.outcome === 'reverted')).toBe(true);
		expect(suite.fakes.log).toHaveLength(20);
		expect(count429(suite.fakes.log)).toBe(0);
	}, 60_000);

	it.each([
		['qonto', { rateLimit: { limit: 10, windowMs: 1000 } }],
		['wethod', { rateLimit: { limit: 10, windowMs: 1000 } }],
	] as Array<[Vendor, IDataObject]>)(
		'%s (no quota headers): 40 reverts over a 10 per second limit, 0 failed items, the 429s waited out',
		async (provider, config) => {
			Object.assign(suite.fakes.config[provider], config);
			const ids = Array.from({ length: 40 }, (_, n) => VENDORS[provider].idOf(n));
			for (const id of ids) suite.fakes.seed(provider, id);
			const result = await run(provider, ids, { capturePreviousState: false, concurrency: 5 });
			expect(result.output.map(outcomeOf)).toEqual(ids.map(() => 'reverted'));
			const limited = count429(suite.fakes.log);
			// A 429 holds every item: at most the ones already in flight meet the same window.
			expect(limited).toBeGreaterThan(0);
			expect(limited).toBeLessThanOrEqual(5 * 4);
		},
		60_000,
	);

	it('a 429 asking longer than Max Retry Wait holds every item: the others fail without a request', async () => {
		const ids = Array.from({ length: 5 }, (_, n) => VENDORS.wethod.idOf(n));
		for (const id of ids) suite.fakes.seed('wethod', id);
		suite.fakes.addFaults([{ vendor: 'wethod', type: 'limit', retryAfter: 120 }]);
		const result = await run('wethod', ids, { maxRetryWaitSeconds: 30 });
		const errors = result.output.map((i) => i.json.error as IDataObject);
		expect(errors.map((e) => [e.category, e.retryAfterSeconds])).toEqual(ids.map(() => ['rate_limited', 120]));
		expect(errors[0]).toMatchObject({ httpCode: '429' });
		expect(errors[1].message).toMatch(/^Wethod: rate limit reached for invoice \d+; Wethod asks to wait 120 s/);
		expect(suite.fakes.log).toHaveLength(1);
	});

	it('Qonto OAuth2: an expired token is refreshed once for a batch in flight, not once per item', async () => {
		const ids = Array.from({ length: 10 }, (_, n) => VENDORS.qonto.idOf(n));
		for (const id of ids) suite.fakes.seed('qonto', id);
		const creds = fakeCredentials(suite.fakes.url);
		// The stored access token is refused; its refresh token is good.
		Object.assign(suite.fakes.config.qonto, {
			accessTokens: [],
			refreshTokens: { [SECRETS[2]]: true },
			clientId: creds.paymentRevertQontoOAuth2Api.clientId,
			clientSecret: SECRETS[0],
		});
		const result = await runNode({
			parameters: { provider: 'qonto', operation: 'revertPayment', invoiceId: '={{ $json.id }}', options: { concurrency: 5 } },
			items: ids.map((id) => ({ id })),
			credentials: creds,
		});
		expect(result.output.map(outcomeOf)).toEqual(ids.map(() => 'reverted'));
		expect(suite.fakes.log.filter((r) => r.path.endsWith('/oauth2/token'))).toHaveLength(1);
		expect(result.credentialUpdates).toHaveLength(1);
		expectNoSecrets(result.everything);
	});
});
