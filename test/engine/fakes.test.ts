/**
 * The node in the n8n engine against the local vendor fakes: real sockets, real resets and
 * hangs, the vendors' state machines. (The e2e suite runs the same fakes under a real n8n.)
 */
import { startFakes, type Fakes } from '../fakes/server';
import { runNode } from '../harness/engine';
import { expectNoSecrets, FAKES_CONFIG, fakeCredentials as fakeCredentialsFor, QONTO_ID, QONTO_ID_2, SECRETS, STAGING_TOKEN } from '../helpers';

let fakes: Fakes;

const fakeCredentials = () => fakeCredentialsFor(fakes.url);

beforeAll(async () => {
	fakes = await startFakes({ config: FAKES_CONFIG });
});
afterAll(async () => await fakes.close());
beforeEach(() => {
	for (const map of Object.values(fakes.state)) map.clear();
	fakes.log.length = 0;
});

describe('against the local vendor fakes', () => {
	it('Qonto (API key, staging token): a batch reverts paid invoices and re-runs safely', async () => {
		fakes.seed('qonto', QONTO_ID);
		fakes.seed('qonto', QONTO_ID_2, { status: 'to_review', payment_date: null });
		const parameters = { provider: 'qonto', authentication: 'apiKey', operation: 'revertPayment', invoiceId: '={{ $json.id }}' };
		const items = [{ id: QONTO_ID }, { id: QONTO_ID_2 }, { id: '00000000-0000-4000-8000-000000000000' }];

		const first = await runNode({ parameters, items, credentials: fakeCredentials(), onError: 'continueRegularOutput' });
		expect(first.output.map((i) => i.json.outcome ?? (i.json.error as { category: string }).category)).toEqual([
			'reverted',
			'already_unpaid',
			'not_found',
		]);
		expect(fakes.state.qonto.get(QONTO_ID)).toMatchObject({ status: 'to_review', payment_date: null });
		expect(fakes.log.every((r) => r.headers['x-qonto-staging-token'] === STAGING_TOKEN)).toBe(true);

		const second = await runNode({ parameters, items: items.slice(0, 1), credentials: fakeCredentials() });
		expect(second.output[0].json).toMatchObject({ outcome: 'already_unpaid', status: 'to_review' });
		expectNoSecrets(first.everything + second.everything);
	});

	it('Qonto (OAuth2): an expired token is refreshed against the token endpoint', async () => {
		fakes.seed('qonto', QONTO_ID);
		fakes.config.qonto.accessTokens = [];
		fakes.config.qonto.refreshTokens = { [SECRETS[2]]: true };
		fakes.config.qonto.clientSecret = SECRETS[0];
		fakes.config.qonto.clientId = 'qonto-client-id';
		const result = await runNode({
			parameters: { provider: 'qonto', operation: 'revertPayment', invoiceId: QONTO_ID },
			credentials: fakeCredentials(),
		});
		expect(result.output[0].json.outcome).toBe('reverted');
		expect(fakes.log.filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
		expect(result.credentialUpdates).toHaveLength(1);
		fakes.config.qonto.accessTokens = [SECRETS[1]];
	});

	it('Contazen: reverts and reports the linked expense; the second call is a no-op', async () => {
		fakes.seed('contazen', 'sbill_fake01');
		const parameters = { provider: 'contazen', operation: 'revertPayment', invoiceId: 'sbill_fake01' };
		const result = await runNode({ parameters, credentials: fakeCredentials() });
		expect(result.output[0].json).toMatchObject({ outcome: 'reverted', status: 'unpaid', linkedExpenseId: 'exp_fake01' });
		expect(fakes.state.contazen.get('sbill_fake01')).toMatchObject({ status: 'unpaid', payment_amount: null });
		expect(fakes.log[0].headers).toMatchObject({ accept: 'application/json', 'content-type': 'application/json' });
	});

	it('Wethod: reverts with the company and version headers; a not-paid invoice is left alone', async () => {
		fakes.seed('wethod', '1042');
		fakes.seed('wethod', '1043', { status: 'sent', payment_date: null });
		const result = await runNode({
			parameters: { provider: 'wethod', operation: 'revertPayment', invoiceId: '={{ $json.id }}' },
			items: [{ id: 1042 }, { id: 1043 }],
			credentials: fakeCredentials(),
		});
		expect(result.output.map((i) => i.json.outcome)).toEqual(['reverted', 'already_unpaid']);
		expect(fakes.log.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/api/invoices/1042:set-unpaid']);
	});

	it('retries a connection reset on a read', async () => {
		fakes.seed('wethod', '7');
		fakes.addFaults([{ vendor: 'wethod', type: 'reset' }]);
		const result = await runNode({
			parameters: { provider: 'wethod', operation: 'getStatus', invoiceId: '7' },
			credentials: fakeCredentials(),
		});
		expect(result.output[0].json).toMatchObject({ outcome: 'status', paid: true });
		expect(fakes.log).toHaveLength(2);
	});

	it('a reset with no retries left is a network error', async () => {
		fakes.seed('wethod', '7');
		fakes.addFaults([{ vendor: 'wethod', type: 'reset' }]);
		const result = await runNode({
			parameters: { provider: 'wethod', operation: 'getStatus', invoiceId: '7', options: { maxRetries: 0 } },
			credentials: fakeCredentials(),
			onError: 'continueRegularOutput',
		});
		expect(result.output[0].json.error).toMatchObject({ category: 'network', httpCode: null, provider: 'wethod' });
	});

	it('a write that hung is retried and applied once', async () => {
		fakes.seed('qonto', QONTO_ID);
		fakes.addFaults([{ vendor: 'qonto', path: 'unmark_as_paid', type: 'hang' }]);
		const result = await runNode({
			parameters: { provider: 'qonto', authentication: 'apiKey', operation: 'revertPayment', invoiceId: QONTO_ID, options: { timeoutSeconds: 1 } },
			credentials: fakeCredentials(),
		});
		expect(result.output[0].json).toMatchObject({ outcome: 'reverted', status: 'to_review', previous: { status: 'paid' } });
		expect(fakes.log.filter((r) => r.path.endsWith('unmark_as_paid'))).toHaveLength(2);
	});

	it.each([
		['qonto', QONTO_ID, 'unmark_as_paid', 'to_review'],
		['wethod', '1042', 'set-unpaid', 'sent'],
	])('%s: a write applied but whose answer was lost is confirmed by a read: reverted', async (provider, id, path, status) => {
		fakes.seed(provider as 'qonto' | 'wethod', id);
		fakes.addFaults([{ vendor: provider as 'qonto' | 'wethod', path, type: 'lose' }]);
		const result = await runNode({
			parameters: { provider, authentication: 'apiKey', operation: 'revertPayment', invoiceId: id },
			credentials: fakeCredentials(),
		});
		// Applied on the first attempt, refused as a transition on the retry, read back unpaid.
		expect(result.output[0].json).toMatchObject({ outcome: 'reverted', status, previous: { status: 'paid' } });
		expect(fakes.log.filter((r) => r.path.endsWith(path))).toHaveLength(2);
	});

	it('Contazen: a lost answer, then "not paid" on the retry, is reverted', async () => {
		fakes.seed('contazen', 'sbill_fake03');
		fakes.config.contazen.alreadyUnpaid = 'error';
		fakes.addFaults([{ vendor: 'contazen', path: 'mark-unpaid', type: 'lose' }]);
		const result = await runNode({
			parameters: { provider: 'contazen', operation: 'revertPayment', invoiceId: 'sbill_fake03' },
			credentials: fakeCredentials(),
		});
		fakes.config.contazen.alreadyUnpaid = 'ok';
		expect(result.output[0].json).toMatchObject({ outcome: 'reverted', paid: false });
		expect(fakes.log.filter((r) => r.path.endsWith('mark-unpaid'))).toHaveLength(2);
	});

	it('a sandbox gate answering HTML is unexpected_response', async () => {
		const creds = fakeCredentials();
		creds.paymentRevertQontoApi.stagingToken = 'wrong-staging-token';
		const result = await runNode({
			parameters: { provider: 'qonto', authentication: 'apiKey', operation: 'getStatus', invoiceId: QONTO_ID },
			credentials: creds,
			onError: 'continueRegularOutput',
		});
		expect(result.output[0].json.error).toMatchObject({ category: 'unexpected_response', httpCode: '302' });
		expect(result.everything).not.toContain('wrong-staging-token');
	});

	it('malformed JSON in a success answer is unexpected_response', async () => {
		fakes.seed('contazen', 'sbill_fake02');
		fakes.addFaults([{ vendor: 'contazen', type: 'malformed' }]);
		const result = await runNode({
			parameters: { provider: 'contazen', operation: 'revertPayment', invoiceId: 'sbill_fake02' },
			credentials: fakeCredentials(),
			onError: 'continueRegularOutput',
		});
		expect(result.output[0].json.error).toMatchObject({ category: 'unexpected_response', httpCode: '200' });
	});
});
