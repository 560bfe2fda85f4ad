/**
 * Node version 2's description: Mark as Paid and the Output option only there, and the editor
 * offering for each provider only the operations it supports (n8n's own display rules decide
 * which `operation` parameter is shown). Version 1 keeps its single Operation parameter.
 */
import type { INode, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { markAsPaid, paymentDateOf } from '../../nodes/PaymentRevert/operations/markAsPaid';
import { PaymentRevert } from '../../nodes/PaymentRevert/PaymentRevert.node';
import { providers } from '../../nodes/PaymentRevert/providers';
import { RevertFailure } from '../../nodes/PaymentRevert/errors';

const node = new PaymentRevert();
const describe1 = node.nodeVersions[1].description;
const describe2 = node.nodeVersions[2].description;
const values = (p: INodeProperties) => (p.options ?? []).map((o) => (o as { value: string }).value);
const named = (d: INodeTypeDescription, name: string) => d.properties.filter((p) => p.name === name);

/** The parameters n8n shows for these values (the editor and getNodeParameters use the same rule). */
function shown(d: INodeTypeDescription, parameters: Record<string, string>): INodeProperties[] {
	const n: INode = { id: 'n', name: 'n', type: 'x', typeVersion: d.version as number, position: [0, 0], parameters };
	return d.properties.filter((p) => NodeHelpers.displayParameter(parameters, p, n, d));
}

describe('node version 2', () => {
	it('offers Mark as Paid; version 1 does not', () => {
		expect(named(describe1, 'operation').flatMap(values)).toEqual(['revertPayment', 'getStatus']);
		expect(new Set(named(describe2, 'operation').flatMap(values))).toEqual(new Set(['revertPayment', 'getStatus', 'markAsPaid', 'getMany']));
		expect(named(describe1, 'paymentDate')).toEqual([]);
		expect(describe2.subtitle).toContain('"markAsPaid":"Mark as Paid"');
	});

	it('version 1 keeps one Operation parameter for every provider', () => {
		expect(named(describe1, 'operation')).toHaveLength(1);
		expect(named(describe1, 'operation')[0].displayOptions).toBeUndefined();
	});

	it.each(Object.values(providers).map((p) => [p.id, p]))('%s: the editor offers exactly the operations it supports', (id, provider) => {
		const operations = shown(describe2, { provider: id }).filter((p) => p.name === 'operation');
		expect(operations).toHaveLength(1);
		const expected = ['revertPayment', 'getStatus', 'markAsPaid', 'getMany'].filter((value) =>
			value === 'getStatus' ? provider.endpoints.read !== undefined : value === 'markAsPaid' ? provider.endpoints.markPaid !== undefined : true,
		);
		expect(values(operations[0])).toEqual(expected);
		expect(operations[0].default).toBe('revertPayment');
	});

	it('Contazen documents no single-bill read: Get Payment Status is not offered for it', () => {
		const operations = shown(describe2, { provider: 'contazen' }).filter((p) => p.name === 'operation');
		expect(values(operations[0])).not.toContain('getStatus');
		expect(values(operations[0])).toContain('markAsPaid');
	});

	it('Payment Date is shown for Mark as Paid alone, defaulting to the date a revert kept', () => {
		for (const provider of Object.keys(providers)) {
			expect(shown(describe2, { provider, operation: 'markAsPaid' }).map((p) => p.name)).toContain('paymentDate');
			expect(shown(describe2, { provider, operation: 'revertPayment' }).map((p) => p.name)).not.toContain('paymentDate');
		}
		const [paymentDate] = named(describe2, 'paymentDate');
		expect(paymentDate).toMatchObject({ type: 'string', default: '={{ $json.previous?.paymentDate }}' });
		expect(paymentDate.description).toMatch(/Contazen and Wethod record today; Qonto needs a date/);
	});

	it('the Output option is in version 2 only, simplified by default', () => {
		const options = (d: INodeTypeDescription) => named(d, 'options')[0].options as INodeProperties[];
		expect(options(describe1).map((o) => o.name)).not.toContain('output');
		const output = options(describe2).find((o) => o.name === 'output')!;
		expect(output).toMatchObject({ type: 'options', default: 'simplified' });
		expect(values(output)).toEqual(['simplified', 'raw']);
		expect(output.displayOptions).toBeUndefined();
	});

	it('Dry Run is offered for both writes, worded for both; version 1 keeps its wording', () => {
		const dryRun = (d: INodeTypeDescription) => (named(d, 'options')[0].options as INodeProperties[]).find((o) => o.name === 'dryRun')!;
		expect(dryRun(describe1).displayOptions).toEqual({ show: { '/operation': ['revertPayment'] } });
		expect(dryRun(describe1).description).toBe('Whether to only read the invoice and report would_revert or already_unpaid, changing nothing');
		expect(dryRun(describe2).displayOptions).toEqual({ show: { '/operation': ['revertPayment', 'markAsPaid'] } });
		expect(dryRun(describe2).description).toMatch(/would_mark_paid.*already_paid/);
	});

	it('the editor still hides no parameter but Authentication (its choice is the credential type)', () => {
		const authFields = describe2.properties.filter((p) => describe2.credentials!.some((c) => p.name in (c.displayOptions?.show ?? {})));
		const hiddenByEditor = describe2.properties.filter((p) => p.name === 'authentication' || authFields.some((f) => p.name in (f.displayOptions?.show ?? {})));
		expect(hiddenByEditor.map((p) => p.name)).toEqual(['authentication']);
	});
});

describe('Mark as Paid, before any request', () => {
	const input = (provider = providers.wethod, paymentDate: unknown = '2026-10-15') => ({
		provider,
		invoiceId: '1042',
		options: {},
		transport: { maxRetries: 0, maxRetryWaitSeconds: 0, timeoutSeconds: 1 },
		parameter: () => paymentDate,
	});

	it('a provider that documents no mark-paid endpoint: unsupported', () => {
		const withoutIt = { ...providers.wethod, endpoints: { ...providers.wethod.endpoints, markPaid: undefined } };
		expect(markAsPaid.supports(withoutIt)).toBe(false);
		expect(() => markAsPaid.prepare(input(withoutIt))).toThrow(expect.objectContaining({ category: 'unsupported' }) as unknown as Error);
	});

	it.each([
		['2026-10-15', '2026-10-15'],
		['  2024-02-29 ', '2024-02-29'],
	])('%j is the date %s', (raw, date) => expect(paymentDateOf(providers.qonto, raw, 'x')).toBe(date));

	it.each(['2023-02-29', '2026-1-5', '2026-10-15Z', '20261015', 'today', '0000-00-00'])('%j is invalid_input', (raw) => {
		expect(() => paymentDateOf(providers.wethod, raw, '1042')).toThrow(RevertFailure);
	});

	it('empty: undefined where the vendor documents "today", else invalid_input', () => {
		for (const provider of Object.values(providers)) {
			for (const empty of ['', '  ', undefined, null]) {
				if (provider.markPaidDateOptional) expect(paymentDateOf(provider, empty, 'x')).toBeUndefined();
				else expect(() => paymentDateOf(provider, empty, 'x')).toThrow(/Payment Date is empty/);
			}
		}
	});
});

describe('the example workflows', () => {
	// Loaded through the engine tests' reader (a .ts test may not read files itself).
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { exampleWorkflows } = require('../engine/examples') as typeof import('../engine/examples');
	const nodes = exampleWorkflows().flatMap(({ file, workflow }) =>
		workflow.nodes.filter((n) => n.type.endsWith('.paymentRevert')).map((n) => [file, n.name, n] as const),
	);

	it.each(nodes)('%s, %s: the Invoice ID has the shape of its node version (text in 1, a resource locator in 2)', (_file, _name, node) => {
		const { invoiceId, operation } = node.parameters as { invoiceId?: unknown; operation?: string };
		if (operation === 'getMany') return expect(invoiceId).toBeUndefined();
		if (node.typeVersion === 1) return expect(typeof invoiceId).toBe('string');
		expect(invoiceId).toEqual(expect.objectContaining({ __rl: true, mode: expect.stringMatching(/^(id|list)$/) }));
	});
});
