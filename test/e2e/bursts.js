'use strict';
/**
 * End to end, many payment events at once (issue 11): a Webhook -> Payment Revert workflow at the
 * node's default options per vendor, under `n8n start` (regular mode: every execution in the one
 * n8n process), 120 webhook calls at the same moment, one paid invoice each, against the fakes
 * enforcing 30 requests per 6 s for that vendor. Called from n8n2.e2e.test.js (n8n 2.x only).
 *
 * Asserted (behaviour, no timing): no failed item (each webhook answer is the node's output item),
 * no double write (one successful write per invoice in the fakes' log), every invoice unpaid in the
 * fakes' state, no 429 from Contazen (it reports its quota), a few per window from Qonto and
 * Wethod (they report nothing until a 429: see tooManyBeyondFew in scripts/lib/bursts.js), one call to the
 * token endpoint for a Qonto OAuth2 credential whose access token has expired. The figures (429s,
 * time of the last revert against the limit-bound minimum) go to the console.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('../../scripts/runtime');
const { N8n, packPackage, freePort } = require('../../scripts/lib/n8n');
const { FAKE_SECRETS, credentials, fakesConfig } = require('../../scripts/lib/demo-data');
const { TARGETS, burstWorkflow, burstCredentials, webhookPath, prepareFakes, fire, analyse, summaryLine, tooManyBeyondFew } = require('../../scripts/lib/bursts');
const { startFakes } = require('../fakes/server');

const INVOICES = 120;
const LIMIT = { limit: 30, windowMs: 6000 };

module.exports = function bursts(line) {
	describe(`n8n ${line}.x started (regular mode): ${INVOICES} payment events at once under a ${LIMIT.limit}/${LIMIT.windowMs / 1000} s limit`, () => {
		let fakes;
		let n8n;
		let server;
		let work;
		/** Every answer and every token the fake issued, for the secret scan at the end. */
		const seen = [];
		const issued = new Set();

		beforeAll(async () => {
			work = fs.mkdtempSync(path.join(os.tmpdir(), `payment-revert-bursts${line}-`));
			const runtime = await ensureLine(line);
			const tarball = await packPackage(path.join(work, 'pack'));
			fakes = await startFakes({ config: fakesConfig() });
			n8n = new N8n({ runtime, home: path.join(work, 'home'), brokerPort: await freePort() });
			fs.mkdirSync(n8n.home, { recursive: true });
			await n8n.installPackage(tarball);
			await n8n.importCredentials(burstCredentials(fakes.url));
			const workflows = Object.keys(TARGETS).map((key) => burstWorkflow(key));
			await n8n.importWorkflows(workflows);
			for (const wf of workflows) await n8n.activate(wf.id);
			server = await n8n.start({ port: await freePort(), env: { N8N_RUNNERS_BROKER_PORT: String(await freePort()) } });
			for (const key of Object.keys(TARGETS)) await server.waitForWebhook(webhookPath(key));
		}, 15 * 60 * 1000);

		afterAll(async () => {
			if (server) await server.stop();
			if (fakes) await fakes.close();
			if (work) fs.rmSync(work, { recursive: true, force: true });
		});

		test.each(Object.keys(TARGETS))(
			'%s: every event reverts its invoice once, the vendor limit is kept',
			async (key) => {
				const t = TARGETS[key];
				if (key === 'qontoOAuth2') {
					// the stored access token expired: the burst starts from the imported credential
					await n8n.importCredentials(credentials(fakes.url).filter((c) => c.type === t.credentialType));
				}
				const ids = await prepareFakes(fakes, key, { invoices: INVOICES, limit: LIMIT });
				const answers = await fire(server.url, webhookPath(key), ids);
				const f = analyse(fakes, key, ids, answers, LIMIT);
				seen.push(JSON.stringify(answers));
				for (const token of [...fakes.config.qonto.accessTokens.map((x) => (typeof x === 'string' ? x : x.token)), ...Object.keys(fakes.config.qonto.refreshTokens)]) issued.add(token);
				console.log(summaryLine(f, { mode: `n8n ${line}.x regular`, limit: LIMIT }));

				expect({ failed: f.failed, outcomes: f.outcomes }).toEqual({ failed: 0, outcomes: { reverted: INVOICES } });
				expect(f.doubleWrites).toBe(0);
				expect(f.unpaid).toBe(INVOICES);
				if (t.vendor === 'contazen') {
					expect(f.tooMany).toBe(0);
				} else {
					expect(tooManyBeyondFew(f.tooManyPerWindow, LIMIT)).toEqual([]);
				}
				if (key === 'qontoOAuth2') {
					expect(f.tokenStatuses).toEqual([200]);
				}
			},
			10 * 60 * 1000,
		);

		test('no answer and nothing n8n printed holds a secret', () => {
			const text = [...seen, n8n.allLogs(), server.output()].join('\n');
			const secrets = [...Object.values(FAKE_SECRETS), ...issued].filter((x) => x.length >= 12);
			expect(secrets.filter((x) => text.includes(x)).map((x) => `${x.slice(0, 6)}… (${x.length} chars)`)).toEqual([]);
		});
	});
};
