/**
 * Mark as Paid (node version 2) through n8n's real WorkflowExecute against the local fakes: the
 * documented request per vendor, already paid without a write, Dry Run, the Payment Date checked
 * before anything is sent, chained after a revert with the date it kept, ambiguous writes, the
 * Output option, and version 1 left as it was.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { FakeFault } from '../fakes/server';
import { runNode, type RunOptions } from '../harness/engine';
import { expectNoSecrets, fakeCredentials } from '../helpers';
import { errorOf, outcomeOf, PROVIDERS, useFakes, VENDORS, type Vendor } from './vendors';

const DATE = '2026-10-15';
/** Where each vendor keeps the payment date in the request body (as each vendor documents it). */
const sentDate = (vendor: Vendor, body: unknown): unknown => {
	const json = (body ?? {}) as IDataObject;
	return vendor === 'qonto' ? (json.supplier_invoice as IDataObject | undefined)?.payment_date : json.payment_date;
};
const MARK_PATH = { qonto: 'mark_as_paid', contazen: 'mark-paid', wethod: ':set-paid' } as const;

describe('Mark as Paid', () => {
	const suite = useFakes();
	const unpaid = (vendor: Vendor, id = VENDORS[vendor].id) =>
		suite.fakes.seed(vendor, id, { status: VENDORS[vendor].unpaid, payment_date: null, payment_amount: null });
	const paid = (vendor: Vendor, id = VENDORS[vendor].id, date = '2026-09-01') => suite.fakes.seed(vendor, id, { payment_date: date });
	const state = (vendor: Vendor, id = VENDORS[vendor].id) => suite.fakes.state[vendor].get(id)!;
	const writes = (vendor: Vendor) => suite.fakes.log.filter((r) => r.vendor === vendor && r.method === 'POST');

	function mark(
		vendor: Vendor,
		items: IDataObject[],
		parameters: INodeParameters = {},
		options: INodeParameters = {},
		extra: Partial<RunOptions> = {},
	) {
		return runNode({
			parameters: { provider: vendor, authentication: 'apiKey', operation: 'markAsPaid', invoiceId: '={{ $json.id }}', ...parameters, options },
			items,
			credentials: fakeCredentials(suite.fakes.url),
			onError: 'continueRegularOutput',
			typeVersion: 2,
			...extra,
		});
	}

	describe.each(PROVIDERS as Vendor[])('%s', (vendor) => {
		const id = VENDORS[vendor].id;

		it('marks an unpaid invoice paid with the date given, sent as the vendor documents it', async () => {
			unpaid(vendor);
			const { output, everything } = await mark(vendor, [{ id }], { paymentDate: DATE });
			expect(output).toHaveLength(1);
			expect(output[0].pairedItem).toEqual({ item: 0 });
			expect(output[0].json).toMatchObject({ provider: vendor, operation: 'markAsPaid', invoiceId: id, outcome: 'marked_paid', paid: true, paymentDate: DATE });
			// simplified by default in version 2: no raw invoice
			expect(output[0].json).not.toHaveProperty('invoice');
			expect(state(vendor)).toMatchObject({ status: 'paid', payment_date: DATE });
			const sent = writes(vendor);
			expect(sent).toHaveLength(1);
			expect(sent[0].path).toContain(MARK_PATH[vendor]);
			expect(sentDate(vendor, sent[0].body)).toBe(DATE);
			expectNoSecrets(everything);
		});

		it('Output "raw" keeps the vendor\'s invoice', async () => {
			unpaid(vendor);
			const { output } = await mark(vendor, [{ id }], { paymentDate: DATE }, { output: 'raw' });
			expect(output[0].json.outcome).toBe('marked_paid');
			expect(output[0].json.invoice).toMatchObject({ status: 'paid', payment_date: DATE });
		});

		it.each([
			['a month 13', '2026-13-01'],
			['a day that does not exist', '2026-02-30'],
			['another format', '15/10/2026'],
			['a date and time', '2026-10-15T10:00:00Z'],
			['a number', '={{ 20261015 }}'],
			['an object', '={{ { date: "2026-10-15" } }}'],
		])('a Payment Date that is %s is invalid_input, and nothing is sent', async (_what, paymentDate) => {
			unpaid(vendor);
			const { output, everything } = await mark(vendor, [{ id }], { paymentDate });
			expect(output.map(outcomeOf)).toEqual(['error:invalid_input']);
			expect(errorOf(output[0]).message).toMatch(new RegExp(`Payment Date .*${id}.*nothing was sent`));
			expect(suite.fakes.log).toEqual([]);
			expect(state(vendor).status).toBe(VENDORS[vendor].unpaid);
			expectNoSecrets(everything);
		});

		it('an empty Payment Date is the vendor\'s documented "today", or invalid_input where none is documented', async () => {
			unpaid(vendor);
			const { output } = await mark(vendor, [{ id }], { paymentDate: '' });
			if (vendor === 'qonto') {
				// Qonto does not document payment_date as optional [?]: never guessed
				expect(output.map(outcomeOf)).toEqual(['error:invalid_input']);
				expect(errorOf(output[0]).message).toMatch(/Payment Date is empty.*needs the date/);
				expect(suite.fakes.log).toEqual([]);
				return;
			}
			expect(output.map(outcomeOf)).toEqual(['marked_paid']);
			expect(sentDate(vendor, writes(vendor)[0].body)).toBeUndefined();
			expect(state(vendor).payment_date).toBe(new Date(suite.fakes.now()).toISOString().slice(0, 10));
		});

		it('a revert, then Mark as Paid with the kept date (the default Payment Date, and $json.previous.paymentDate)', async () => {
			paid(vendor, id, '2026-09-01');
			const reverted = await runNode({
				parameters: { provider: vendor, authentication: 'apiKey', operation: 'revertPayment', invoiceId: '={{ $json.id }}', options: {} },
				items: [{ id }],
				credentials: fakeCredentials(suite.fakes.url),
				typeVersion: 2,
			});
			expect(reverted.output.map(outcomeOf)).toEqual(['reverted']);
			const revertItems = reverted.output.map((item) => item.json);
			// what a revert keeps: the state it erased, where the vendor can be read
			const kept = vendor === 'contazen' ? null : '2026-09-01';
			expect((revertItems[0].previous as IDataObject | null)?.paymentDate ?? null).toBe(kept);

			for (const parameters of [{}, { paymentDate: '={{ $json.previous.paymentDate }}' }]) {
				const { output } = await mark(vendor, revertItems, { invoiceId: '={{ $json.invoiceId }}', ...parameters });
				const today = new Date(suite.fakes.now()).toISOString().slice(0, 10);
				// Contazen cannot be read, so its revert kept no date: Contazen records today [V]
				expect(output.map(outcomeOf)).toEqual(['marked_paid']);
				expect(output[0].json).toMatchObject({ invoiceId: id, paid: true, paymentDate: kept ?? today });
				expect(state(vendor)).toMatchObject({ status: 'paid', payment_date: kept ?? today });
				// back to unpaid for the next round
				await runNode({
					parameters: { provider: vendor, authentication: 'apiKey', operation: 'revertPayment', invoiceId: '={{ $json.id }}', options: {} },
					items: [{ id }],
					credentials: fakeCredentials(suite.fakes.url),
					typeVersion: 2,
				});
			}
		});

		if (vendor === 'contazen') {
			it('cannot be read first: an already paid bill is marked again (documented default) or, where Contazen refuses, already_paid with no change', async () => {
				paid(vendor, id, '2026-09-01');
				const first = await mark(vendor, [{ id }], { paymentDate: DATE });
				expect(first.output[0].json).toMatchObject({ outcome: 'marked_paid', previous: null, paymentDate: DATE });
				expect((first.output[0].json.notes as string[]).join(' ')).toMatch(/no way to read a single supplier bill.*before marking it paid/);

				suite.fakes.reset();
				suite.fakes.config.contazen.alreadyPaid = 'error';
				paid(vendor, id, '2026-09-01');
				const second = await mark(vendor, [{ id }], { paymentDate: DATE });
				expect(second.output[0].json).toMatchObject({ outcome: 'already_paid', paid: true, status: 'paid' });
				expect(state(vendor)).toMatchObject({ status: 'paid', payment_date: '2026-09-01' });
			});

			it('Dry Run is unsupported (no single-bill read), nothing sent', async () => {
				unpaid(vendor);
				const { output } = await mark(vendor, [{ id }], { paymentDate: DATE }, { dryRun: true });
				expect(output.map(outcomeOf)).toEqual(['error:unsupported']);
				expect(suite.fakes.log).toEqual([]);
			});

			it('a lost answer, then Contazen refusing the retry as already paid: marked_paid (the first attempt did it)', async () => {
				suite.fakes.config.contazen.alreadyPaid = 'error';
				unpaid(vendor);
				suite.fakes.addFaults([{ type: 'lose', vendor, method: 'POST', path: 'mark-paid' }]);
				const { output } = await mark(vendor, [{ id }], { paymentDate: DATE });
				expect(output[0].json).toMatchObject({ outcome: 'marked_paid', paid: true });
				expect(state(vendor)).toMatchObject({ status: 'paid', payment_date: DATE });
				expect(writes(vendor).map((r) => r.status)).toEqual([200, 400]);
			});
		} else {
			it('an invoice already paid is already_paid: read, no write, its date unchanged', async () => {
				paid(vendor, id, '2026-09-01');
				const { output } = await mark(vendor, [{ id }], { paymentDate: DATE });
				expect(output[0].json).toMatchObject({ outcome: 'already_paid', paid: true, paymentDate: '2026-09-01', previous: { status: 'paid' } });
				expect(writes(vendor)).toEqual([]);
				expect(state(vendor).payment_date).toBe('2026-09-01');
			});

			it('Dry Run reads and reports would_mark_paid (or already_paid), writing nothing', async () => {
				unpaid(vendor);
				paid(vendor, VENDORS[vendor].idOf(1));
				const { output } = await mark(vendor, [{ id }, { id: VENDORS[vendor].idOf(1) }], { paymentDate: DATE }, { dryRun: true });
				expect(output.map(outcomeOf)).toEqual(['would_mark_paid', 'already_paid']);
				expect(output[0].json).toMatchObject({ paid: false, status: VENDORS[vendor].unpaid });
				expect(writes(vendor)).toEqual([]);
				expect(state(vendor).status).toBe(VENDORS[vendor].unpaid);
			});

			it('a lost answer, then the retry refused: a read finds it paid, so marked_paid (the first attempt did it)', async () => {
				unpaid(vendor);
				const refusal: FakeFault =
					vendor === 'qonto'
						? { type: 'status', status: 400, body: { errors: [{ code: 'invalid_transition', detail: 'Cannot mark as paid' }] } }
						: { type: 'status', status: 412, body: { key: 'precondition_failure', message: 'Invoice is paid' } };
				suite.fakes.addFaults([
					{ type: 'lose', vendor, method: 'POST', path: MARK_PATH[vendor] },
					{ ...refusal, vendor, method: 'POST', path: MARK_PATH[vendor] },
				]);
				const { output, everything } = await mark(vendor, [{ id }], { paymentDate: DATE });
				expect(output[0].json).toMatchObject({ outcome: 'marked_paid', paid: true, paymentDate: DATE, previous: { status: VENDORS[vendor].unpaid } });
				const calls = suite.fakes.log.filter((r) => r.vendor === vendor).map((r) => `${r.method} ${r.status}`);
				// read first, the lost write (applied), the refused retry, the read that settles it
				expect(calls).toEqual(['GET 200', 'POST 200', `POST ${vendor === 'qonto' ? 400 : 412}`, 'GET 200']);
				expectNoSecrets(everything);
			});

			it('a success answer that does not show the invoice: a read finds it still unpaid, so unexpected_response', async () => {
				unpaid(vendor);
				suite.fakes.addFaults([{ type: 'status', status: 200, body: { status: 'ok' }, vendor, method: 'POST', path: MARK_PATH[vendor] }]);
				const { output } = await mark(vendor, [{ id }], { paymentDate: DATE });
				expect(output.map(outcomeOf)).toEqual(['error:unexpected_response']);
				expect(errorOf(output[0]).message).toMatch(/marking .* paid, but .*a read shows it still not paid.*nothing was marked paid/);
				expect(state(vendor).status).toBe(VENDORS[vendor].unpaid);
			});

			it('the vendor refusing to mark a paid-able invoice (still unpaid after it) is invalid_state with its message', async () => {
				const refused = vendor === 'qonto' ? { status: 'scheduled' } : { status: 'draft' };
				suite.fakes.seed(vendor, id, { ...refused, payment_date: null });
				const { output } = await mark(vendor, [{ id }], { paymentDate: DATE });
				expect(output.map(outcomeOf)).toEqual(['error:invalid_state']);
				expect(errorOf(output[0]).message).toMatch(/is still not paid: .* refused to mark it paid/);
			});
		}
	});

	it('a run stopped by an error names the invoices it already marked paid', async () => {
		const [a, b] = ['5001', '5002'];
		unpaid('wethod', a);
		const { error } = await mark('wethod', [{ id: a }, { id: b }], { paymentDate: DATE }, {}, { onError: undefined });
		expect(error?.message).toMatch(/Wethod: invoice 5002 was not found/);
		expect(String(error?.description)).toMatch(/Already marked paid in this run before it stopped \(1 invoice\): 5001/);
		expect((error?.context as IDataObject).markedPaidInvoiceIds).toEqual([a]);
		expect(state('wethod', a).status).toBe('paid');
	});

	it('Contazen\'s linked expense follows, and the item says so', async () => {
		unpaid('contazen');
		const bill = state('contazen');
		const { output } = await mark('contazen', [{ id: VENDORS.contazen.id }], { paymentDate: DATE });
		expect(output[0].json.linkedExpenseId).toBe(bill.expense_id);
		expect(output[0].json.notes).toContain(`Contazen also marked the linked expense ${String(bill.expense_id)} as paid.`);
	});

	it('version 1 has no Mark as Paid: a version-1 node naming it is refused before any request, never reverted', async () => {
		paid('wethod');
		const { error, output } = await mark('wethod', [{ id: VENDORS.wethod.id }], { paymentDate: DATE }, {}, { typeVersion: 1, onError: undefined });
		expect(output).toEqual([]);
		expect(error?.message).toMatch(/Mark as Paid needs node version 2 or later, and this node is version 1/);
		expect((error as { context?: { category?: string } } | undefined)?.context?.category ?? error?.description).toBeDefined();
		expect(suite.fakes.log).toEqual([]);
		expect(state('wethod').status).toBe('paid');
	});

	it('version 2, Get Payment Status on Contazen (not offered there, reached anyway): unsupported, nothing sent', async () => {
		const { output } = await mark('contazen', [{ id: VENDORS.contazen.id }], { operation: 'getStatus' });
		expect(output.map(outcomeOf)).toEqual(['error:unsupported']);
		expect(suite.fakes.log).toEqual([]);
	});
});
