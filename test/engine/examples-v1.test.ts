/**
 * Saved version-1 workflows keep working unchanged: the example workflows saved by 0.1.0
 * (examples/*.json whose Payment Revert nodes are version 1) run through n8n's real
 * WorkflowExecute at their saved version, against the fakes, with version 1's output (the raw
 * invoice always there, as 0.1.0 gave it). The same node at version 2 shows the difference.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { NODE_TYPE, runNode } from '../harness/engine';
import { fakeCredentials } from '../helpers';
import { exampleWorkflows } from './examples';
import { outcomeOf, useFakes, type Vendor } from './vendors';

/** What feeds the node in the example: the Set node's list split into items, or one webhook event. */
function inputItems(workflow: ReturnType<typeof exampleWorkflows>[number]['workflow'], node: INode, paidId: string): IDataObject[] {
	const from = Object.entries(workflow.connections).find(([, c]) => c.main?.some((out) => out?.some((to) => to.node === node.name)))?.[0];
	const upstream = workflow.nodes.find((n) => n.name === from)!;
	if (upstream.type === 'n8n-nodes-base.webhook') return [{ body: { invoiceId: paidId } }];
	const setNode = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.set' && typeof n.parameters.jsonOutput === 'string')!;
	const list = JSON.parse(setNode.parameters.jsonOutput as string) as IDataObject;
	return list[upstream.parameters.fieldToSplitOut as string] as IDataObject[];
}

const saved = exampleWorkflows().flatMap(({ file, workflow }) =>
	workflow.nodes.filter((n) => n.type === NODE_TYPE && n.typeVersion === 1).map((node) => ({ file, workflow, node })),
);

describe('examples saved by 0.1.0 run as version 1', () => {
	const suite = useFakes();

	it('finds them (every example but those made for version 2)', () => {
		expect(saved.map((s) => s.file)).toEqual(
			expect.arrayContaining([
				'contazen-revert-chargebacks.json',
				'nightly-reconciliation-qonto.json',
				'qonto-revert-bounced-transfers.json',
				'webhook-revert-wethod-invoice.json',
				'wethod-revert-wrong-invoice.json',
			]),
		);
	});

	it.each(saved.map((s) => [s.file, s]))('%s', async (_file, { workflow, node }) => {
		const provider = node.parameters.provider as Vendor;
		const paidId = { qonto: '4d5418bb-bd0d-4df4-865c-c07afab8bb48', contazen: 'sbill_demo0001', wethod: '1042' }[provider];
		const items = inputItems(workflow, node, paidId);
		const ids = items.map((item) => String((item.invoiceId ?? (item.body as IDataObject).invoiceId) as string));
		const run = (typeVersion: number) => {
			suite.fakes.reset();
			for (const id of ids) suite.fakes.seed(provider, id);
			return runNode({
				parameters: node.parameters,
				items,
				credentials: fakeCredentials(suite.fakes.url),
				onError: node.onError === 'continueErrorOutput' ? 'continueErrorOutput' : 'continueRegularOutput',
				typeVersion,
			});
		};

		const v1 = await run(node.typeVersion);
		const ok = v1.output.filter((item) => item.json.outcome !== undefined);
		expect(ok.length).toBeGreaterThan(0);
		for (const item of ok) {
			expect(item.json).toMatchObject({ provider, operation: 'revertPayment', outcome: 'reverted', paid: false });
			// version 1's output, as 0.1.0 gave it: the vendor's invoice is always there
			expect(item.json.invoice).toEqual(expect.objectContaining({ id: expect.anything() }));
		}
		expect([...v1.output, ...v1.errorOutput].map((item) => item.pairedItem)).toHaveLength(items.length);

		const v2 = await run(2);
		expect(v2.output.map(outcomeOf)).toEqual(v1.output.map(outcomeOf));
		for (const item of v2.output.filter((i) => i.json.outcome !== undefined)) expect(item.json).not.toHaveProperty('invoice');
	});
});
