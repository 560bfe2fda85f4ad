/**
 * Many executions at once in one process (issue 11), in the n8n engine against the local fakes:
 * each run is its own execution (its own id) on the same saved credential, the way a burst of
 * webhook calls runs. They share the credential's pace: one stream at the vendor's limit, and one
 * OAuth2 refresh for all.
 */
import type { LoggedRequest } from '../fakes/server';
import { CredentialStore, runNode } from '../harness/engine';
import { expectNoSecrets, fakeCredentials, SECRETS } from '../helpers';
import { outcomeOf, PROVIDERS, useFakes, VENDORS, type Vendor } from './vendors';

const suite = useFakes();

const count429 = (log: LoggedRequest[]) => log.filter((r) => r.status === 429).length;

/** Distinct invoices answered 2xx on a write, counted per invoice (a double write shows as 2). */
function writesPerInvoice(log: LoggedRequest[], ids: string[]): number[] {
	return ids.map((id) => log.filter((r) => r.method === 'POST' && r.path.split(/[/:]/).includes(id) && r.status !== null && r.status < 300).length);
}

/** One execution per invoice, all started at once, on one saved credential, at default options. */
async function burst(provider: Vendor, ids: string[], store: CredentialStore, authentication = 'apiKey') {
	const parameters = { provider, authentication, operation: 'revertPayment', invoiceId: '={{ $json.id }}', options: {} };
	return await Promise.all(
		ids.map(async (id) => await runNode({ parameters, items: [{ id }], store, onError: 'continueRegularOutput' })),
	);
}

describe('many executions at once on one credential', () => {
	it.each(PROVIDERS)(
		'%s: 40 executions of one invoice at once over a limit of 10 requests per 2 s: none fails, one stream at the limit',
		async (provider) => {
			suite.fakes.config[provider].rateLimit = { limit: 10, windowMs: 2000 };
			const ids = Array.from({ length: 40 }, (_, n) => VENDORS[provider].idOf(n));
			for (const id of ids) suite.fakes.seed(provider, id);
			const store = new CredentialStore(fakeCredentials(suite.fakes.url));
			const results = await burst(provider, ids, store);

			expect(results.map((r) => r.output.map(outcomeOf))).toEqual(ids.map(() => ['reverted']));
			for (const id of ids) expect(suite.fakes.state[provider].get(id)).toMatchObject({ status: VENDORS[provider].unpaid });
			expect(writesPerInvoice(suite.fakes.log, ids)).toEqual(ids.map(() => 1));
			const limited = count429(suite.fakes.log);
			if (provider === 'contazen') {
				// Its quota headers pace every execution: no 429 at all.
				expect(limited).toBe(0);
			} else {
				// No quota reported: the first window finds the limit with a few requests too many;
				// after it, at most one request too many every other window (80 requests: 8 windows).
				expect(limited).toBeLessThanOrEqual(16);
			}
			for (const r of results) expectNoSecrets(r.everything);
		},
		90_000,
	);

	it('Qonto OAuth2: an expired token and 20 executions at once: one refresh for all, every execution uses the new token', async () => {
		const ids = Array.from({ length: 20 }, (_, n) => VENDORS.qonto.idOf(n));
		for (const id of ids) suite.fakes.seed('qonto', id);
		const creds = fakeCredentials(suite.fakes.url);
		// The stored access token is refused; its refresh token is good.
		Object.assign(suite.fakes.config.qonto, {
			accessTokens: [],
			refreshTokens: { [SECRETS[2]]: true },
			clientId: creds.paymentRevertQontoOAuth2Api.clientId,
			clientSecret: SECRETS[0],
		});
		const store = new CredentialStore(creds);
		const results = await burst('qonto', ids, store, 'oAuth2');

		expect(results.map((r) => r.output.map(outcomeOf))).toEqual(ids.map(() => ['reverted']));
		const refreshes = suite.fakes.log.filter((r) => r.path.endsWith('/oauth2/token'));
		expect(refreshes).toHaveLength(1);
		expect(store.updates).toHaveLength(1);
		// Only the first request met the expired token (n8n 1.x sends it twice: once handed back,
		// once to refresh); every later one, in every execution, read the new token from the store.
		const refused = suite.fakes.log.filter((r) => r.status === 401);
		expect(new Set(refused.map((r) => r.path))).toEqual(new Set([refused[0].path]));
		expect(refused.every((r) => r.at <= refreshes[0].at)).toBe(true);
		for (const r of results) expectNoSecrets(r.everything);
	}, 60_000);
});
