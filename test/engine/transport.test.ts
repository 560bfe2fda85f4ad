/**
 * The request/response path in n8n's engine against the local fakes (issue 12, findings 4 and 8):
 * - Timeout (Seconds) bounds each request's whole exchange, a body that trickles in included, with
 *   the API-key and the OAuth2 credentials (n8n refreshes OAuth2 tokens inside its helper);
 * - a body beyond the size cap is unexpected_response: not read to its end, not in the item, not
 *   resent;
 * - a cancelled execution aborts its requests in flight;
 * - the vendors' wait headers are believed only when well formed and sane.
 * No timing is asserted. A trickle lasts far longer than jest lets a test run (30 s), so a read
 * that the timeout does not bound fails the test by its timeout; the fakes log the connections
 * that the node gave up.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { startFakes, type FakeFault, type Fakes } from '../fakes/server';
import { runNode, type RunOptions } from '../harness/engine';
import { expectNoSecrets, FAKES_CONFIG, fakeCredentials, SECRETS } from '../helpers';
import { errorOf, outcomeOf, PROVIDERS, useFakes, VENDORS, type Vendor } from './vendors';

const suite = useFakes();

/** The vendors with a documented single-invoice read. */
const READABLE: Vendor[] = ['qonto', 'wethod'];
/** Far longer than a test may run: only a bounded read lets the test end. */
const FOREVER_MS = 120_000;

function nodeRun(
	fakes: Fakes,
	provider: Vendor,
	operation: 'getStatus' | 'revertPayment',
	invoiceId: string,
	options: INodeParameters = {},
	extra: Partial<RunOptions> & { authentication?: string } = {},
) {
	const { authentication = 'apiKey', ...rest } = extra;
	return runNode({
		parameters: { provider, authentication, operation, invoiceId, options },
		credentials: fakeCredentials(fakes.url),
		onError: 'continueRegularOutput',
		...rest,
	});
}

const read = (provider: Vendor, options?: INodeParameters, extra?: Partial<RunOptions> & { authentication?: string }) =>
	nodeRun(suite.fakes, provider, 'getStatus', VENDORS[provider].id, options, extra);
const revert = (provider: Vendor, options?: INodeParameters, extra?: Partial<RunOptions> & { authentication?: string }) =>
	nodeRun(suite.fakes, provider, 'revertPayment', VENDORS[provider].id, options, extra);

/** Waits (bounded) for something the fakes learn asynchronously, such as a closed connection. */
async function until(check: () => boolean, what: string): Promise<void> {
	for (let i = 0; i < 400 && !check(); i++) await sleep(25);
	if (!check()) throw new Error(`still waiting for: ${what}`);
}

/** The request that got the fault. */
const faulted = (type: FakeFault['type']) => suite.fakes.log.find((r) => r.fault === type);
const requests = (fakes: Fakes, method: string, id: string) => fakes.log.filter((r) => r.method === method && r.path.includes(id));

/** Fakes whose 429 waits are written by the test; a server of its own, so that no pace is shared. */
async function withOwnFakes(test: (fakes: Fakes) => Promise<void>): Promise<void> {
	const fakes = await startFakes({ config: FAKES_CONFIG });
	try {
		await test(fakes);
	} finally {
		await fakes.close();
	}
}

/** Makes the fixture's OAuth2 access token expired, and lets n8n refresh it with the fixture's refresh token. */
function expireOAuth2Token(fakes: Fakes): void {
	fakes.config.qonto.accessTokens = [];
	fakes.config.qonto.refreshTokens = { [SECRETS[2]]: true };
	fakes.config.qonto.clientSecret = SECRETS[0];
}
/** The first access token the fakes issue starts with this. */
const FIRST_ISSUED = 'qonto-access-1-';

describe('Timeout (Seconds) bounds the whole exchange, a trickling body included', () => {
	it.each(READABLE)('%s: a read whose body trickles fails `network` (no answer in time); the connection is dropped', async (provider) => {
		suite.fakes.seed(provider, VENDORS[provider].id);
		suite.fakes.addFaults([{ type: 'trickle', vendor: provider, method: 'GET', durationMs: FOREVER_MS }]);
		const result = await read(provider, { timeoutSeconds: 1, maxRetries: 0 });
		expect(errorOf(result.output[0])).toMatchObject({ category: 'network', vendorCode: 'ETIMEDOUT', httpCode: null });
		expect(errorOf(result.output[0]).message).toMatch(/no answer in time/);
		await until(() => faulted('trickle')?.aborted === true, 'the trickling read aborted');
		expect(suite.fakes.log.map((r) => r.fault)).toEqual(['trickle']);
	});

	it.each(READABLE)('%s: a read whose body trickled once is retried and answered', async (provider) => {
		suite.fakes.seed(provider, VENDORS[provider].id);
		suite.fakes.addFaults([{ type: 'trickle', vendor: provider, method: 'GET', durationMs: FOREVER_MS }]);
		const result = await read(provider, { timeoutSeconds: 1 });
		expect(result.output[0].json).toMatchObject({ outcome: 'status', paid: true });
		expect(suite.fakes.log.map((r) => [r.fault, r.aborted])).toEqual([['trickle', true], [undefined, undefined]]);
	});

	it.each(PROVIDERS)('%s: a write whose answer trickles (applied) is retried and confirmed: reverted once', async (provider) => {
		const v = VENDORS[provider];
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([{ type: 'trickle', vendor: provider, method: 'POST', path: v.id, durationMs: FOREVER_MS }]);
		const result = await revert(provider, { timeoutSeconds: 1 });
		expect(result.output).toHaveLength(1);
		expect(result.output[0].json).toMatchObject({ outcome: 'reverted', paid: false, status: v.unpaid });
		expect(suite.fakes.state[provider].get(v.id)).toMatchObject({ status: v.unpaid });
		const writes = requests(suite.fakes, 'POST', v.id);
		expect(writes[0]).toMatchObject({ fault: 'trickle', aborted: true });
		// Applied once: every later attempt was refused or a no-op.
		expect(writes.slice(1).every((w) => !w.fault)).toBe(true);
		expectNoSecrets(result.everything);
	});

	it('a write whose 2xx answer trickles, with no retry left: a read confirms it (reverted); Contazen says the result is unknown', async () => {
		// An answer cut by the timeout after its 2xx status came is an unreadable answer to a write
		// (see writes.test.ts): a read settles it where the vendor can be read.
		suite.fakes.seed('qonto', VENDORS.qonto.id);
		suite.fakes.addFaults([{ type: 'trickle', vendor: 'qonto', method: 'POST', durationMs: FOREVER_MS }]);
		const result = await revert('qonto', { timeoutSeconds: 1, maxRetries: 0, capturePreviousState: false });
		expect(result.output[0].json).toMatchObject({ outcome: 'reverted', paid: false });
		suite.fakes.seed('contazen', VENDORS.contazen.id);
		suite.fakes.addFaults([{ type: 'trickle', vendor: 'contazen', method: 'POST', durationMs: FOREVER_MS }]);
		const unread = await revert('contazen', { timeoutSeconds: 1, maxRetries: 0 });
		expect(errorOf(unread.output[0])).toMatchObject({ category: 'unexpected_response', httpCode: '200' });
		expect(errorOf(unread.output[0]).message).toMatch(/whether it was reverted is unknown/);
	});

	it('a write that never answers, with no retry left: `network`, and the item says the result is unknown', async () => {
		suite.fakes.seed('qonto', VENDORS.qonto.id);
		suite.fakes.addFaults([{ type: 'hang', vendor: 'qonto', method: 'POST' }]);
		const result = await revert('qonto', { timeoutSeconds: 1, maxRetries: 0, capturePreviousState: false });
		expect(errorOf(result.output[0])).toMatchObject({ category: 'network', vendorCode: 'ETIMEDOUT' });
		expect(errorOf(result.output[0]).message).toMatch(/whether a change was applied is unknown/);
	});

	it('the run stops on the error (no Continue): the error names the timeout', async () => {
		suite.fakes.seed('wethod', VENDORS.wethod.id);
		suite.fakes.addFaults([{ type: 'trickle', vendor: 'wethod', durationMs: FOREVER_MS }]);
		const result = await read('wethod', { timeoutSeconds: 1, maxRetries: 0 }, { onError: undefined });
		expect(result.error?.message).toMatch(/^Wethod: no answer in time/);
	});

	describe('with the Qonto OAuth2 credential', () => {
		it('a read whose body trickles is bounded the same way', async () => {
			suite.fakes.seed('qonto', VENDORS.qonto.id);
			suite.fakes.addFaults([{ type: 'trickle', vendor: 'qonto', method: 'GET', authorization: SECRETS[1], durationMs: FOREVER_MS }]);
			const result = await read('qonto', { timeoutSeconds: 1, maxRetries: 0 }, { authentication: 'oAuth2' });
			expect(errorOf(result.output[0])).toMatchObject({ category: 'network', vendorCode: 'ETIMEDOUT' });
			await until(() => faulted('trickle')?.aborted === true, 'the trickling read aborted');
		});

		it('an expired token: the request n8n resends after refreshing it is bounded too', async () => {
			suite.fakes.seed('qonto', VENDORS.qonto.id);
			expireOAuth2Token(suite.fakes);
			suite.fakes.addFaults([{ type: 'trickle', vendor: 'qonto', method: 'GET', authorization: FIRST_ISSUED, durationMs: FOREVER_MS }]);
			const result = await read('qonto', { timeoutSeconds: 1, maxRetries: 0 }, { authentication: 'oAuth2' });
			expect(errorOf(result.output[0])).toMatchObject({ category: 'network', vendorCode: 'ETIMEDOUT' });
			expect(result.credentialUpdates).toHaveLength(1);
			const resent = suite.fakes.log.find((r) => r.fault === 'trickle');
			expect(resent?.headers.authorization).toMatch(new RegExp(`^Bearer ${FIRST_ISSUED}`));
			await until(() => resent?.aborted === true, 'the resent read aborted');
			expectNoSecrets(result.everything);
		});

		it('a token refresh that never answers is bounded too (n8n refreshes inside its own helper)', async () => {
			// Fakes of its own: closing them ends the refresh that n8n keeps waiting for, which later
			// refreshes of the same credential would otherwise join (n8n 2.x refreshes once per credential).
			await withOwnFakes(async (fakes) => {
				fakes.seed('qonto', VENDORS.qonto.id);
				expireOAuth2Token(fakes);
				fakes.addFaults([{ type: 'hang', vendor: 'qonto', path: '/oauth2/token' }]);
				const result = await nodeRun(fakes, 'qonto', 'getStatus', VENDORS.qonto.id, { timeoutSeconds: 1, maxRetries: 0 }, { authentication: 'oAuth2' });
				expect(errorOf(result.output[0])).toMatchObject({ category: 'network', vendorCode: 'ETIMEDOUT' });
				expect(fakes.log.filter((r) => r.path === '/oauth2/token').map((r) => r.fault)).toEqual(['hang']);
			});
		});

		it('an expired token, then an error answer: read from the error n8n throws (n8n 1.x path), 404 not_found', async () => {
			expireOAuth2Token(suite.fakes);
			const result = await nodeRun(suite.fakes, 'qonto', 'getStatus', VENDORS.qonto.missing, {}, { authentication: 'oAuth2' });
			expect(errorOf(result.output[0])).toMatchObject({ category: 'not_found', httpCode: '404', vendorCode: 'not_found' });
		});
	});
});

describe('a body beyond the size cap is unexpected_response', () => {
	const small = (result: { everything: string }) => expect(result.everything.length).toBeLessThan(50_000);

	it.each(READABLE)('%s: a huge answer to a read: not read to its end, not copied into the item', async (provider) => {
		suite.fakes.seed(provider, VENDORS[provider].id);
		suite.fakes.addFaults([{ type: 'huge', vendor: provider, method: 'GET', sizeMb: 50 }]);
		const result = await read(provider);
		const error = errorOf(result.output[0]);
		expect(error).toMatchObject({ category: 'unexpected_response', httpCode: '200' });
		expect(error.message).toMatch(/larger than 5 MB/);
		expect(error.message).toMatch(/base URL/);
		small(result);
		await until(() => faulted('huge')?.aborted === true, 'the huge answer dropped');
		expect(suite.fakes.log).toHaveLength(1);
	});

	it('announced in Content-Length: refused before reading, with the size in the message', async () => {
		suite.fakes.seed('wethod', VENDORS.wethod.id);
		suite.fakes.addFaults([{ type: 'huge', vendor: 'wethod', sizeMb: 50, contentLength: true }]);
		const result = await read('wethod');
		const error = errorOf(result.output[0]);
		expect(error).toMatchObject({ category: 'unexpected_response', httpCode: '200' });
		expect(error.message).toMatch(/50\.0 MB/);
		small(result);
		await until(() => faulted('huge')?.aborted === true, 'the huge answer dropped');
	});

	it('a huge 503 is not resent: the body, not the status, decides', async () => {
		suite.fakes.seed('qonto', VENDORS.qonto.id);
		suite.fakes.addFaults([{ type: 'huge', vendor: 'qonto', method: 'GET', status: 503, sizeMb: 20, count: 4 }]);
		const result = await read('qonto');
		expect(errorOf(result.output[0])).toMatchObject({ category: 'unexpected_response', httpCode: '503' });
		expect(suite.fakes.log).toHaveLength(1);
		small(result);
	});

	it('Contazen: a huge answer to the write (applied) is unexpected_response and not resent', async () => {
		const v = VENDORS.contazen;
		suite.fakes.seed('contazen', v.id);
		suite.fakes.addFaults([{ type: 'huge', vendor: 'contazen', method: 'POST', sizeMb: 20 }]);
		const result = await revert('contazen');
		expect(errorOf(result.output[0])).toMatchObject({ category: 'unexpected_response', httpCode: '200' });
		expect(requests(suite.fakes, 'POST', v.id)).toHaveLength(1);
		small(result);
	});

	it('a body just under the cap is read as usual', async () => {
		suite.fakes.seed('wethod', VENDORS.wethod.id);
		suite.fakes.addFaults([{ type: 'huge', vendor: 'wethod', sizeMb: 4 }]);
		const result = await read('wethod');
		expect(result.output[0].json).toMatchObject({ outcome: 'status', paid: true });
	});

	it('Qonto OAuth2, after a token refresh: a huge answer is refused the same way', async () => {
		suite.fakes.seed('qonto', VENDORS.qonto.id);
		expireOAuth2Token(suite.fakes);
		suite.fakes.addFaults([{ type: 'huge', vendor: 'qonto', method: 'GET', authorization: FIRST_ISSUED, sizeMb: 50 }]);
		const result = await read('qonto', {}, { authentication: 'oAuth2' });
		expect(errorOf(result.output[0])).toMatchObject({ category: 'unexpected_response', httpCode: '200' });
		expect(result.credentialUpdates).toHaveLength(1);
		small(result);
	});
});

describe('a cancelled execution aborts its requests in flight', () => {
	it.each([
		['no answer', { type: 'hang' }],
		['a body that trickles', { type: 'trickle', durationMs: FOREVER_MS }],
	] as Array<[string, FakeFault]>)('%s: the request is aborted and the run ends as canceled', async (_name, fault) => {
		suite.fakes.seed('wethod', VENDORS.wethod.id);
		suite.fakes.addFaults([{ vendor: 'wethod', method: 'GET', ...fault }]);
		const sent = until(() => suite.fakes.log.length > 0, 'the read sent');
		// The timeout alone would take far longer than the test may.
		const result = await read('wethod', { timeoutSeconds: 3600 }, { cancelWhen: sent });
		expect(result.run.status).toBe('canceled');
		await until(() => suite.fakes.log.find((r) => r.fault)?.aborted === true, 'the read aborted');
		expect(suite.fakes.log).toHaveLength(1);
	});
});

describe('wait headers are believed only when well formed and sane', () => {
	/** A 429 asking for `headers` (and `body`), on the first write; then the normal answers. */
	const limited = (provider: Vendor, headers: Record<string, string | string[]>, body: unknown = { error: 'too many requests' }): FakeFault => ({
		type: 'status',
		status: 429,
		vendor: provider,
		method: 'POST',
		headers,
		body,
	});
	const contazenBody = (extra: IDataObject = {}) => ({
		success: false,
		error: { message: 'Rate limit exceeded', type: 'rate_limit_error', code: 'rate_limit_exceeded', status: 429, ...extra },
	});

	it.each([
		['qonto', { 'retry-after': '5, 5' }, undefined],
		// Node's HTTP client joins a header sent twice: the node sees "5, 5".
		['wethod', { 'x-ratelimit-retry-after': ['5', '5'] }, undefined],
		['contazen', { 'retry-after': '5, 5' }, contazenBody()],
		['contazen', {}, contazenBody({ retry_after: '5' })],
	] as Array<[Vendor, Record<string, string | string[]>, unknown]>)(
		'%s %j: a duplicated 5 s wait is 5 s (not a date in 2001, not 0 s)',
		async (provider, headers, body) => {
			await withOwnFakes(async (fakes) => {
				const v = VENDORS[provider];
				fakes.seed(provider, v.id);
				fakes.addFaults([limited(provider, headers, body)]);
				const result = await nodeRun(fakes, provider, 'revertPayment', v.id, { maxRetryWaitSeconds: 2, capturePreviousState: false });
				expect(errorOf(result.output[0])).toMatchObject({ category: 'rate_limited', retryAfterSeconds: 5, httpCode: '429' });
				expect(requests(fakes, 'POST', v.id)).toHaveLength(1);
			});
		},
	);

	it.each([
		['qonto', { 'retry-after': '1000000000000' }, undefined],
		['qonto', { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }, undefined],
		['wethod', { 'x-ratelimit-retry-after': '99999999999999999999' }, undefined],
		['contazen', {}, contazenBody({ retry_after: 1e12 })],
	] as Array<[Vendor, Record<string, string>, unknown]>)(
		'%s %j: an absurd wait is reported as rate_limited with at most an hour',
		async (provider, headers, body) => {
			await withOwnFakes(async (fakes) => {
				const v = VENDORS[provider];
				fakes.seed(provider, v.id);
				fakes.addFaults([limited(provider, headers, body)]);
				const result = await nodeRun(fakes, provider, 'revertPayment', v.id, { capturePreviousState: false });
				expect(errorOf(result.output[0])).toMatchObject({ category: 'rate_limited', retryAfterSeconds: 3600 });
				expect(errorOf(result.output[0]).message).toMatch(/asks to wait 3600 s/);
			});
		},
	);

	it.each([
		['qonto', { 'retry-after': '1e3' }, undefined],
		['qonto', { 'retry-after': '3600, 1e3' }, undefined],
		['wethod', { 'x-ratelimit-retry-after': '0x10' }, undefined],
		['contazen', {}, contazenBody({ retry_after: -1 })],
		// Milliseconds where Unix seconds are documented: 574 years ahead.
		['contazen', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.now() + 60_000) }, contazenBody()],
	] as Array<[Vendor, Record<string, string>, unknown]>)(
		'%s %j: no figure, so a short backoff, and the retry goes through',
		async (provider, headers, body) => {
			await withOwnFakes(async (fakes) => {
				const v = VENDORS[provider];
				fakes.seed(provider, v.id);
				fakes.addFaults([limited(provider, headers, body)]);
				const result = await nodeRun(fakes, provider, 'revertPayment', v.id, { capturePreviousState: false });
				expect(outcomeOf(result.output[0])).toBe('reverted');
				expect(requests(fakes, 'POST', v.id)).toHaveLength(2);
			});
		},
	);
});
