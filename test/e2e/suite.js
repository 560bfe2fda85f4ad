'use strict';
/**
 * End to end: the packed package installed into a real n8n (as the Community Nodes panel does),
 * workflows imported and run with `n8n execute`, webhooks and credential tests through `n8n start`,
 * all against the local vendor fakes. One file per n8n line (n8n2/n8n1.e2e.test.js) calls this.
 *
 * Assertions are on what users see: the node's output and error output, the run's status and
 * error, the fakes' state and request log, and that no secret shows up anywhere n8n printed.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('../../scripts/runtime');
const { N8n, RestClient, packPackage, nodeItems, freePort, ROOT } = require('../../scripts/lib/n8n');
const { FAKE_SECRETS, SEEDS, credentials, fakesConfig } = require('../../scripts/lib/demo-data');
const { startFakes } = require('../fakes/server');
const { workflow, cred } = require('./workflows');
const faults = require('./faults');
const secrets = require('./secrets');

const EXAMPLES = fs
	.readdirSync(path.join(ROOT, 'examples'))
	.filter((f) => f.endsWith('.json'))
	.map((f) => JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8')));
const byId = (id) => EXAMPLES.find((w) => w.id === id);

/** Credentials that must be refused, next to the good ones from the demo. */
const BAD = {
	paymentRevertQontoApi: { id: 'e2eQontoBadKey01', secret: 'qonto-wrong-secret-0000' },
	paymentRevertContazenApi: { id: 'e2eContazenBad01', secret: 'sk_test_wrongwrongwrong000000001' },
	paymentRevertWethodApi: { id: 'e2eWethodBad0001', secret: 'wethod-wrong-token-0000' },
};
const SECRETS = [
	FAKE_SECRETS.qontoClientSecret,
	FAKE_SECRETS.qontoExpiredAccessToken,
	FAKE_SECRETS.qontoRefreshToken,
	FAKE_SECRETS.qontoSecretKey,
	FAKE_SECRETS.contazenApiKey,
	FAKE_SECRETS.wethodToken,
	...Object.values(BAD).map((b) => b.secret),
	// the Qonto API key as sent ("login:secret", base64 in a Basic header)
	`${FAKE_SECRETS.qontoLogin}:${FAKE_SECRETS.qontoSecretKey}`,
	`${FAKE_SECRETS.qontoLogin}:${BAD.paymentRevertQontoApi.secret}`,
];

function badCredentials(url) {
	return [
		{ id: BAD.paymentRevertQontoApi.id, name: 'Qonto wrong key', type: 'paymentRevertQontoApi', data: { login: FAKE_SECRETS.qontoLogin, secretKey: BAD.paymentRevertQontoApi.secret, environment: 'custom', apiBaseUrl: `${url}/qonto` } },
		{ id: BAD.paymentRevertContazenApi.id, name: 'Contazen wrong key', type: 'paymentRevertContazenApi', data: { apiKey: BAD.paymentRevertContazenApi.secret, baseUrl: `${url}/contazen/v1` } },
		{ id: BAD.paymentRevertWethodApi.id, name: 'Wethod wrong token', type: 'paymentRevertWethodApi', data: { accessToken: BAD.paymentRevertWethodApi.secret, company: 'acme', apiVersion: '2024-06-15', baseUrl: `${url}/wethod` } },
	];
}

const Q1 = '4d5418bb-bd0d-4df4-865c-c07afab8bb48';
const Q3 = '9a1c5c2e-7c55-4c3b-9d6b-2f0e8f1d2a11';
const ERROR_WORKFLOWS = [
	// stop on the first failure: a wrong API key fails the run
	workflow({ id: 'e2eQontoBadKey01', provider: 'qonto', authentication: 'apiKey', credential: cred('paymentRevertQontoApi', BAD.paymentRevertQontoApi.id), ids: [Q1] }),
	workflow({ id: 'e2eContazenBad01', provider: 'contazen', credential: cred('paymentRevertContazenApi', BAD.paymentRevertContazenApi.id), ids: ['sbill_demo0001'] }),
	workflow({ id: 'e2eWethodBad0001', provider: 'wethod', credential: cred('paymentRevertWethodApi', BAD.paymentRevertWethodApi.id), ids: ['1042'] }),
	// successes and failures split over the two outputs
	workflow({ id: 'e2eWethodErrOut1', provider: 'wethod', credential: cred('paymentRevertWethodApi'), ids: ['1042', '999999', '1044', ''], onError: 'continueErrorOutput' }),
	// the same items, API key auth, stop at the first bad ID: nothing is sent for it
	workflow({ id: 'e2eQontoApiKey01', provider: 'qonto', authentication: 'apiKey', credential: cred('paymentRevertQontoApi'), ids: [Q1, Q3], onError: 'continueRegularOutput' }),
	workflow({ id: 'e2eQontoBadId001', provider: 'qonto', authentication: 'apiKey', credential: cred('paymentRevertQontoApi'), ids: ['not-a-uuid'] }),
	// faults and limits
	workflow({ id: 'e2eContazenRate1', provider: 'contazen', credential: cred('paymentRevertContazenApi'), ids: ['sbill_demo0001', 'sbill_demo0002', 'sbill_demo0003'], onError: 'continueRegularOutput' }),
	workflow({ id: 'e2eWethodFaults1', provider: 'wethod', credential: cred('paymentRevertWethodApi'), ids: ['1042', '1044'], onError: 'continueRegularOutput', options: { timeoutSeconds: 2 } }),
	workflow({ id: 'e2eWethodHang001', provider: 'wethod', credential: cred('paymentRevertWethodApi'), ids: ['1042'], onError: 'continueRegularOutput', options: { timeoutSeconds: 1, maxRetries: 0 } }),
	workflow({ id: 'e2eQontoGate0001', provider: 'qonto', authentication: 'apiKey', credential: cred('paymentRevertQontoApi'), ids: [Q1], onError: 'continueRegularOutput' }),
];

module.exports = function suite(line) {
	let fakes;
	let n8n;
	let work;

	/** Tokens the fake issued, kept across resets for the secret scans. */
	const issued = new Set();

	function noteIssuedTokens() {
		for (const t of fakes.config.qonto.accessTokens) issued.add(typeof t === 'string' ? t : t.token);
		for (const t of Object.keys(fakes.config.qonto.refreshTokens)) issued.add(t);
	}

	async function resetFakes(config = {}) {
		noteIssuedTokens();
		await fetch(`${fakes.url}/_control/reset`, { method: 'POST' });
		await fetch(`${fakes.url}/_control/config`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(config),
		});
		for (const seed of SEEDS) fakes.seed(seed.vendor, seed.id, seed.overrides);
	}

	/** The fakes' log for one vendor, without the control calls. */
	const calls = (vendor) => fakes.log.filter((r) => r.vendor === vendor);
	const errorOf = (item) => item.json.error;

	/** Each secret, and each token the fakes issued (refreshed ones), in every form a vendor may echo it. */
	function expectNoSecrets(text) {
		noteIssuedTokens();
		expect(secrets.leakedSecrets(text, [...SECRETS, ...issued].filter((s) => s.length >= 12))).toEqual([]);
	}

	beforeAll(async () => {
		work = fs.mkdtempSync(path.join(os.tmpdir(), `payment-revert-e2e${line}-`));
		const runtime = await ensureLine(line);
		const tarball = await packPackage(path.join(work, 'pack'));
		fakes = await startFakes({ config: fakesConfig() });
		n8n = new N8n({ runtime, home: path.join(work, 'home'), brokerPort: await freePort() });
		fs.mkdirSync(n8n.home, { recursive: true });
		await n8n.installPackage(tarball);
		await n8n.importCredentials([...credentials(fakes.url), ...badCredentials(fakes.url)]);
		await n8n.importWorkflows([...EXAMPLES, ...ERROR_WORKFLOWS, ...faults.WORKFLOWS, ...secrets.WORKFLOWS]);
	}, 15 * 60 * 1000);

	afterAll(async () => {
		if (fakes) await fakes.close();
		if (work) fs.rmSync(work, { recursive: true, force: true });
	});

	describe(`n8n ${line === 2 ? '2.41.1 (Node 24)' : '1.123.81 (Node 20)'}: the example workflows`, () => {
		test('Qonto OAuth2: the expired access token is refreshed at the token endpoint, then a re-run is safe', async () => {
			await resetFakes();
			const { code, run, output } = await n8n.execute('exQontoBounced01');
			expect(code).toBe(0);
			expect(run.status).toBe('success');
			const items = nodeItems(run, 'Payment Revert');
			expect(items.map((i) => i.json.outcome || errorOf(i).category)).toEqual(['reverted', 'reverted', 'already_unpaid', 'not_found']);
			expect(items.map((i) => i.pairedItem.item)).toEqual([0, 1, 2, 3]);
			expect(items[0].json).toMatchObject({ provider: 'qonto', invoiceId: Q1, paid: false, status: 'to_review', paymentDate: null, previous: { status: 'paid', paymentDate: '2026-11-02' }, invoiceNumber: 'QONTO-2026-0141' });
			expect(errorOf(items[3])).toMatchObject({ category: 'not_found', httpCode: '404', provider: 'qonto' });
			if (line === 2) {
				expect(errorOf(items[3])).toMatchObject({ vendorCode: 'not_found', requestId: expect.stringMatching(/^[0-9a-f]{16,}$/) });
			}
			// n8n 1.x throws the request it resends after a refresh without the body: status only.

			// n8n got a 401 for the expired token, refreshed it and retried with the new one
			const log = calls('qonto');
			// once for the batch, not once per item in flight
			const refresh = log.filter((r) => r.path === '/oauth2/token');
			expect(refresh).toHaveLength(1);
			expect(refresh.every((r) => r.status === 200 && /grant_type=refresh_token/.test(r.body) && /client_secret=/.test(r.body))).toBe(true);
			expect(log.filter((r) => r.headers.authorization === `Bearer ${FAKE_SECRETS.qontoExpiredAccessToken}`).map((r) => r.status)).toContain(401);
			const fresh = fakes.config.qonto.accessTokens.filter((t) => typeof t === 'string');
			const writes = log.filter((r) => r.path.endsWith('/unmark_as_paid'));
			expect(writes).toHaveLength(2);
			expect(writes.every((r) => r.status === 200 && fresh.includes(r.headers.authorization.slice(7)))).toBe(true);
			expect(fakes.state.qonto.get(Q1)).toMatchObject({ status: 'to_review', payment_date: null });
			expect(fakes.state.qonto.get('7c0f7c51-2b55-4f0e-9a7e-0d1b5e3c9a20').status).toBe('to_review');

			// n8n saved the new token: the nightly re-run needs no refresh and changes nothing
			const before = fakes.log.length;
			const again = await n8n.execute('exQontoBounced01');
			const rerun = nodeItems(again.run, 'Payment Revert');
			expect(rerun.map((i) => i.json.outcome || errorOf(i).category)).toEqual(['already_unpaid', 'already_unpaid', 'already_unpaid', 'not_found']);
			const second = fakes.log.slice(before);
			expect(second.some((r) => r.path === '/oauth2/token')).toBe(false);
			expect(second.some((r) => r.method === 'POST')).toBe(false);
			expectNoSecrets(output + again.output);
		});

		test('Contazen: paid and partly paid bills reverted with their linked expense, a locked and a missing bill fail clearly', async () => {
			await resetFakes();
			const { code, run, output } = await n8n.execute('exContazenChbk01');
			expect(code).toBe(0);
			const items = nodeItems(run, 'Payment Revert');
			expect(items.map((i) => i.json.outcome || errorOf(i).category)).toEqual(['reverted', 'reverted', 'invalid_state', 'not_found']);
			expect(items[0].json).toMatchObject({ provider: 'contazen', status: 'unpaid', paid: false, previous: null, linkedExpenseId: expect.stringMatching(/^exp_/) });
			expect(items[0].json.requestId).toMatch(/^[0-9a-f-]{36}$/);
			expect(errorOf(items[2])).toMatchObject({ httpCode: '423', vendorCode: 'resource_locked' });
			expect(errorOf(items[2]).message).toMatch(/^Contazen/);
			expect(fakes.state.contazen.get('sbill_demo0002')).toMatchObject({ status: 'unpaid', payment_amount: null, payment_date: null });
			expect(fakes.state.contazen.get('sbill_demo0003').status).toBe('paid');
			expect(calls('contazen').every((r) => r.headers.authorization === `Bearer ${FAKE_SECRETS.contazenApiKey}`)).toBe(true);
			expectNoSecrets(output);
		});

		test('Wethod: company and version headers sent, a sent invoice left alone, a malformed ID never sent', async () => {
			await resetFakes();
			const { code, run, output } = await n8n.execute('exWethodWrong001');
			expect(code).toBe(0);
			const items = nodeItems(run, 'Payment Revert');
			expect(items.map((i) => i.json.outcome || errorOf(i).category)).toEqual(['reverted', 'already_unpaid', 'invalid_input']);
			expect(items[0].json).toMatchObject({ status: 'sent', paymentDate: null, previous: { status: 'paid' } });
			expect(errorOf(items[2])).toMatchObject({ httpCode: null, invoiceId: 'INV-2026-046' });
			const log = calls('wethod');
			expect(log.every((r) => r.headers['wethod-company'] === 'acme' && r.headers['wethod-version'] === '2024-06-15')).toBe(true);
			expect(log.some((r) => r.path.includes('INV-2026-046'))).toBe(false);
			expect(log.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/api/invoices/1042:set-unpaid']);
			expect(fakes.state.wethod.get('1043').status).toBe('sent');
			expectNoSecrets(output);
		});
	});

	describe(`n8n ${line}.x: error paths`, () => {
		test.each([
			['e2eQontoBadKey01', 'qonto', /^Qonto/],
			['e2eContazenBad01', 'contazen', /^Contazen/],
			['e2eWethodBad0001', 'wethod', /^Wethod/],
		])('%s: a refused credential stops the run with an authentication error and no secret', async (id, vendor, prefix) => {
			await resetFakes();
			const { code, run, output } = await n8n.execute(id);
			expect(code).toBe(1);
			expect(run.status).toBe('error');
			const error = run.data.resultData.error;
			expect(error.message).toMatch(prefix);
			expect(error.httpCode).toBe('401');
			expect(`${error.description}`).toMatch(/authentication/);
			expect(run.data.resultData.lastNodeExecuted).toBe('Payment Revert');
			const seeded = SEEDS.filter((s) => s.vendor === vendor);
			expect([...fakes.state[vendor].values()].map((i) => i.status)).toEqual(seeded.map((s) => s.overrides.status || 'paid'));
			expectNoSecrets(output);
		});

		test('continue (using error output): successes on output 0, failures on output 1, each paired with its input', async () => {
			await resetFakes();
			const { code, run } = await n8n.execute('e2eWethodErrOut1');
			expect(code).toBe(0);
			const ok = nodeItems(run, 'Payment Revert', 0);
			const failed = nodeItems(run, 'Payment Revert', 1);
			expect(ok.map((i) => [i.pairedItem.item, i.json.outcome])).toEqual([
				[0, 'reverted'],
				[2, 'reverted'],
			]);
			expect(failed.map((i) => [i.pairedItem.item, errorOf(i).category])).toEqual([
				[1, 'not_found'],
				[3, 'invalid_input'],
			]);
			expect(nodeItems(run, 'Reverted')).toHaveLength(2);
			expect(nodeItems(run, 'Failed').map((i) => errorOf(i).category)).toEqual(['not_found', 'invalid_input']);
			expect(errorOf(failed[0])).toMatchObject({ provider: 'wethod', invoiceId: '999999', httpCode: '404', vendorCode: 'not_found' });
		});

		test('Qonto API key: reverts, and a malformed ID stops the run before any request', async () => {
			await resetFakes();
			const first = await n8n.execute('e2eQontoApiKey01');
			expect(nodeItems(first.run, 'Payment Revert').map((i) => i.json.outcome)).toEqual(['reverted', 'already_unpaid']);
			expect(calls('qonto').every((r) => r.headers.authorization === `${FAKE_SECRETS.qontoLogin}:${FAKE_SECRETS.qontoSecretKey}`)).toBe(true);

			const before = fakes.log.length;
			const { code, run } = await n8n.execute('e2eQontoBadId001');
			expect(code).toBe(1);
			expect(run.data.resultData.error.message).toMatch(/^Qonto: "not-a-uuid" is not a valid/);
			expect(fakes.log.length).toBe(before);
			expectNoSecrets(first.output);
		});

		test('Contazen rate limit: paced by its X-RateLimit headers, every bill handled without a 429', async () => {
			await resetFakes({ contazen: { rateLimit: { limit: 2, windowMs: 2000 } } });
			const { run } = await n8n.execute('e2eContazenRate1');
			const items = nodeItems(run, 'Payment Revert');
			expect(items.map((i) => i.json.outcome || errorOf(i).category)).toEqual(['reverted', 'reverted', 'invalid_state']);
			const log = calls('contazen');
			expect(log.map((r) => r.status)).toEqual([200, 200, 423]);
			// the third request waited for the window of the first two to end
			expect(log[2].at - log[0].at).toBeGreaterThanOrEqual(1000);
			expect(fakes.state.contazen.get('sbill_demo0001').status).toBe('unpaid');
		});

		test('Wethod faults: 503s and a reset are retried; a write whose answer was lost is reported once', async () => {
			await resetFakes();
			fakes.addFaults([
				{ vendor: 'wethod', path: '/api/invoices/1042', type: 'status', status: 503, body: { key: 'unavailable', message: 'Service Unavailable' }, remaining: 2 },
				{ vendor: 'wethod', path: '1044:set-unpaid', type: 'lose' },
			]);
			const { run } = await n8n.execute('e2eWethodFaults1');
			const items = nodeItems(run, 'Payment Revert');
			expect(items.map((i) => i.json.outcome)).toEqual(['reverted', 'reverted']);
			expect(fakes.state.wethod.get('1042').status).toBe('sent');
			expect(fakes.state.wethod.get('1044').status).toBe('sent');
			const log = calls('wethod');
			expect(log.filter((r) => r.fault).map((r) => r.fault).sort()).toEqual(['lose', 'status', 'status']);
			// the lost write was applied; its retry found the invoice unpaid (412), a read confirmed it
			expect(log.filter((r) => r.path === '/api/invoices/1044:set-unpaid').map((r) => r.status)).toEqual([200, 412]);
		});

		test('a vendor that never answers is a network error after the timeout', async () => {
			await resetFakes();
			fakes.addFaults([{ vendor: 'wethod', type: 'hang', remaining: 5 }]);
			const { run } = await n8n.execute('e2eWethodHang001');
			const [item] = nodeItems(run, 'Payment Revert');
			expect(errorOf(item)).toMatchObject({ category: 'network', provider: 'wethod', invoiceId: '1042' });
			expect(calls('wethod').map((r) => r.fault)).toEqual(['hang']);
			expect(fakes.state.wethod.get('1042').status).toBe('paid');
		});

		test('Qonto sandbox gate: an HTML login page instead of JSON is unexpected_response', async () => {
			await resetFakes({ qonto: { stagingToken: 'the-staging-token-we-do-not-have' } });
			const { run, output } = await n8n.execute('e2eQontoGate0001');
			const [item] = nodeItems(run, 'Payment Revert');
			expect(errorOf(item).category).toBe('unexpected_response');
			expect(errorOf(item).message).toMatch(/^Qonto/);
			expect(fakes.state.qonto.get(Q1).status).toBe('paid');
			expectNoSecrets(output);
		});
	});

	faults.register(line, {
		n8n: () => n8n,
		fakes: () => fakes,
		resetFakes,
		expectNoSecrets,
	});

	secrets.register(line, { n8n: () => n8n, fakes: () => fakes, resetFakes, expectNoSecrets });

	describe(`n8n ${line}.x started: webhook and credential tests`, () => {
		let server;
		let rest;

		beforeAll(async () => {
			await n8n.activate('exWebhookWethod1');
			server = await n8n.start({ port: await freePort(), env: { N8N_RUNNERS_BROKER_PORT: String(await freePort()) } });
			await server.waitForWebhook('payment-reverted');
			rest = new RestClient(server.url);
			await rest.setupOwner({ email: `e2e-${line}@example.com`, password: 'PaymentRevert-e2e-1' });
		}, 5 * 60 * 1000);

		afterAll(async () => {
			if (server) await server.stop();
		});

		test('a payment event received twice reverts once: the second call is already_unpaid', async () => {
			await resetFakes();
			const call = () =>
				fetch(`${server.url}/webhook/payment-reverted`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ invoiceId: '1044', event: 'payment.failed' }),
				}).then(async (r) => ({ status: r.status, body: await r.json() }));
			const first = await call();
			expect(first.status).toBe(200);
			expect(first.body).toMatchObject({ provider: 'wethod', invoiceId: '1044', outcome: 'reverted', status: 'sent' });
			const second = await call();
			expect(second.body).toMatchObject({ invoiceId: '1044', outcome: 'already_unpaid', status: 'sent' });
			expect(calls('wethod').filter((r) => r.method === 'POST')).toHaveLength(1);
			expectNoSecrets(JSON.stringify([first, second]));
		});

		test.each(['paymentRevertQontoApi', 'paymentRevertContazenApi', 'paymentRevertWethodApi'])('credential test of %s: accepted with the right secret, refused with a wrong one', async (type) => {
			await resetFakes();
			const good = credentials(fakes.url).find((c) => c.type === type);
			const ok = await rest.testCredential(good);
			expect(ok.status).toBe('OK');
			const bad = badCredentials(fakes.url).find((c) => c.type === type);
			const before = fakes.log.length;
			const refused = await rest.testCredential(bad);
			expect(refused.status).toBe('Error');
			expect(fakes.log.slice(before).map((r) => r.status)).toContain(401);
			expectNoSecrets(JSON.stringify([ok, refused]));
			const path = { paymentRevertQontoApi: '/v2/organization', paymentRevertContazenApi: '/v1/settings', paymentRevertWethodApi: '/api/persons/me' }[type];
			expect(fakes.log.some((r) => r.path === path)).toBe(true);
		});

		// OAuth2 types have no test request (n8n's rule): n8n's own check is whether a token is held.
		test('credential test of paymentRevertQontoOAuth2Api: connected with a token, not connected without', async () => {
			const oauth = credentials(fakes.url).find((c) => c.type === 'paymentRevertQontoOAuth2Api');
			expect((await rest.testCredential(oauth)).status).toBe('OK');
			const { oauthTokenData, ...notConnected } = oauth.data;
			expect(oauthTokenData).toBeDefined();
			expect((await rest.testCredential({ ...oauth, data: notConnected })).status).toBe('Error');
		});

		secrets.registerStarted(line, { rest: () => rest, fakes: () => fakes, resetFakes, expectNoSecrets });

		test('nothing n8n printed holds a secret', async () => {
			expectNoSecrets(n8n.allLogs() + server.output());
		});
	});
};
