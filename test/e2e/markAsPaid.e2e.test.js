'use strict';
/**
 * End to end, Mark as Paid (node version 2) in real n8n 2.x and 1.x: the packed package installed
 * in ~/.n8n/nodes, one workflow per vendor at typeVersion 2 run with `n8n execute` against the
 * local fakes, and the "undo a mistaken revert" example (revert, then Mark as Paid with
 * `{{ $json.previous.paymentDate }}`). Asserts what users see: outputs, the fakes' state and
 * request log, and no secret anywhere n8n printed.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('../../scripts/runtime');
const { N8n, packPackage, nodeItems, freePort, ROOT } = require('../../scripts/lib/n8n');
const { FAKE_SECRETS, SEEDS, credentials, fakesConfig } = require('../../scripts/lib/demo-data');
const { startFakes } = require('../fakes/server');
const { workflow, cred } = require('./workflows');

const UNDO = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'undo-a-mistaken-revert.json'), 'utf8'));
const DATE = '2026-10-15';
const Q_PAID = '4d5418bb-bd0d-4df4-865c-c07afab8bb48';
const Q_UNPAID = '9a1c5c2e-7c55-4c3b-9d6b-2f0e8f1d2a11';
const C_UNPAID = 'sbill_mark0001';

/** A vendor's Mark as Paid workflow: one item per { invoiceId, date }, the date mapped per item. */
function markWorkflow(id, provider, credential, items) {
	const wf = workflow({ id, provider, credential, ids: [], onError: 'continueRegularOutput' });
	const node = wf.nodes.find((n) => n.name === 'Payment Revert');
	Object.assign(node, { typeVersion: 2 });
	node.parameters = { provider, operation: 'markAsPaid', invoiceId: '={{ $json.invoiceId }}', paymentDate: '={{ $json.date }}', options: {} };
	wf.nodes.find((n) => n.name === 'Invoices').parameters.jsonOutput = JSON.stringify({ invoices: items });
	return wf;
}

const WORKFLOWS = [
	markWorkflow('e2eMarkQonto0001', 'qonto', cred('paymentRevertQontoOAuth2Api'), [
		{ invoiceId: Q_UNPAID, date: DATE },
		{ invoiceId: Q_PAID, date: DATE },
		{ invoiceId: Q_UNPAID, date: '2026-02-30' },
	]),
	markWorkflow('e2eMarkContazen1', 'contazen', cred('paymentRevertContazenApi'), [
		{ invoiceId: C_UNPAID, date: DATE },
		{ invoiceId: C_UNPAID, date: '15.10.2026' },
	]),
	markWorkflow('e2eMarkWethod001', 'wethod', cred('paymentRevertWethodApi'), [
		{ invoiceId: '1043', date: DATE },
		{ invoiceId: '1042', date: DATE },
		{ invoiceId: '1043', date: 'yesterday' },
	]),
];

const outcomeOf = (item) => item.json.outcome || `error:${item.json.error.category}`;

describe.each([2, 1])('n8n %i.x: Mark as Paid at node version 2', (line) => {
	let fakes;
	let n8n;
	let work;

	// the vendors' API writes (not Qonto's OAuth token refresh)
	const writes = (vendor) => fakes.log.filter((r) => r.vendor === vendor && r.method === 'POST' && !r.path.startsWith('/oauth2/'));
	const expectNoSecret = (text) => expect(Object.values(FAKE_SECRETS).filter((s) => s.length >= 12 && text.includes(s))).toEqual([]);

	beforeAll(async () => {
		work = fs.mkdtempSync(path.join(os.tmpdir(), `payment-revert-mark${line}-`));
		const runtime = await ensureLine(line);
		const tarball = await packPackage(path.join(work, 'pack'));
		fakes = await startFakes({ config: fakesConfig() });
		for (const seed of SEEDS) fakes.seed(seed.vendor, seed.id, seed.overrides);
		fakes.seed('contazen', C_UNPAID, { status: 'unpaid', payment_date: null, payment_amount: null });
		n8n = new N8n({ runtime, home: path.join(work, 'home'), brokerPort: await freePort() });
		fs.mkdirSync(n8n.home, { recursive: true });
		await n8n.installPackage(tarball);
		await n8n.importCredentials(credentials(fakes.url));
		await n8n.importWorkflows([...WORKFLOWS, UNDO]);
	}, 15 * 60 * 1000);

	afterAll(async () => {
		if (fakes) await fakes.close();
		if (work) fs.rmSync(work, { recursive: true, force: true });
	});

	test('Qonto: marked_paid with the date, already_paid without a write, a bad date refused before sending', async () => {
		const { code, run, output } = await n8n.execute('e2eMarkQonto0001');
		expect(code).toBe(0);
		const items = nodeItems(run, 'Payment Revert');
		expect(items.map(outcomeOf)).toEqual(['marked_paid', 'already_paid', 'error:invalid_input']);
		expect(items.map((i) => i.pairedItem.item)).toEqual([0, 1, 2]);
		expect(items[0].json).toMatchObject({ provider: 'qonto', operation: 'markAsPaid', invoiceId: Q_UNPAID, paid: true, status: 'paid', paymentDate: DATE, previous: { status: 'to_review' } });
		expect(items[0].json).not.toHaveProperty('invoice');
		expect(fakes.state.qonto.get(Q_UNPAID)).toMatchObject({ status: 'paid', payment_date: DATE });
		const sent = writes('qonto');
		expect(sent.map((r) => `${r.path} ${r.status}`)).toEqual([`/v2/supplier_invoices/${Q_UNPAID}/mark_as_paid 200`]);
		expect(sent[0].body).toEqual({ supplier_invoice: { payment_date: DATE } });
		expectNoSecret(output);
	});

	test('Contazen: marked_paid with the date, a bad date refused before sending', async () => {
		const { code, run, output } = await n8n.execute('e2eMarkContazen1');
		expect(code).toBe(0);
		const items = nodeItems(run, 'Payment Revert');
		expect(items.map(outcomeOf)).toEqual(['marked_paid', 'error:invalid_input']);
		expect(items[0].json).toMatchObject({ provider: 'contazen', invoiceId: C_UNPAID, paid: true, paymentDate: DATE, previous: null });
		expect(fakes.state.contazen.get(C_UNPAID)).toMatchObject({ status: 'paid', payment_date: DATE });
		const sent = writes('contazen');
		expect(sent.map((r) => `${r.path} ${r.status}`)).toEqual([`/v1/supplier-bills/${C_UNPAID}/mark-paid 200`]);
		expect(sent[0].body).toEqual({ payment_date: DATE });
		expectNoSecret(output);
	});

	test('Wethod: marked_paid with the date, already_paid without a write, a bad date refused before sending', async () => {
		const { code, run, output } = await n8n.execute('e2eMarkWethod001');
		expect(code).toBe(0);
		const items = nodeItems(run, 'Payment Revert');
		expect(items.map(outcomeOf)).toEqual(['marked_paid', 'already_paid', 'error:invalid_input']);
		expect(items[0].json).toMatchObject({ provider: 'wethod', invoiceId: '1043', paid: true, status: 'paid', paymentDate: DATE, previous: { status: 'sent' } });
		expect(fakes.state.wethod.get('1043')).toMatchObject({ status: 'paid', payment_date: DATE });
		const sent = writes('wethod');
		expect(sent.map((r) => `${r.path} ${r.status}`)).toEqual(['/api/invoices/1043:set-paid 200']);
		expect(sent[0].body).toEqual({ payment_date: DATE });
		expectNoSecret(output);
	});

	test('example "undo a mistaken revert": the revert, then Mark as Paid with the date the revert kept', async () => {
		const before = structuredClone(fakes.state.wethod.get('1044'));
		expect(before.status).toBe('paid');
		const { code, run, output } = await n8n.execute(UNDO.id);
		expect(code).toBe(0);
		const [reverted] = nodeItems(run, 'Payment Revert');
		expect(reverted.json).toMatchObject({ outcome: 'reverted', paid: false, previous: { status: 'paid', paymentDate: before.payment_date } });
		const [marked] = nodeItems(run, 'Mark as Paid');
		expect(marked.json).toMatchObject({ operation: 'markAsPaid', invoiceId: '1044', outcome: 'marked_paid', paid: true, paymentDate: before.payment_date });
		expect(fakes.state.wethod.get('1044')).toMatchObject({ status: 'paid', payment_date: before.payment_date });
		const sent = writes('wethod').filter((r) => r.path.startsWith('/api/invoices/1044'));
		expect(sent.map((r) => r.path)).toEqual(['/api/invoices/1044:set-unpaid', '/api/invoices/1044:set-paid']);
		expect(sent[1].body).toEqual({ payment_date: before.payment_date });
		expectNoSecret(output);
	});
});
