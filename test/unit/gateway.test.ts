/**
 * The invoice gateway on its own, over a scripted connection: what each answer shows, for every
 * request an operation can make, including the writes and lists no vendor module declares yet.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { TransportFailure } from '../../nodes/PaymentRevert/errors';
import { ConnectionGateway } from '../../nodes/PaymentRevert/gateway';
import type { PageRequest, Provider, RequestSpec, VendorResponse } from '../../nodes/PaymentRevert/providers';
import { wethod } from '../../nodes/PaymentRevert/providers/wethod';
import { failed, ok } from '../../nodes/PaymentRevert/result';
import type { Connection, Exchange } from '../../nodes/PaymentRevert/transport/connection';
import { wethodInvoice } from '../helpers';

const response = (statusCode: number, json: unknown, extra: Partial<VendorResponse> = {}): VendorResponse => ({
	statusCode,
	headers: {},
	json,
	text: json === undefined ? '' : JSON.stringify(json),
	...extra,
});

/** Wethod with a mark-as-paid and a list endpoint, as a later vendor module may declare them. */
const vendor: Provider = {
	...wethod,
	endpoints: {
		...wethod.endpoints,
		markPaid: (id, payment) => ({ method: 'POST', path: `/pay/${id}`, write: true, body: { payment_date: payment.date ?? null } }),
		list: {
			request: (page: PageRequest) => ({ method: 'GET', path: `/list?offset=${page.cursor ?? 0}&limit=${page.size}`, write: false }),
			page: (json, asked) =>
				Array.isArray(json) ? { invoices: json, next: json.length < asked.size ? undefined : String(Number(asked.cursor ?? 0) + json.length) } : undefined,
		},
	},
	refusals: { ...wethod.refusals, markPaid: [{ status: [409], means: 'maybeAlreadyPaid' }] },
};

type Sent = Awaited<ReturnType<Connection['send']>>;

/** A connection that answers from a script and records what it was asked. */
function gatewayWith(...answers: Sent[]) {
	const sent: Array<{ spec: RequestSpec; followUp: boolean }> = [];
	const connection = {
		provider: vendor,
		send: async (_ctx: IExecuteFunctions, spec: RequestSpec, _options: unknown, followUp = false) => {
			sent.push({ spec, followUp });
			const next = answers.shift();
			if (!next) throw new Error('no scripted answer left');
			return next;
		},
	};
	const options = { maxRetries: 0, maxRetryWaitSeconds: 1, timeoutSeconds: 1 };
	return { gateway: new ConnectionGateway({} as IExecuteFunctions, connection, options), sent };
}

const exchange = (r: VendorResponse, more: Partial<Exchange> = {}): Sent => ok({ response: r, mayHaveApplied: false, ...more });

describe('invoice gateway', () => {
	it('a read that shows the asked invoice is a snapshot; later requests of the item are follow-ups', async () => {
		const { gateway, sent } = gatewayWith(exchange(response(200, wethodInvoice())), exchange(response(200, wethodInvoice({ status: 'sent' }))));
		expect(await gateway.read('42')).toMatchObject({ kind: 'snapshot', snapshot: { state: { status: 'paid', paid: true } }, mayHaveApplied: false });
		expect(await gateway.revert('42')).toMatchObject({ kind: 'snapshot', snapshot: { state: { status: 'sent', paid: false } } });
		expect(sent.map((s) => [s.spec.path, s.followUp])).toEqual([
			['/api/invoices/42', false],
			['/api/invoices/42:set-unpaid', true],
		]);
	});

	it('a 2xx that does not show the asked invoice is ambiguous, with the reason', async () => {
		const { gateway } = gatewayWith(exchange(response(200, wethodInvoice({ id: 43 }))), exchange(response(200, undefined, { text: '<html></html>' })));
		expect(await gateway.read('42')).toMatchObject({ kind: 'ambiguous', reason: 'the answer is about another invoice (43)' });
		expect(await gateway.revert('42')).toMatchObject({ kind: 'ambiguous', reason: 'the answer is an HTML page' });
	});

	it("a refused write is a refusal where the write's table names it, otherwise a failure; a read has no refusal", async () => {
		const refused = response(412, { key: 'precondition_failure', message: 'Invoice is not paid' });
		const { gateway } = gatewayWith(exchange(refused, { mayHaveApplied: true }), exchange(refused), exchange(response(409, { key: 'conflict' })), exchange(refused));
		expect(await gateway.revert('42')).toMatchObject({
			kind: 'refusal',
			refusal: 'maybeNotPaid',
			vendor: { vendorCode: 'precondition_failure', vendorMessage: 'Invoice is not paid' },
			mayHaveApplied: true,
		});
		// The revert's table is not the mark-as-paid one.
		expect(await gateway.markPaid('42', {})).toMatchObject({ kind: 'failure', failure: { response: { statusCode: 412 } } });
		expect(await gateway.markPaid('42', { date: '2026-11-30' })).toMatchObject({ kind: 'refusal', refusal: 'maybeAlreadyPaid' });
		expect(await gateway.read('42')).toMatchObject({ kind: 'failure', failure: { response: { statusCode: 412 }, mayHaveApplied: false } });
	});

	it('a write sends its body', async () => {
		const { gateway, sent } = gatewayWith(exchange(response(200, wethodInvoice())));
		await gateway.markPaid('42', { date: '2026-11-30' });
		expect(sent[0].spec).toEqual({ method: 'POST', path: '/pay/42', write: true, body: { payment_date: '2026-11-30' } });
	});

	it('no answer, a refused wait and an oversized answer (to a read, or not 2xx) are failures', async () => {
		const none = new TransportFailure(undefined, 'ECONNRESET', undefined, true);
		const oversized = response(200, undefined, { oversized: { limitBytes: 5 } });
		const oversized503 = response(503, undefined, { oversized: { limitBytes: 5 } });
		const { gateway } = gatewayWith(
			failed(none),
			exchange(oversized),
			exchange(oversized503, { mayHaveApplied: true }),
			exchange(response(429, {}), { refusedWaitSeconds: 90 }),
		);
		expect(await gateway.revert('42')).toEqual({ kind: 'failure', failure: none });
		expect(await gateway.read('42')).toMatchObject({ kind: 'failure', failure: { response: oversized } });
		expect(await gateway.revert('42')).toMatchObject({ kind: 'failure', failure: { response: oversized503, mayHaveApplied: true } });
		expect(await gateway.read('42')).toMatchObject({ kind: 'failure', failure: { refusedWaitSeconds: 90, response: { statusCode: 429 } } });
	});

	it('a 2xx to a write that cannot be read (oversized, its body cut) is ambiguous and may have been applied', async () => {
		const oversized = response(200, undefined, { oversized: { limitBytes: 5 * 1024 * 1024 } });
		const cut = response(200, undefined, { cut: { networkCode: 'ETIMEDOUT' } });
		const { gateway } = gatewayWith(exchange(oversized), exchange(cut), exchange(response(204, undefined, { cut: { networkCode: 'ECONNRESET' } })));
		expect(await gateway.revert('42')).toMatchObject({ kind: 'ambiguous', reason: expect.stringMatching(/larger than the 5 MB/), mayHaveApplied: true });
		expect(await gateway.revert('42')).toMatchObject({ kind: 'ambiguous', reason: expect.stringMatching(/cut off .*Timeout/), mayHaveApplied: true });
		expect(await gateway.markPaid('42', { date: '2026-01-02' })).toMatchObject({ kind: 'ambiguous', reason: expect.stringMatching(/connection broke/) });
	});

	it('a page of a list: every invoice checked, and the next cursor', async () => {
		const page = [wethodInvoice({ id: 1 }), wethodInvoice({ id: 2, status: 'sent' })];
		const { gateway, sent } = gatewayWith(exchange(response(200, page)), exchange(response(200, [wethodInvoice({ id: 3 })])));
		const first = await gateway.list({ size: 2, paidOnly: true });
		expect(first).toMatchObject({ kind: 'page', next: '2' });
		expect(first.kind === 'page' && first.snapshots.map((s) => [s.state.invoice.id, s.state.paid])).toEqual([
			[1, true],
			[2, false],
		]);
		expect(await gateway.list({ size: 2, paidOnly: true, cursor: '2' })).toMatchObject({ kind: 'page', next: undefined });
		expect(sent.map((s) => s.spec.path)).toEqual(['/list?offset=0&limit=2', '/list?offset=2&limit=2']);
	});

	it('a list that is not one, or holds an invoice with an unknown status, is ambiguous; an error status a failure', async () => {
		const { gateway } = gatewayWith(
			exchange(response(200, { status: 'ok' })),
			exchange(response(200, [wethodInvoice(), wethodInvoice({ id: 7, status: 'void' })])),
			exchange(response(200, [{ name: 'no id' }])),
			exchange(response(403, { key: 'forbidden' })),
		);
		const asked = { size: 10, paidOnly: false };
		expect(await gateway.list(asked)).toMatchObject({ kind: 'ambiguous', reason: 'there is no list of invoices in the answer' });
		expect(await gateway.list(asked)).toMatchObject({ kind: 'ambiguous', reason: 'its status "void" is not one Wethod documents' });
		expect(await gateway.list(asked)).toMatchObject({ kind: 'ambiguous', reason: 'the list holds an entry with no invoice ID' });
		expect(await gateway.list(asked)).toMatchObject({ kind: 'failure', failure: { response: { statusCode: 403 } } });
	});

	it('says which endpoints the vendor documents, and refuses to guess one', async () => {
		const { gateway } = gatewayWith();
		expect(['read', 'revert', 'markPaid', 'list'].map((e) => gateway.can(e as 'read'))).toEqual([true, true, true, true]);
		// Wethod without its mark-paid endpoint (it documents one since Mark as Paid): a vendor that does not
		const withoutMarkPaid = { ...wethod, endpoints: { ...wethod.endpoints, markPaid: undefined } };
		const bare = new ConnectionGateway({} as IExecuteFunctions, { provider: withoutMarkPaid, send: async () => failed(new TransportFailure(undefined, undefined, undefined, false)) }, {
			maxRetries: 0,
			maxRetryWaitSeconds: 1,
			timeoutSeconds: 1,
		});
		expect(gateway.can('markPaid')).toBe(true);
		expect(bare.can('markPaid')).toBe(false);
		await expect(bare.markPaid('42', {})).rejects.toThrow('Wethod has no markPaid endpoint');
	});
});
