/**
 * An outcome is what the vendor's answer shows (SPEC, "Behaviour that users rely on"), in the n8n
 * engine against the local fakes. A `status` fault replaces the vendor's answer without applying
 * it, so the fakes' state says what really happened: nothing may be reported `reverted` while the
 * invoice is still paid there, and no answer that is not the asked invoice with a known status may
 * count as "not paid".
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { FakeFault, FakeRecord } from '../fakes/server';
import { runNode, type RunResult } from '../harness/engine';
import { expectNoSecrets, fakeCredentials } from '../helpers';
import { errorOf, outcomeOf, useFakes, VENDORS, type Vendor } from './vendors';

const suite = useFakes();

const READABLE: Vendor[] = ['qonto', 'wethod'];
const ALL: Vendor[] = ['qonto', 'contazen', 'wethod'];
const WRITE_PATH: Record<Vendor, string> = { qonto: 'unmark_as_paid', contazen: 'mark-unpaid', wethod: 'set-unpaid' };
/** What each vendor's paid status is called. */
const PAID = 'paid';

/** The vendor's own ID form: Wethod's are JSON integers. */
const vendorId = (provider: Vendor, id: string) => (provider === 'wethod' ? Number(id) : id);
const otherId = (provider: Vendor) => VENDORS[provider].idOf(7);

/** An invoice in the shape the vendor answers it (Qonto wraps reads, not writes). */
function shaped(provider: Vendor, invoice: FakeRecord, on: 'read' | 'write'): unknown {
	if (provider === 'qonto') return on === 'read' ? { supplier_invoice: invoice } : invoice;
	if (provider === 'contazen') {
		return { success: true, data: { supplier_bill: invoice, message: 'Supplier bill marked as unpaid' }, meta: { version: 'v1', request_id: 'req-1' } };
	}
	return invoice;
}

/** The vendor's answer replaced by `body` (HTTP 200), not applied. */
function replaced(provider: Vendor, on: 'read' | 'write', body: unknown, extra: Partial<FakeFault> = {}): FakeFault {
	const id = VENDORS[provider].id;
	return on === 'write'
		? { type: 'status', vendor: provider, method: 'POST', path: WRITE_PATH[provider], status: 200, body, ...extra }
		: { type: 'status', vendor: provider, method: 'GET', path: `/${id}`, status: 200, body, ...extra };
}

function exec(provider: Vendor, operation: 'revertPayment' | 'getStatus', options: INodeParameters = {}) {
	return runNode({
		parameters: { provider, authentication: 'apiKey', operation, invoiceId: VENDORS[provider].id, options },
		credentials: fakeCredentials(suite.fakes.url),
		onError: 'continueRegularOutput',
	});
}

const requests = (provider: Vendor, method: 'GET' | 'POST') =>
	suite.fakes.log.filter((r) => r.vendor === provider && r.method === method && (method === 'GET' || r.path.includes(WRITE_PATH[provider])));
const writes = (provider: Vendor) => requests(provider, 'POST').length;
const stateOf = (provider: Vendor) => (suite.fakes.state[provider].get(VENDORS[provider].id) as IDataObject).status;

/** The item's outcome, checked against the fakes' state: never `reverted` while still paid there. */
function outcome(result: RunResult, provider: Vendor): string {
	expect(result.output).toHaveLength(1);
	expect(result.output[0].pairedItem).toEqual({ item: 0 });
	const said = outcomeOf(result.output[0]);
	if (stateOf(provider) === PAID) expect(said).not.toBe('reverted');
	expectNoSecrets(result.everything);
	return said;
}

/** Bodies that are not the asked invoice, unpaid, on a 2xx to the write. */
const WRITE_ANSWERS: Array<[string, (provider: Vendor, invoice: FakeRecord) => unknown]> = [
	['the invoice, still paid', (p, invoice) => shaped(p, invoice, 'write')],
	["another invoice's ID, unpaid", (p, invoice) => shaped(p, { ...invoice, id: vendorId(p, otherId(p)), status: VENDORS[p].unpaid }, 'write')],
	['the invoice with an unknown status', (p, invoice) => shaped(p, { ...invoice, status: 'done' }, 'write')],
	['a gateway JSON', () => ({ status: 200, message: 'OK' })],
	['{"status":"ok"}', () => ({ status: 'ok' })],
	['a Contazen-shaped envelope without a bill', () => ({ success: true, data: { message: 'Supplier bill marked as unpaid' }, meta: { version: 'v1' } })],
	['an empty body', () => ''],
	['{}', () => ({})],
	['an array', (p, invoice) => [shaped(p, { ...invoice, status: VENDORS[p].unpaid }, 'write')]],
];

describe.each(ALL)('%s: a 2xx to the write is believed only when it shows the asked invoice unpaid', (provider) => {
	const v = VENDORS[provider];

	it.each(WRITE_ANSWERS)('%s: unexpected_response, never reverted', async (_name, body) => {
		const invoice = suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([replaced(provider, 'write', body(provider, structuredClone(invoice)))]);
		const result = await exec(provider, 'revertPayment');
		expect(outcome(result, provider)).toBe('error:unexpected_response');
		const error = errorOf(result.output[0]);
		expect(error).toMatchObject({ httpCode: '200', provider, invoiceId: v.id });
		expect(error.message).toMatch(/answered success \(HTTP 200\) to the revert/);
		// Qonto and Wethod read before the write and again to decide; Contazen cannot be read.
		expect(error.message).toMatch(READABLE.includes(provider) ? /a read shows it still paid/ : /whether it was reverted is unknown/);
		expect(requests(provider, 'GET')).toHaveLength(READABLE.includes(provider) ? 2 : 0);
		expect(writes(provider)).toBe(1);
		expect(stateOf(provider)).toBe(PAID);
	});

	it('without Capture Previous State too', async () => {
		const invoice = suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([replaced(provider, 'write', shaped(provider, invoice, 'write'))]);
		const result = await exec(provider, 'revertPayment', { capturePreviousState: false });
		expect(outcome(result, provider)).toBe('error:unexpected_response');
		expect(writes(provider)).toBe(1);
	});

	it('a write applied whose answer was lost, then a 2xx gateway JSON: reverted only where a read shows it', async () => {
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([
			{ type: 'lose', vendor: provider, method: 'POST', path: WRITE_PATH[provider] },
			replaced(provider, 'write', { status: 200, message: 'OK' }),
		]);
		const result = await exec(provider, 'revertPayment');
		expect(stateOf(provider)).toBe(v.unpaid);
		expect(writes(provider)).toBe(2);
		if (READABLE.includes(provider)) {
			expect(outcome(result, provider)).toBe('reverted');
			expect(result.output[0].json).toMatchObject({ paid: false, status: v.unpaid, previous: { status: PAID } });
		} else {
			// Contazen: nothing tells; the item says so instead of guessing.
			expect(outcome(result, provider)).toBe('error:unexpected_response');
			expect(errorOf(result.output[0]).message).toMatch(/whether it was reverted is unknown/);
		}
	});
});

/** Answers to a read that do not show the asked invoice with a known status. */
const READ_ANSWERS: Array<[string, (provider: Vendor, invoice: FakeRecord) => unknown]> = [
	['a gateway JSON', (p) => (p === 'wethod' ? { status: 200, message: 'OK' } : { status: 'ok' })],
	['an unknown status', (p, invoice) => shaped(p, { ...invoice, status: 'settled' }, 'read')],
	['another invoice, unpaid', (p, invoice) => shaped(p, { ...invoice, id: vendorId(p, otherId(p)), status: VENDORS[p].unpaid }, 'read')],
	['the invoice without a status', (p, invoice) => shaped(p, { ...invoice, status: null }, 'read')],
	['an empty body', () => ''],
];

describe.each(READABLE)('%s: a read counts only when it shows the asked invoice with a known status', (provider) => {
	const v = VENDORS[provider];

	describe.each(READ_ANSWERS)('%s', (_name, body) => {
		// The invoice is seeded unpaid: an answer taken for "not paid" would look right by luck.
		const seedAndFault = (status: string) => {
			const invoice = suite.fakes.seed(provider, v.id, { status, payment_date: null });
			suite.fakes.addFaults([replaced(provider, 'read', body(provider, structuredClone(invoice)))]);
		};

		it.each([
			['Get Payment Status', 'getStatus', {}],
			['Dry Run', 'revertPayment', { dryRun: true }],
			['Capture Previous State', 'revertPayment', {}],
		] as Array<[string, 'revertPayment' | 'getStatus', INodeParameters]>)('in %s: unexpected_response, nothing written', async (_mode, operation, options) => {
			seedAndFault(PAID);
			const result = await exec(provider, operation, options);
			expect(outcome(result, provider)).toBe('error:unexpected_response');
			expect(errorOf(result.output[0]).message).toMatch(/to a read of .*whether it is paid is unknown/);
			expect(writes(provider)).toBe(0);
			expect(stateOf(provider)).toBe(PAID);
		});

		it('confirming a refused write: unexpected_response, not already_unpaid', async () => {
			seedAndFault(v.unpaid);
			const result = await exec(provider, 'revertPayment', { capturePreviousState: false });
			expect(outcome(result, provider)).toBe('error:unexpected_response');
			expect(errorOf(result.output[0]).message).toMatch(/confirm why the revert was refused/);
			expect(writes(provider)).toBe(1);
		});
	});
});

describe.each([
	['qonto', 400, { errors: [{ code: 'invalid_transition', detail: 'Supplier invoice cannot be unmarked as paid' }], trace_id: 'trace-400' }, { 'x-tyk-trace-id': 'trace-400' }],
	['wethod', 412, { key: 'precondition_failure', message: 'Invoice is linked to a closed budget' }, {}],
] as Array<[Vendor, number, IDataObject, Record<string, string>]>)(
	'%s refuses (HTTP %i) to revert an invoice that a read shows still paid',
	(provider, status, body, headers) => {
		const v = VENDORS[provider];

		it.each([
			['succeed', true],
			['succeed', false],
			['fail', true],
			['fail', false],
		])('If Not Paid %s, Capture Previous State %s: invalid_state with the vendor code, message and request ID', async (ifNotPaid, capturePreviousState) => {
			suite.fakes.seed(provider, v.id);
			suite.fakes.addFaults([{ type: 'status', vendor: provider, method: 'POST', path: WRITE_PATH[provider], status, body, headers }]);
			const result = await exec(provider, 'revertPayment', { ifNotPaid, capturePreviousState });
			expect(outcome(result, provider)).toBe('error:invalid_state');
			const error = errorOf(result.output[0]);
			expect(error.message).toMatch(new RegExp(`^${provider === 'qonto' ? 'Qonto: supplier invoice' : 'Wethod: invoice'} \\S+ is still paid: .* refused to mark it unpaid \\(HTTP ${status}\\)`));
			expect(error).toMatchObject({ httpCode: String(status), vendorCode: provider === 'qonto' ? 'invalid_transition' : 'precondition_failure' });
			expect(error.description).toMatch(/Vendor code: .*Vendor message: .+/);
			if (provider === 'qonto') expect(error).toMatchObject({ requestId: 'trace-400', vendorMessage: 'Supplier invoice cannot be unmarked as paid' });
			expect(writes(provider)).toBe(1);
			expect(stateOf(provider)).toBe(PAID);
		});
	},
);

describe('Contazen: "not paid" only from a refusal that says just that', () => {
	const v = VENDORS.contazen;
	const refusal = (message: string): FakeFault => ({
		type: 'status',
		vendor: 'contazen',
		method: 'POST',
		path: WRITE_PATH.contazen,
		status: 400,
		body: { success: false, error: { message, type: 'validation_error', code: 'invalid_request', status: 400 }, meta: { version: 'v1' } },
	});

	it('a refusal that merely mentions "not paid" on a paid bill is an error, not already_unpaid', async () => {
		suite.fakes.seed('contazen', v.id);
		suite.fakes.addFaults([refusal('Cannot mark the bill as not paid: the accounting period is closed')]);
		const result = await exec('contazen', 'revertPayment');
		expect(outcome(result, 'contazen')).toBe('error:validation');
		expect(writes('contazen')).toBe(1);
		expect(stateOf('contazen')).toBe(PAID);
	});

	it.each([
		['succeed', 'already_unpaid'],
		['fail', 'error:invalid_state'],
	])('the fakes\' own "Supplier bill is not paid" on an unpaid bill, If Not Paid %s: %s', async (ifNotPaid, expected) => {
		suite.fakes.config.contazen.alreadyUnpaid = 'error';
		suite.fakes.seed('contazen', v.id, { status: 'unpaid' });
		const result = await exec('contazen', 'revertPayment', { ifNotPaid });
		expect(outcome(result, 'contazen')).toBe(expected);
		expect(writes('contazen')).toBe(1);
	});
});

describe.each(ALL)('%s: the genuine paths still work', (provider) => {
	const v = VENDORS[provider];

	it('a paid invoice is reverted, once', async () => {
		suite.fakes.seed(provider, v.id);
		const result = await exec(provider, 'revertPayment');
		expect(outcome(result, provider)).toBe('reverted');
		expect(result.output[0].json).toMatchObject({ paid: false, status: v.unpaid, invoiceId: v.id });
		expect(writes(provider)).toBe(1);
		expect(stateOf(provider)).toBe(v.unpaid);
	});

	it('an invoice already unpaid: already_unpaid, nothing changed', async () => {
		// Contazen cannot be read: it needs its "not paid" refusal to tell (its 200 no-op reads as reverted).
		if (provider === 'contazen') suite.fakes.config.contazen.alreadyUnpaid = 'error';
		const seeded = structuredClone(suite.fakes.seed(provider, v.id, { status: v.unpaid, payment_date: null }));
		const result = await exec(provider, 'revertPayment');
		expect(outcome(result, provider)).toBe('already_unpaid');
		expect(writes(provider)).toBe(READABLE.includes(provider) ? 0 : 1);
		expect(suite.fakes.state[provider].get(v.id)).toEqual(seeded);
	});

	it('an answer lost after the write applied, the retry refused: confirmed and reverted', async () => {
		suite.fakes.seed(provider, v.id);
		suite.fakes.addFaults([{ type: 'lose', vendor: provider, method: 'POST', path: WRITE_PATH[provider] }]);
		const result = await exec(provider, 'revertPayment', { capturePreviousState: false });
		expect(outcome(result, provider)).toBe('reverted');
		expect(writes(provider)).toBe(2);
		expect(stateOf(provider)).toBe(v.unpaid);
	});

	if (READABLE.includes(provider)) {
		it('Get Payment Status and Dry Run read the invoice as it is', async () => {
			suite.fakes.seed(provider, v.id);
			const status = await exec(provider, 'getStatus');
			expect(status.output[0].json).toMatchObject({ outcome: 'status', paid: true, status: PAID });
			const dry = await exec(provider, 'revertPayment', { dryRun: true });
			expect(dry.output[0].json).toMatchObject({ outcome: 'would_revert', paid: true });
			expect(writes(provider)).toBe(0);
		});

		it('the asked ID in another form is still the asked invoice (Qonto: case; Wethod: integer)', async () => {
			const invoice = suite.fakes.seed(provider, v.id);
			const id = provider === 'qonto' ? String(invoice.id).toUpperCase() : invoice.id;
			suite.fakes.addFaults([replaced(provider, 'read', shaped(provider, { ...invoice, id }, 'read'))]);
			const result = await exec(provider, 'getStatus');
			expect(result.output[0].json).toMatchObject({ outcome: 'status', paid: true });
		});
	}
});
