'use strict';
/**
 * `npm run test:queue`: the packed package in a real n8n 2.41.1 in queue mode (issue 11).
 * PostgreSQL and Redis on free loopback ports, a main with EXECUTIONS_MODE=queue and `n8n worker`
 * processes (concurrency 10 each), each with the package in its own ~/.n8n/nodes (see
 * scripts/lib/queue.js). A Webhook -> Payment Revert workflow per vendor, at the node's default
 * options, is hit by a burst of payment events (one invoice each) against the fakes enforcing a
 * scaled-down limit of 20 requests per 4 s for that vendor.
 *
 * Asserted (behaviour, no timing): every execution was enqueued by the main and ran on exactly one
 * worker (the workers' "Worker started/finished execution N" log lines for the IDs the public API
 * lists), no failed item, no double write, every invoice unpaid, and the fakes' log consistent with
 * the pace: no 429 from Contazen while one worker does the work (its pace follows the quota
 * headers), and few 429s per window with two workers (Contazen's headers tell each worker what the
 * other used; Qonto and Wethod say nothing until a 429, which holds that worker).
 *
 * Then the OAuth2 refresh race: two workers find the Qonto access token expired at the same time.
 * n8n 2.x (queue mode) refreshes under a Redis lock per credential and re-reads the credential under
 * it, so the second worker waits (up to 10 s) and uses the token the first one saved: one refresh.
 * When the token endpoint takes longer than that wait, the second worker refreshes too, with the
 * same refresh token. Qonto rotates refresh tokens and honours the old one for 60 s (the fakes:
 * refreshGraceSeconds), so both refreshes succeed; what n8n stores last is a refresh token Qonto
 * still accepts, which a later execution, after every access token expired and the grace is over,
 * refreshes with.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('../../scripts/runtime');
const { packPackage } = require('../../scripts/lib/n8n');
const { FAKE_SECRETS, credentials, fakesConfig } = require('../../scripts/lib/demo-data');
const { startQueue, removeOnExit } = require('../../scripts/lib/queue');
const { TARGETS, burstWorkflow, burstCredentials, webhookPath, prepareFakes, fire, analyse, summaryLine, tooManyBeyondFew, FEW_PER_WINDOW } = require('../../scripts/lib/bursts');
const { startFakes } = require('../fakes/server');

const LIMIT = { limit: 20, windowMs: 4000 };
const INVOICES = 60;
const CONCURRENCY = 10;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('n8n 2.41.1 in queue mode: main + workers, PostgreSQL, Redis', () => {
	let fakes;
	let cluster;
	let work;
	const issued = new Set();

	beforeAll(async () => {
		work = removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-queue-test-')));
		const runtime = await ensureLine(2);
		const tarball = await packPackage(path.join(work, 'pack'));
		fakes = await startFakes({ config: fakesConfig() });
		const workflows = Object.keys(TARGETS).map((key) => burstWorkflow(key));
		cluster = await startQueue({ runtime, tarball, workers: 2, concurrency: CONCURRENCY, credentials: burstCredentials(fakes.url), workflows, publish: workflows.map((w) => w.id) });
		for (const key of Object.keys(TARGETS)) await cluster.main.server.waitForWebhook(webhookPath(key));
	}, 10 * 60 * 1000);

	afterAll(async () => {
		if (cluster) await cluster.stop();
		if (fakes) await fakes.close();
		if (work) fs.rmSync(work, { recursive: true, force: true });
	}, 60 * 1000);

	function noteIssuedTokens() {
		for (const t of fakes.config.qonto.accessTokens) issued.add(typeof t === 'string' ? t : t.token);
		for (const t of Object.keys(fakes.config.qonto.refreshTokens)) issued.add(t);
	}

	/**
	 * Fires `invoices` events at the target's webhook; returns the figures plus, for each new
	 * execution, where it ran (waiting a moment for the workers' log lines to arrive).
	 */
	async function burst(key, { invoices = INVOICES, limit = LIMIT, before } = {}) {
		const workflowId = burstWorkflow(key).id;
		const known = new Set((await cluster.executions(workflowId)).map((e) => String(e.id)));
		const ids = await prepareFakes(fakes, key, { invoices, limit });
		if (before) await before();
		const answers = await fire(cluster.url, webhookPath(key), ids);
		const f = analyse(fakes, key, ids, answers, limit);
		noteIssuedTokens();
		const executions = (await cluster.executions(workflowId)).filter((e) => !known.has(String(e.id)));
		let where = cluster.whereRan(executions.map((e) => e.id));
		for (let i = 0; i < 40 && where.some((w) => w.finishedOn.length === 0); i++) {
			await sleep(250);
			where = cluster.whereRan(executions.map((e) => e.id));
		}
		const perWorker = Object.fromEntries(cluster.workers.map((w) => [w.name, where.filter((x) => x.startedOn.includes(w.name)).length]));
		console.log(`${summaryLine(f, { mode: `n8n 2.x queue, ${cluster.workers.length} worker(s)`, limit })}; executions per worker ${JSON.stringify(perWorker)}`);
		return { f, executions, where, perWorker };
	}

	function expectRanOnWorkers({ executions, where }, invoices) {
		expect(executions).toHaveLength(invoices);
		expect(executions.filter((e) => e.status !== 'success').map((e) => [e.id, e.status])).toEqual([]);
		// enqueued by the main, started and finished by exactly one worker
		expect(where.filter((w) => !w.enqueued || w.startedOn.length !== 1 || w.finishedOn.join() !== w.startedOn.join())).toEqual([]);
	}

	function expectEveryInvoiceRevertedOnce(f, invoices) {
		expect({ failed: f.failed, outcomes: f.outcomes }).toEqual({ failed: 0, outcomes: { reverted: invoices } });
		expect(f.doubleWrites).toBe(0);
		expect(f.unpaid).toBe(invoices);
	}

	describe('two workers', () => {
		test.each(Object.keys(TARGETS))('%s: every event reverted once on one of the workers, few 429s per window', async (key) => {
			const b = await burst(key, {
				// the stored access token expired: start from the imported credential
				before: key === 'qontoOAuth2' ? () => cluster.main.n8n.importCredentials(credentials(fakes.url).filter((c) => c.type === TARGETS[key].credentialType)) : undefined,
			});
			expectRanOnWorkers(b, INVOICES);
			expect(Object.values(b.perWorker).every((n) => n > 0)).toBe(true);
			expectEveryInvoiceRevertedOnce(b.f, INVOICES);
			const workers = cluster.workers.length;
			if (TARGETS[key].vendor === 'contazen') {
				// the quota headers tell each worker what the other used: no learning, a few at most
				expect(b.f.tooManyPerWindow.filter((n) => n > FEW_PER_WINDOW * workers)).toEqual([]);
			} else {
				expect(tooManyBeyondFew(b.f.tooManyPerWindow, LIMIT, workers)).toEqual([]);
			}
			// an expired OAuth2 token: one refresh for both workers (n8n's Redis lock, see below)
			if (key === 'qontoOAuth2') expect(b.f.tokenStatuses).toEqual([200]);
		});

		test('OAuth2 refresh race: the token endpoint slower than n8n\'s lock wait (10 s), both workers refresh with the same refresh token, both succeed within Qonto\'s grace, the stored refresh token keeps working', async () => {
			const key = 'qontoOAuth2';
			const invoices = 2 * CONCURRENCY;
			const b = await burst(key, {
				invoices,
				limit: null,
				before: async () => {
					await cluster.main.n8n.importCredentials(credentials(fakes.url).filter((c) => c.type === TARGETS[key].credentialType));
					// the first refresh holds n8n's lock past the 10 s the other worker waits for it
					fakes.addFaults([{ vendor: 'qonto', path: '/oauth2/token', type: 'latency', latencyMs: 12000, remaining: 2 }]);
				},
			});
			expectRanOnWorkers(b, invoices);
			expect(Object.values(b.perWorker).every((n) => n > 0)).toBe(true);
			expectEveryInvoiceRevertedOnce(b.f, invoices);
			const refreshes = fakes.log.filter((r) => r.path === '/oauth2/token');
			// one refresh per worker, both with the refresh token stored before; the second one within the
			// grace Qonto gives a rotated refresh token
			expect(refreshes.map((r) => r.status)).toEqual([200, 200]);
			expect(refreshes.every((r) => new URLSearchParams(r.body).get('refresh_token') === FAKE_SECRETS.qontoRefreshToken)).toBe(true);
			expect(cluster.workers.some((w) => /Could not acquire refresh lock/.test(w.output()))).toBe(true);
			noteIssuedTokens();
			const issuedNow = Object.keys(fakes.config.qonto.refreshTokens); // the two new ones, unused

			// an hour later (every access token expired, the rotated refresh token's grace over): the next
			// event refreshes with the refresh token n8n stored last, which Qonto still accepts
			fakes.advanceClock((fakes.config.qonto.accessTokenTtl + fakes.config.qonto.refreshGraceSeconds + 1) * 1000);
			const later = TARGETS[key].id(9999);
			fakes.seed('qonto', later);
			const before = fakes.log.length;
			const [answer] = await fire(cluster.url, webhookPath(key), [later]);
			noteIssuedTokens();
			expect(answer.body).toMatchObject({ outcome: 'reverted', invoiceId: later });
			const again = fakes.log.slice(before).filter((r) => r.path === '/oauth2/token');
			expect(again.map((r) => r.status)).toEqual([200]);
			const stored = new URLSearchParams(again[0].body).get('refresh_token');
			expect(issuedNow).toContain(stored);
			const order = (t) => Number(/^qonto-refresh-(\d+)-/.exec(t)?.[1]);
			console.log(`[queue] OAuth2 refresh race: ${refreshes.length} refreshes with the same refresh token, answered ${refreshes.map((r) => r.status).join(', ')}; n8n kept the refresh token issued ${order(stored) === Math.max(...issuedNow.map(order)) ? 'last' : 'first'}, and refreshed with it an hour later`);
		});
	});

	describe('one worker (the other one stopped)', () => {
		beforeAll(async () => {
			await cluster.stopWorker('worker2');
		}, 60 * 1000);

		test('contazen: every event reverted once on the remaining worker, whose pace keeps under the quota: no 429', async () => {
			const b = await burst('contazen');
			expectRanOnWorkers(b, INVOICES);
			expect(b.where.filter((w) => w.startedOn.join() !== 'worker1')).toEqual([]);
			expectEveryInvoiceRevertedOnce(b.f, INVOICES);
			expect(b.f.tooMany).toBe(0);
		});
	});

	test('nothing n8n printed, in the main or a worker, holds a secret', () => {
		noteIssuedTokens();
		const logs = cluster.allLogs();
		const secrets = [...Object.values(FAKE_SECRETS), ...issued].filter((s) => s.length >= 12);
		expect(secrets.filter((s) => logs.includes(s)).map((s) => `${s.slice(0, 6)}… (${s.length} chars)`)).toEqual([]);
	});
});
