/**
 * What one item's Invoice ID may be (issue 12, finding 3), and what a run that stops on an error
 * reports about the items already in flight (finding 7), in the n8n engine against the fakes.
 */
import type { IDataObject } from 'n8n-workflow';

import { expectNoSecrets, SECRETS } from '../helpers';
import { errorOf, outcomeOf, useFakes, VENDORS } from './vendors';

const suite = useFakes();
const { run } = suite;

/** Items given as they are: any JSON value as `id`, or `kind` for values JSON cannot carry. */
const byItem = (items: IDataObject[]) => ({
	items,
	parameters: {
		provider: 'wethod',
		authentication: 'apiKey',
		operation: 'revertPayment',
		invoiceId: "={{ $json.kind === 'nan' ? 0 / 0 : $json.kind === 'infinity' ? 1 / 0 : $json.id }}",
	},
});
/** The invoice IDs the fakes received a request for. */
const requested = () => [...new Set(suite.fakes.log.map((r) => decodeURIComponent(r.path).replace(/^.*\/([^/:]+)(:set-unpaid|\/.*)?$/, '$1')))];

describe('finding 3: an Invoice ID that is not exactly an ID is refused, nothing sent', () => {
	it('Wethod: rounded, fractional, non-finite, negative numbers, lists, objects, booleans and odd text', async () => {
		// 123456789012345678 parsed as a JSON number is 123456789012345680: another invoice, which must stay paid.
		for (const id of ['1042', '1043', '1044', '1045', '1046', '1047', '1048', '123456789012345680', '123456789012345678']) {
			suite.fakes.seed('wethod', id);
		}
		const cases: Array<[IDataObject, string | RegExp]> = [
			[{ id: 1042 }, 'reverted'],
			[{ id: Number('123456789012345678') }, /^Wethod: the invoice ID 123456789012345680 is a number above 9007199254740991 \(2\^53 - 1\), so it was rounded .*may name another invoice; nothing was sent\. Have the source carry the ID as text/],
			[{ id: 1e21 }, /^Wethod: the invoice ID 1e\+21 is a number above 9007199254740991/],
			[{ id: 1043.5 }, /^Wethod: the invoice ID 1043.5 has a fraction, but Wethod invoice IDs are whole numbers/],
			[{ kind: 'nan' }, /^Wethod: the invoice ID is NaN, not a number that can be an ID/],
			[{ kind: 'infinity' }, /^Wethod: the invoice ID is Infinity, not a number/],
			[{ id: -1 }, 'Wethod: "-1" is not a valid invoice ID; expected a positive whole number such as 1042'],
			[{ id: [1044] }, /^Wethod: the invoice ID is a list \(\[1044\]\), not one ID; give each item one ID/],
			[{ id: { id: 1045 } }, /^Wethod: the invoice ID is an object \(\{"id":1045\}\), not an ID; map the field inside it/],
			[{ id: true }, /^Wethod: the invoice ID is true \(a true\/false value\), not an ID/],
			[{ id: '10 46' }, /^Wethod: "10 46" is not a valid invoice ID \(it contains a space inside\)/],
			[{ id: '١٠٤٧' }, /^Wethod: "١٠٤٧" is not a valid invoice ID \(it contains U\+0661, U\+0660, U\+0664: characters that are not plain/],
			[{ id: '1048\u200b' }, /\(it contains U\+200B: /],
			[{ id: '1.2345678901234568e+21' }, /is not a valid invoice ID \(a number in exponent form: .*the source must carry the ID as text\)/],
			// Text is never rounded: a string beyond 2^53 is sent exactly as given.
			[{ id: ' 123456789012345678 ' }, 'reverted'],
			[{ id: 1043.0 }, 'reverted'],
		];
		const result = await run('wethod', [], {}, byItem(cases.map(([item]) => item)));
		expect(result.output.map((i) => i.pairedItem)).toEqual(cases.map((_, item) => ({ item })));
		cases.forEach(([, expected], i) => {
			const item = result.output[i];
			if (expected === 'reverted') return expect(item.json).toMatchObject({ outcome: 'reverted' });
			expect(errorOf(item)).toMatchObject({ category: 'invalid_input', httpCode: null, provider: 'wethod' });
			expect(errorOf(item).message).toMatch(expected);
		});
		// The error item shows what was given, not a conversion of it.
		expect(errorOf(result.output[7]).invoiceId).toBe('[1044]');
		expect(result.output[14].json.invoiceId).toBe('123456789012345678');
		expect(requested().sort()).toEqual(['1042', '1043', '123456789012345678']);
		for (const id of ['1044', '1045', '1046', '1047', '1048', '123456789012345680']) {
			expect(suite.fakes.state.wethod.get(id)).toMatchObject({ status: 'paid' });
		}
	});

	it('Wethod: a literal number above 2^53 in the expression stops the run before any request', async () => {
		suite.fakes.seed('wethod', '123456789012345680');
		const result = await run('wethod', [], {}, {
			...byItem([{}]),
			parameters: { provider: 'wethod', operation: 'revertPayment', invoiceId: '={{ 123456789012345678 }}' },
			onError: 'stopWorkflow',
		});
		expect(result.error).toMatchObject({ name: 'NodeOperationError', context: { itemIndex: 0, category: 'invalid_input' } });
		expect(result.error?.message).toMatch(/^Wethod: the invoice ID 123456789012345680 is a number above 9007199254740991/);
		expect(suite.fakes.log).toEqual([]);
		expect(suite.fakes.state.wethod.get('123456789012345680')).toMatchObject({ status: 'paid' });
	});

	it.each([
		['qonto', VENDORS.qonto.id],
		['contazen', VENDORS.contazen.id],
	] as const)('%s: a number is never an ID, nor a list, object or boolean; a valid ID in the batch is reverted', async (provider, valid) => {
		suite.fakes.seed(provider, valid);
		const items = [{ id: 1042 }, { id: [valid] }, { id: { id: valid } }, { id: true }, { id: valid }];
		const result = await run(provider, [], {}, { items, parameters: { ...byItem(items).parameters, provider } });
		expect(result.output.map(outcomeOf)).toEqual([...Array(4).fill('error:invalid_input'), 'reverted']);
		const name = provider === 'qonto' ? 'Qonto' : 'Contazen';
		expect(errorOf(result.output[0]).message).toMatch(new RegExp(`^${name}: the invoice ID is the number 1042, but ${name} supplier \\S+ IDs are text, never numbers`));
		expect(errorOf(result.output[1]).message).toMatch(/is a list/);
		expect(errorOf(result.output[2]).message).toMatch(/is an object/);
		expect(errorOf(result.output[3]).message).toMatch(/is true \(a true\/false value\)/);
		// One invoice, one write (and a read where the vendor has one): nothing for the refused items.
		expect(suite.fakes.log.every((r) => r.path.includes(valid))).toBe(true);
		expect(suite.fakes.log.filter((r) => r.method === 'POST')).toHaveLength(1);
	});

	it('a secret mapped by mistake is redacted in every form the refusal may show it, even with no request made', async () => {
		const token = SECRETS[5];
		const items = [{ id: token }, { id: [token] }, { id: { token } }, { id: `${'x'.repeat(62)}${token}` }];
		const result = await run('wethod', [], {}, byItem(items));
		expect(result.output.map(outcomeOf)).toEqual(Array(4).fill('error:invalid_input'));
		expect(errorOf(result.output[0]).message).toMatch(/^Wethod: "\[redacted\]" is not a valid invoice ID/);
		expect(errorOf(result.output[1]).message).toMatch(/is a list \(\["\[redacted\]"\]\)/);
		expect(errorOf(result.output[3]).message).toMatch(/^Wethod: a text of 82 characters is not a valid invoice ID/);
		const stopped = await run('wethod', [], {}, { ...byItem([{ id: [token] }]), onError: 'stopWorkflow' });
		expect(stopped.error?.message).toMatch(/is a list \(\["\[redacted\]"\]\)/);
		for (const shown of [JSON.stringify(result.output), JSON.stringify(stopped.error)]) {
			expectNoSecrets(shown);
			expect(shown).not.toContain('token-SEK');
		}
		expect(suite.fakes.log).toEqual([]);
	});
});

describe('finding 7: a run that stops on an error reports the reverts already in flight', () => {
	const paid = (ids: string[]) => ids.forEach((id) => suite.fakes.seed('wethod', id));
	const unpaidNow = () => [...suite.fakes.state.wethod.entries()].filter(([, i]) => i.status !== 'paid').map(([id]) => id).sort();
	/** Writes slow enough to be in flight when the first item's 404 stops the run. */
	const slowWrites = (count: number) => ({ vendor: 'wethod' as const, type: 'latency' as const, path: ':set-unpaid', latencyMs: 400, count });

	it('item 0 is not found while items 1-4 are in flight: they finish, and the error names them', async () => {
		const ids = ['999', '2001', '2002', '2003', '2004', '2005', '2006', '2007'];
		paid(ids.slice(1));
		suite.fakes.addFaults([slowWrites(4)]);
		const result = await run('wethod', ids, {}, { onError: 'stopWorkflow' });
		expect(result.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: '404',
			context: { itemIndex: 0, category: 'not_found', invoiceId: '999', revertedInvoiceIds: ['2001', '2002', '2003', '2004'] },
		});
		expect(result.error?.message).toMatch(/^Wethod: invoice 999 was not found/);
		expect(result.error?.description).toBe(
			'Category: not_found · Vendor code: not_found · Vendor message: Invoice not found · ' +
				'Already reverted in this run before it stopped (4 invoices): 2001, 2002, 2003, 2004. These changes stand; a re-run finds them no longer paid (already_unpaid) · ' +
				'Not started: 3 items (nothing was sent for them)',
		);
		// What the error names is exactly what changed at the vendor; nothing was sent for 2005-2007.
		expect(unpaidNow()).toEqual(['2001', '2002', '2003', '2004']);
		expect(requested().filter((id) => ['2005', '2006', '2007'].includes(id))).toEqual([]);
		expectNoSecrets(result.everything);
	});

	it('the error is the first failing item in input order, even when a later item failed first', async () => {
		const ids = ['998', '3001', '997', '3003'];
		paid(['3001', '3003']);
		// Item 0's 404 comes late, item 2's at once.
		suite.fakes.addFaults([{ vendor: 'wethod', type: 'latency', method: 'GET', path: '/998', latencyMs: 400 }]);
		const result = await run('wethod', ids, {}, { onError: 'stopWorkflow' });
		expect(result.error).toMatchObject({ context: { itemIndex: 0, invoiceId: '998', revertedInvoiceIds: ['3001', '3003'] } });
		expect(result.error?.description).toMatch(/Already reverted in this run before it stopped \(2 invoices\): 3001, 3003\. /);
		expect(result.error?.description).not.toMatch(/Not started/);
		expect(unpaidNow()).toEqual(['3001', '3003']);
	});

	it('many reverts are listed up to 50, then counted', async () => {
		const ids = Array.from({ length: 60 }, (_, i) => String(4001 + i));
		paid(ids);
		// The last item fails; all before it are reverted, 50 at a time in flight.
		const result = await run('wethod', [...ids, '996'], { concurrency: 50 }, { onError: 'stopWorkflow' });
		expect(result.error?.context).toMatchObject({ itemIndex: 60, revertedInvoiceIds: ids });
		expect(result.error?.description).toContain(`(60 invoices): ${ids.slice(0, 50).join(', ')} and 10 more. These changes stand`);
		expect(unpaidNow()).toEqual(ids);
	});

	it.each(['continueRegularOutput', 'continueErrorOutput'] as const)(
		'with %s, every item has its output, in order, paired',
		async (onError) => {
			const ids = ['999', '2001', '2002', '2003', '2004', '2005', '2006', '2007'];
			paid(ids.slice(1));
			suite.fakes.addFaults([slowWrites(4)]);
			const result = await run('wethod', ids, {}, { onError });
			const all = onError === 'continueRegularOutput' ? result.output : [...result.errorOutput, ...result.output];
			expect(all.map((i) => i.pairedItem)).toEqual(ids.map((_, item) => ({ item })));
			expect(all.map(outcomeOf)).toEqual(['error:not_found', ...Array(7).fill('reverted')]);
			expect(result.error).toBeUndefined();
			expect(unpaidNow()).toEqual(ids.slice(1));
		},
	);
});
