/**
 * Payment Revert as an AI agent's tool (node version 2) through n8n's real WorkflowExecute: the node
 * typed "...paymentRevertTool" as n8n types a tool, its Invoice ID the $fromAI placeholder filled
 * from the item (as the agent's call gives it). A write is a Dry Run unless the author turned on
 * "Let the Agent Write"; no expression (nor the agent) can turn it on. The agent's call through the
 * AI Agent node is test/e2e/agent.e2e.test.js.
 */
import type { FromAIArgument, IDataObject, INodeParameters } from 'n8n-workflow';
import { NodeHelpers, traverseNodeParameters } from 'n8n-workflow';

import { PaymentRevert } from '../../nodes/PaymentRevert/PaymentRevert.node';
import { providers } from '../../nodes/PaymentRevert/providers';
import { runNode, type RunOptions } from '../harness/engine';
import { expectNoSecrets, fakeCredentials } from '../helpers';
import { outcomeOf, useFakes, VENDORS, type Vendor } from './vendors';

describe('Payment Revert Tool (an AI agent calls the node)', () => {
	const suite = useFakes();
	const state = (vendor: Vendor, id = VENDORS[vendor].id) => suite.fakes.state[vendor].get(id)!;
	const writes = (vendor: Vendor) => suite.fakes.log.filter((r) => r.vendor === vendor && r.method !== 'GET');

	/** The tool as the agent calls it: one item holding the arguments the model chose. */
	function call(vendor: Vendor, operation: string, args: IDataObject, parameters: INodeParameters = {}, extra: Partial<RunOptions> = {}) {
		return runNode({
			// No invoiceId parameter: the tool's default, the $fromAI placeholder, reads the agent's argument.
			parameters: { provider: vendor, authentication: 'apiKey', operation, ...parameters },
			items: [args],
			credentials: fakeCredentials(suite.fakes.url),
			onError: 'continueRegularOutput',
			typeVersion: 2,
			asTool: true,
			...extra,
		});
	}

	describe.each(['qonto', 'wethod'] as Vendor[])('%s', (vendor) => {
		const id = VENDORS[vendor].id;

		it('without "Let the Agent Write", a revert is a dry run: would_revert, the invoice stays paid, and the answer says how to allow writes', async () => {
			suite.fakes.seed(vendor, id);
			const { output, everything } = await call(vendor, 'revertPayment', { invoiceId: id });
			expect(output).toHaveLength(1);
			expect(output[0].json).toMatchObject({ invoiceId: id, outcome: 'would_revert', paid: true });
			expect(output[0].json.message).toMatch(/Nothing was changed.*"Let the Agent Write"/);
			expect(writes(vendor)).toEqual([]);
			expect(state(vendor).status).not.toBe(VENDORS[vendor].unpaid);
			expectNoSecrets(everything);
		});

		it('with "Let the Agent Write" on, the agent reverts the invoice it chose', async () => {
			suite.fakes.seed(vendor, id);
			const { output } = await call(vendor, 'revertPayment', { invoiceId: id }, { agentCanWrite: true });
			expect(output[0].json).toMatchObject({ invoiceId: id, outcome: 'reverted', paid: false });
			expect(output[0].json).not.toHaveProperty('message');
			expect(writes(vendor)).toHaveLength(1);
			expect(state(vendor).status).toBe(VENDORS[vendor].unpaid);
		});

		it('an expression cannot turn the switch on: not one the agent fills ($fromAI), not an item field', async () => {
			suite.fakes.seed(vendor, id);
			for (const agentCanWrite of ["={{ $fromAI('agentCanWrite', 'allow writes', 'boolean') }}", '={{ $json.agentCanWrite }}', '={{ true }}']) {
				const { output } = await call(vendor, 'revertPayment', { invoiceId: id, agentCanWrite: true }, { agentCanWrite });
				expect(outcomeOf(output[0])).toBe('would_revert');
			}
			expect(writes(vendor)).toEqual([]);
		});

		it('Mark as Paid without the switch: would_mark_paid, nothing sent', async () => {
			suite.fakes.seed(vendor, id, { status: VENDORS[vendor].unpaid, payment_date: null, payment_amount: null });
			const { output } = await call(vendor, 'markAsPaid', { invoiceId: id }, { paymentDate: '2026-10-15' });
			expect(output[0].json).toMatchObject({ outcome: 'would_mark_paid', paid: false });
			expect(output[0].json.message).toMatch(/"Let the Agent Write"/);
			expect(writes(vendor)).toEqual([]);
		});

		it('reads are not affected, and the answer never carries the raw vendor invoice (even with Output: Raw)', async () => {
			suite.fakes.seed(vendor, id);
			const { output } = await call(vendor, 'getStatus', { invoiceId: id }, { options: { output: 'raw' } });
			expect(output[0].json).toMatchObject({ invoiceId: id, paid: true });
			expect(output[0].json).not.toHaveProperty('invoice');
			expect(output[0].json).not.toHaveProperty('message');
		});

		it('the same node outside an agent writes as before (the switch belongs to the tool)', async () => {
			suite.fakes.seed(vendor, id);
			const { output } = await call(vendor, 'revertPayment', { id }, { invoiceId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } }, { asTool: false });
			expect(outcomeOf(output[0])).toBe('reverted');
		});
	});

	it('Contazen (no documented read) without the switch: a clear refusal, nothing sent', async () => {
		const id = VENDORS.contazen.id;
		suite.fakes.seed('contazen', id);
		const { output } = await call('contazen', 'revertPayment', { invoiceId: id });
		const error = output[0].json.error as IDataObject;
		expect(error.category).toBe('invalid_input');
		expect(error.message).toMatch(/may not change invoices.*"Let the Agent Write"/);
		expect(suite.fakes.log.filter((r) => r.vendor === 'contazen')).toEqual([]);
	});

	it('a bad ID from the agent is refused before anything is sent', async () => {
		const { output } = await call('qonto', 'revertPayment', { invoiceId: 'INV-2026-001' }, { agentCanWrite: true });
		expect((output[0].json.error as IDataObject).category).toBe('invalid_input');
		expect(suite.fakes.log).toEqual([]);
	});
});

describe('the tool parameters (shown only when the node is a tool)', () => {
	const v2 = new PaymentRevert().nodeVersions[2].description;
	const v1 = new PaymentRevert().nodeVersions[1].description;
	const asTool = { ...v2, name: `${v2.name}Tool` };
	const filled = (description: typeof v2, parameters: INodeParameters) =>
		NodeHelpers.getNodeParameters(description.properties, parameters, true, false, { typeVersion: description.version } as never, description)!;

	it('as a tool: the switch off, a description saying what it changes, the Invoice ID from $fromAI', () => {
		const p = filled(asTool, { provider: 'wethod', operation: 'revertPayment' });
		expect(p.agentCanWrite).toBe(false);
		expect(p.toolDescription).toMatch(/CHANGES an accounting record.*"Let the Agent Write".*would_/);
		expect(p.invoiceId).toMatchObject({ mode: 'id', value: expect.stringMatching(/^=\{\{ \$fromAI\('invoiceId', ".*Wethod.*", 'string'\) \}\}$/) });
		expect(filled(asTool, { provider: 'qonto', operation: 'getStatus' }).toolDescription).toMatch(/Read only/);
		expect(filled(asTool, { provider: 'qonto', operation: 'getStatus' })).not.toHaveProperty('agentCanWrite');
	});

	it.each(Object.values(providers).map((p) => [p.name, p] as const))(
		'%s: the agent is asked for one argument, invoiceId, described with the provider\'s ID format (as n8n builds the tool\'s schema)',
		(_name, provider) => {
			const args: FromAIArgument[] = [];
			traverseNodeParameters(filled(asTool, { provider: provider.id, operation: 'revertPayment' }), args);
			expect(args).toEqual([expect.objectContaining({ key: 'invoiceId', type: 'string' })]);
			expect(args[0].description).toContain(provider.name);
			expect(args[0].description).toContain(provider.idExample);
		},
	);

	it('as a node: none of them, the Invoice picker as before; version 1 unchanged', () => {
		const p = filled(v2, { provider: 'wethod', operation: 'revertPayment' });
		expect(p).not.toHaveProperty('agentCanWrite');
		expect(p).not.toHaveProperty('toolDescription');
		expect(p.invoiceId).toMatchObject({ mode: 'list', value: '' });
		expect(v1.usableAsTool).toBe(true);
		expect(v1.properties.map((x) => x.name)).not.toContain('agentCanWrite');
		expect(v2.usableAsTool).toMatchObject({ replacements: { description: expect.stringContaining('Let the Agent Write') } });
	});
});
