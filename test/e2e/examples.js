'use strict';
/**
 * End to end, the example workflows a user imports (examples/*.json): each one is imported into a
 * real n8n with the packed package installed in ~/.n8n/nodes, and run against the local vendor
 * fakes. suite.js runs the three batch examples and the webhook one (delivered twice in a row);
 * this file runs the nightly reconciliation (Schedule Trigger) and the webhook delivered twice at
 * the same moment, and checks that every example in examples/ imports and has a start n8n can use.
 * Called from n8n1/n8n2.e2e.test.js with the n8n line.
 *
 * How `n8n execute` treats a Schedule Trigger (n8n's source, and asserted below; 1.x and 2.x alike):
 * it refuses a workflow without a Manual Trigger ("Missing node to start execution"), but then runs
 * from the workflow's first trigger in node order (Workflow.getStartNode), so in the nightly example
 * the Schedule Trigger itself fires once, as when a user runs it by hand in the editor. The example
 * keeps a "Run now" Manual Trigger beside the schedule for exactly that.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('../../scripts/runtime');
const { N8n, RestClient, packPackage, nodeItems, freePort, ROOT } = require('../../scripts/lib/n8n');
const { FAKE_SECRETS, SEEDS, credentials, fakesConfig } = require('../../scripts/lib/demo-data');
const { startFakes } = require('../fakes/server');

const EXAMPLE_FILES = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
const readExample = (file) => JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8'));
const NIGHTLY = readExample('nightly-reconciliation-qonto.json');
const WEBHOOK = readExample('webhook-revert-wethod-invoice.json');

/** The nightly workflow with its "Run now" trigger removed: what `n8n execute` does without it. */
const SCHEDULE_ONLY = {
	...NIGHTLY,
	id: 'e2eScheduleOnly1',
	name: 'e2e schedule only',
	nodes: NIGHTLY.nodes.filter((n) => n.type !== 'n8n-nodes-base.manualTrigger'),
	connections: Object.fromEntries(Object.entries(NIGHTLY.connections).filter(([from]) => from !== 'Run now')),
};

const [Q1, Q2, Q3] = NIGHTLY.nodes.find((n) => n.name === 'Bounced payments').parameters.jsonOutput.match(/[0-9a-f-]{36}/g);
const outcomeOf = (item) => item.json.outcome || item.json.error.category;

module.exports = function examples(line) {
	describe(`n8n ${line}.x: the example workflows a user imports`, () => {
		let fakes;
		let n8n;
		let work;

		const qontoCalls = () => fakes.log.filter((r) => r.vendor === 'qonto');
		const expectNoSecret = (text) => expect(Object.values(FAKE_SECRETS).filter((s) => s.length >= 12 && text.includes(s))).toEqual([]);

		beforeAll(async () => {
			work = fs.mkdtempSync(path.join(os.tmpdir(), `payment-revert-examples${line}-`));
			const runtime = await ensureLine(line);
			const tarball = await packPackage(path.join(work, 'pack'));
			fakes = await startFakes({ config: fakesConfig() });
			for (const seed of SEEDS) fakes.seed(seed.vendor, seed.id, seed.overrides);
			n8n = new N8n({ runtime, home: path.join(work, 'home'), brokerPort: await freePort() });
			fs.mkdirSync(n8n.home, { recursive: true });
			await n8n.installPackage(tarball);
			await n8n.importCredentials(credentials(fakes.url));
			await n8n.importWorkflows([...EXAMPLE_FILES.map(readExample), SCHEDULE_ONLY]);
		}, 15 * 60 * 1000);

		afterAll(async () => {
			if (fakes) await fakes.close();
			if (work) fs.rmSync(work, { recursive: true, force: true });
		});

		test('every example in examples/ was imported and has a trigger n8n can start from', async () => {
			const { output } = await n8n.cli(['list:workflow']);
			for (const file of EXAMPLE_FILES) {
				const wf = readExample(file);
				expect(output).toContain(`${wf.id}|${wf.name}`);
				const starts = wf.nodes.filter((n) => /manualTrigger|webhook$/.test(n.type)).map((n) => n.type);
				expect([file, starts.length > 0]).toEqual([file, true]);
				// the node itself, or as an AI agent's tool (Payment Revert Tool)
				expect(wf.nodes.filter((n) => /^n8n-nodes-payment-revert\.paymentRevert(Tool)?$/.test(n.type)).length).toBeGreaterThan(0);
			}
		});

		test('`n8n execute` refuses a workflow whose only trigger is a Schedule Trigger: hence "Run now" in the nightly example', async () => {
			const { code, output } = await n8n.execute(SCHEDULE_ONLY.id);
			expect(code).toBe(1);
			expect(output).toMatch(/Missing node to start execution/);
			expect(qontoCalls()).toEqual([]);
		});

		test('nightly reconciliation from its Schedule Trigger: bounced payments reverted, a summary by outcome, failures on the error output to the notification', async () => {
			const { code, run, output } = await n8n.execute(NIGHTLY.id);
			expect(code).toBe(0);
			expect(run.status).toBe('success');
			const ran = Object.keys(run.data.resultData.runData);
			// started from the schedule (the first trigger), which fired once as if run by hand
			expect(ran).toEqual(['Every night at 02:00', 'Bounced payments', 'One item per invoice', 'Payment Revert', 'Summary', 'Alert text', 'Notify finance team']);
			expect(nodeItems(run, 'Every night at 02:00')).toHaveLength(1);

			const ok = nodeItems(run, 'Payment Revert', 0);
			const failed = nodeItems(run, 'Payment Revert', 1);
			expect(ok.map((i) => [i.pairedItem.item, i.json.invoiceId, i.json.outcome])).toEqual([
				[0, Q1, 'reverted'],
				[1, Q2, 'reverted'],
				[2, Q3, 'already_unpaid'],
			]);
			expect(ok[0].json).toMatchObject({ provider: 'qonto', paid: false, status: 'to_review', previous: { status: 'paid' } });
			expect(failed.map((i) => [i.pairedItem.item, i.json.error.category])).toEqual([
				[3, 'not_found'],
				[4, 'invalid_input'],
			]);

			expect(nodeItems(run, 'Summary').map((i) => i.json)).toEqual([
				{ outcome: 'reverted', count_invoiceId: 2 },
				{ outcome: 'already_unpaid', count_invoiceId: 1 },
			]);
			const alerts = nodeItems(run, 'Notify finance team').map((i) => i.json);
			expect(alerts.map((a) => [a.invoiceId, a.category])).toEqual([
				['00000000-0000-4000-8000-000000000000', 'not_found'],
				['QONTO-2026-0150', 'invalid_input'],
			]);
			expect(alerts[0].text).toMatch(/^Payment Revert could not revert 00000000-0000-4000-8000-000000000000 \(not_found\): Qonto: /);

			// the fake: two invoices back in review, one write each, the malformed ID never sent
			expect(fakes.state.qonto.get(Q1)).toMatchObject({ status: 'to_review', payment_date: null });
			expect(fakes.state.qonto.get(Q2).status).toBe('to_review');
			const writes = qontoCalls().filter((r) => r.method === 'POST' && r.path.endsWith('/unmark_as_paid'));
			// (items run concurrently: the order of the requests is free, the output order is not)
			expect(writes.map((r) => `${r.path} ${r.status}`).sort()).toEqual(
				[`/v2/supplier_invoices/${Q1}/unmark_as_paid 200`, `/v2/supplier_invoices/${Q2}/unmark_as_paid 200`].sort(),
			);
			expect(qontoCalls().some((r) => r.path.includes('QONTO-2026-0150'))).toBe(false);
			expectNoSecret(output);
		});

		test('nightly reconciliation run again (the next night, or by mistake): nothing is written twice', async () => {
			const before = fakes.log.length;
			const { code, run } = await n8n.execute(NIGHTLY.id);
			expect(code).toBe(0);
			expect(nodeItems(run, 'Payment Revert', 0).map(outcomeOf)).toEqual(['already_unpaid', 'already_unpaid', 'already_unpaid']);
			expect(nodeItems(run, 'Payment Revert', 1).map(outcomeOf)).toEqual(['not_found', 'invalid_input']);
			expect(nodeItems(run, 'Summary').map((i) => i.json)).toEqual([{ outcome: 'already_unpaid', count_invoiceId: 3 }]);
			const again = fakes.log.slice(before);
			expect(again.filter((r) => r.method === 'POST')).toEqual([]);
			expect(fakes.state.qonto.get(Q1).status).toBe('to_review');
		});

		describe('under `n8n start`', () => {
			let server;

			beforeAll(async () => {
				await n8n.activate(NIGHTLY.id);
				await n8n.activate(WEBHOOK.id);
				server = await n8n.start({ port: await freePort(), env: { N8N_RUNNERS_BROKER_PORT: String(await freePort()) } });
				await server.waitForWebhook('payment-reverted');
			}, 5 * 60 * 1000);

			afterAll(async () => {
				if (server) await server.stop();
			});

			test('the nightly schedule is activated without an error', async () => {
				const rest = new RestClient(server.url);
				await rest.setupOwner({ email: `examples-${line}@example.com`, password: 'PaymentRevert-examples-1' });
				const { status, json } = await rest.request('GET', `/rest/workflows/${NIGHTLY.id}`);
				expect(status).toBe(200);
				const wf = json.data;
				expect(line === 2 ? Boolean(wf.activeVersionId) : wf.active).toBe(true);
				expect(server.output()).not.toMatch(/There was a problem activating|could not be activated/i);
			});

			test('webhook example: the same payment event delivered twice at once reverts the invoice once', async () => {
				const invoice = '1042';
				expect(fakes.state.wethod.get(invoice).status).toBe('paid');
				const deliver = () =>
					fetch(`${server.url}/webhook/payment-reverted`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ invoiceId: invoice, event: 'payment.failed' }),
					}).then(async (r) => ({ status: r.status, body: await r.json() }));
				const answers = await Promise.all([deliver(), deliver()]);
				expect(answers.map((a) => a.status)).toEqual([200, 200]);
				expect(answers.map((a) => a.body.outcome).sort()).toEqual(['already_unpaid', 'reverted']);
				expect(answers.every((a) => a.body.invoiceId === invoice && a.body.status === 'sent' && a.body.paid === false)).toBe(true);
				expect(fakes.state.wethod.get(invoice)).toMatchObject({ status: 'sent', payment_date: null });
				// at most one write changed the invoice: a second one, if it got there, was refused (412)
				const writes = fakes.log.filter((r) => r.vendor === 'wethod' && r.method === 'POST' && r.path === `/api/invoices/${invoice}:set-unpaid`);
				expect(writes.filter((r) => r.status === 200)).toHaveLength(1);
				expect(writes.filter((r) => r.status !== 200).every((r) => r.status === 412)).toBe(true);
				expectNoSecret(JSON.stringify(answers) + server.output());
			});
		});
	});
};
