'use strict';
/**
 * End to end, node version 2's Get Many in a real n8n (the packed package in ~/.n8n/nodes) against
 * the local fakes: one workflow per vendor with more invoices than one vendor page, and the
 * example that finds bounced payments with Get Many and reverts them. Called with the n8n line.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('../../scripts/runtime');
const { N8n, packPackage, nodeItems, freePort, ROOT, NODE_TYPE } = require('../../scripts/lib/n8n');
const { FAKE_SECRETS, SEEDS, CREDENTIAL_IDS, credentials, fakesConfig } = require('../../scripts/lib/demo-data');
const { VENDORS } = require('../fakes/scenarios');
const { startFakes } = require('../fakes/server');

const EXAMPLE = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'revert-bounced-payments-found-by-get-many.json'), 'utf8'));
const CREDENTIAL = { qonto: 'paymentRevertQontoApi', contazen: 'paymentRevertContazenApi', wethod: 'paymentRevertWethodApi' };
const LIST_PATH = { qonto: '/v2/supplier_invoices', contazen: '/v1/supplier-bills', wethod: '/api/invoices' };
/** More than one vendor page (100) of extra invoices, every fifth unpaid. */
const EXTRA = 160;

/** Manual Trigger -> Payment Revert v2 Get Many (paid, Return All) -> NoOp. */
function getManyWorkflow(vendor) {
	const type = CREDENTIAL[vendor];
	const id = `e2eGetMany${vendor.slice(0, 3)}01`;
	return {
		id,
		name: `e2e Get Many ${vendor}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: `${id}-pr`,
				name: 'Payment Revert',
				type: NODE_TYPE,
				typeVersion: 2,
				position: [220, 0],
				parameters: { provider: vendor, ...(vendor === 'qonto' ? { authentication: 'apiKey' } : {}), operation: 'getMany', returnAll: true, options: {} },
				credentials: { [type]: { id: CREDENTIAL_IDS[type], name: type } },
			},
			{ id: `${id}-n`, name: 'Listed', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, 0], parameters: {} },
		],
		connections: {
			Start: { main: [[{ node: 'Payment Revert', type: 'main', index: 0 }]] },
			'Payment Revert': { main: [[{ node: 'Listed', type: 'main', index: 0 }]] },
		},
	};
}

module.exports = function getMany(line) {
	describe(`n8n ${line}.x: Get Many (node version 2)`, () => {
		let fakes;
		let n8n;
		let work;
		const secrets = Object.values(FAKE_SECRETS).filter((s) => s.length >= 12);
		const expectNoSecret = (text) => expect(secrets.filter((s) => text.includes(s))).toEqual([]);

		async function resetFakes() {
			fakes.reset();
			for (const seed of SEEDS) fakes.seed(seed.vendor, seed.id, seed.overrides);
		}

		beforeAll(async () => {
			work = fs.mkdtempSync(path.join(os.tmpdir(), `payment-revert-getmany${line}-`));
			const runtime = await ensureLine(line);
			const tarball = await packPackage(path.join(work, 'pack'));
			fakes = await startFakes({ config: fakesConfig() });
			n8n = new N8n({ runtime, home: path.join(work, 'home'), brokerPort: await freePort() });
			fs.mkdirSync(n8n.home, { recursive: true });
			await n8n.installPackage(tarball);
			await n8n.importCredentials(credentials(fakes.url));
			await n8n.importWorkflows([...Object.keys(CREDENTIAL).map(getManyWorkflow), EXAMPLE]);
		}, 15 * 60 * 1000);

		afterAll(async () => {
			if (fakes) await fakes.close();
			if (work) fs.rmSync(work, { recursive: true, force: true });
		});

		test.each(Object.keys(CREDENTIAL))('%s: every paid invoice, across the vendor pages, one item each paired to the trigger item', async (vendor) => {
			await resetFakes();
			for (let n = 0; n < EXTRA; n++) fakes.seed(vendor, VENDORS[vendor].idOf(n), { status: n % 5 === 4 ? VENDORS[vendor].unpaid : 'paid' });
			const paid = [...fakes.state[vendor].values()]
				.filter((i) => (vendor === 'contazen' ? ['paid', 'partial'] : ['paid']).includes(i.status))
				.map((i) => String(i.id));
			const { code, run, output } = await n8n.execute(getManyWorkflow(vendor).id);
			expect(code).toBe(0);
			const items = nodeItems(run, 'Payment Revert');
			expect(items.map((i) => i.json.invoiceId)).toEqual(paid);
			expect(items.every((i) => i.json.outcome === 'listed' && i.json.paid === true && i.pairedItem.item === 0)).toBe(true);
			expect(nodeItems(run, 'Listed')).toHaveLength(paid.length);
			const pages = fakes.log.filter((r) => r.vendor === vendor && r.path === LIST_PATH[vendor]);
			expect(pages.length).toBeGreaterThanOrEqual(2);
			expect(pages.every((r) => r.method === 'GET' && r.status === 200)).toBe(true);
			expectNoSecret(output);
		});

		test('the example: Get Many finds the paid invoices, the filter keeps the bounced one, Revert Payment reverts it', async () => {
			await resetFakes();
			const { code, run, output } = await n8n.execute(EXAMPLE.id);
			expect(code).toBe(0);
			expect(run.status).toBe('success');
			expect(nodeItems(run, 'Paid invoices').map((i) => i.json.invoiceNumber)).toEqual(['QONTO-2026-0141', 'QONTO-2026-0142']);
			const reverted = nodeItems(run, 'Revert Payment');
			expect(reverted.map((i) => [i.json.invoiceNumber, i.json.outcome])).toEqual([['QONTO-2026-0142', 'reverted']]);
			expect(fakes.state.qonto.get('7c0f7c51-2b55-4f0e-9a7e-0d1b5e3c9a20').status).toBe('to_review');
			expect(fakes.state.qonto.get('4d5418bb-bd0d-4df4-865c-c07afab8bb48').status).toBe('paid');
			expectNoSecret(output);
		});
	});
};
