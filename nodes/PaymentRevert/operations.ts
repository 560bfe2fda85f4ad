import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { mapFailure, RevertFailure, TransportFailure } from './errors';
import type { InvoiceState, Provider, RequestSpec, VendorResponse } from './providers';
import { textExcerpt } from './providers/parse';
import type { Connection, Exchange, TransportOptions } from './transport';

export type Operation = 'revertPayment' | 'getStatus';

export interface ItemRequest {
	operation: Operation;
	invoiceId: string;
	ifNotPaid: 'succeed' | 'fail';
	capturePreviousState: boolean;
	dryRun: boolean;
	transport: TransportOptions;
}

type Outcome = 'reverted' | 'already_unpaid' | 'would_revert' | 'status';

interface Snapshot {
	state: InvoiceState;
	requestId: string | null;
}

/** Trims and checks the ID before anything is sent. */
export function validateInvoiceId(provider: Provider, raw: unknown): string {
	const id = raw === undefined || raw === null ? '' : String(raw).trim();
	if (id === '') {
		throw new RevertFailure(
			'invalid_input',
			`${provider.name}: the invoice ID is empty; map a field holding the ${provider.noun} ID (${provider.idFormat})`,
		);
	}
	if (!provider.idPattern.test(id)) {
		const shown = id.length > 80 ? `${id.slice(0, 80)}…` : id;
		throw new RevertFailure(
			'invalid_input',
			`${provider.name}: "${shown}" is not a valid ${provider.noun} ID; expected ${provider.idFormat}`,
		);
	}
	return id;
}

class ItemRun {
	private readonly provider: Provider;
	private answered = false;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly connection: Connection,
		private readonly request: ItemRequest,
	) {
		this.provider = connection.provider;
	}

	async run(): Promise<IDataObject> {
		const { operation, dryRun, capturePreviousState } = this.request;
		if (operation === 'getStatus') {
			const now = await this.read('read its status');
			return this.item('status', now, null);
		}
		if (dryRun) {
			const now = await this.read('check it without changing anything (Dry Run)');
			return this.item(now.state.paid ? 'would_revert' : 'already_unpaid', now, now.state);
		}
		let before: Snapshot | undefined;
		if (capturePreviousState && this.provider.read) {
			before = await this.read('capture its previous state');
			if (!before.state.paid) return this.notPaid(before, before.state);
		}
		return this.revert(before);
	}

	private async revert(before: Snapshot | undefined): Promise<IDataObject> {
		const exchange = await this.send(this.provider.revert(this.request.invoiceId));
		const { response } = exchange;
		if (response.statusCode >= 200 && response.statusCode < 300) {
			const invoice = this.provider.unwrap(response.json);
			if (!invoice) throw this.unexpectedSuccess(response);
			const after: Snapshot = { state: this.provider.normalize(invoice), requestId: this.provider.requestId(response) };
			return this.item('reverted', after, before?.state ?? null);
		}

		const failure = new TransportFailure(response, undefined, undefined, exchange.ambiguous, exchange.refusedWaitSeconds);
		const vendor = this.provider.parseError(response);
		const refusal = this.provider.refusal(response, vendor);
		if (refusal === 'locked') {
			const mapped = mapFailure(this.provider, failure, this.request.invoiceId);
			throw new RevertFailure(
				'invalid_state',
				`${this.provider.name}: ${this.provider.noun} ${this.request.invoiceId} is paid but ${this.provider.name} refuses to revert it (locked or in a closed period)${vendor.vendorMessage ? `: ${vendor.vendorMessage}` : ''}`,
				mapped.details,
			);
		}
		if (refusal === 'notPaid' && !this.provider.read) {
			const now = { state: this.unknownUnpaid(), requestId: vendor.requestId };
			// Unpaid after an attempt whose result was unknown: that attempt did it.
			if (exchange.ambiguous) return this.item('reverted', now, before?.state ?? null);
			return this.notPaid(now, before?.state ?? null);
		}
		if (refusal && this.provider.read) {
			// The refusal may mean "not paid" (a re-run, or our earlier attempt that did go through).
			const now = await this.read('confirm why the revert was refused');
			if (!now.state.paid) {
				if (exchange.ambiguous) return this.item('reverted', now, before?.state ?? null);
				return this.notPaid(now, before?.state ?? now.state);
			}
			const mapped = mapFailure(this.provider, failure, this.request.invoiceId);
			if (this.provider.id === 'wethod') {
				throw new RevertFailure(
					'invalid_state',
					`${this.provider.name}: ${this.provider.noun} ${this.request.invoiceId} is paid but ${this.provider.name} refused to set it unpaid (precondition failed)${vendor.vendorMessage ? `: ${vendor.vendorMessage}` : ''}`,
					mapped.details,
				);
			}
			throw mapped;
		}
		throw mapFailure(this.provider, failure, this.request.invoiceId);
	}

	private notPaid(now: Snapshot, previous: InvoiceState | null): IDataObject {
		if (this.request.ifNotPaid === 'fail') {
			throw new RevertFailure(
				'invalid_state',
				`${this.provider.name}: ${this.provider.noun} ${this.request.invoiceId} is not paid (status "${now.state.status}"), so there is no payment to revert; set "If Not Paid" to Succeed to accept this`,
				{ httpCode: null, vendor: { vendorCode: null, vendorMessage: null, requestId: now.requestId } },
			);
		}
		return this.item('already_unpaid', now, previous);
	}

	/** Contazen said "not paid" without a read: report what is known and nothing more. */
	private unknownUnpaid(): InvoiceState {
		return {
			status: 'unpaid',
			paid: false,
			paymentDate: null,
			paymentAmount: null,
			invoiceNumber: null,
			amount: null,
			currency: null,
			invoice: {},
		};
	}

	private async read(purpose: string): Promise<Snapshot> {
		const spec = this.provider.read?.(this.request.invoiceId);
		if (!spec) {
			throw new RevertFailure(
				'unsupported',
				`${this.provider.name}: the ${this.provider.name} API documents no way to read a single ${this.provider.noun}, so the node cannot ${purpose}; use Revert Payment without Dry Run`,
			);
		}
		const exchange = await this.send(spec);
		const { response } = exchange;
		if (response.statusCode < 200 || response.statusCode >= 300) {
			throw mapFailure(
				this.provider,
				new TransportFailure(response, undefined, undefined, false, exchange.refusedWaitSeconds),
				this.request.invoiceId,
			);
		}
		const invoice = this.provider.unwrap(response.json);
		if (!invoice) throw this.unexpectedSuccess(response);
		return { state: this.provider.normalize(invoice), requestId: this.provider.requestId(response) };
	}

	private async send(spec: RequestSpec): Promise<Exchange> {
		// After the item's first answer, the pace serves its next request first (see Pace).
		const exchange = await this.connection.send(this.ctx, spec, this.request.transport, this.answered);
		this.answered = true;
		if (exchange instanceof TransportFailure) throw mapFailure(this.provider, exchange, this.request.invoiceId);
		return exchange;
	}

	/** A 2xx answer without the vendor's invoice in it: an HTML page, a proxy, a changed API. */
	private unexpectedSuccess(response: VendorResponse): RevertFailure {
		const mapped = mapFailure(
			this.provider,
			new TransportFailure(response, undefined, undefined, false),
			this.request.invoiceId,
		);
		if (mapped.category === 'unexpected_response') return mapped;
		return new RevertFailure(
			'unexpected_response',
			`${this.provider.name}: the API answered HTTP ${response.statusCode} without a ${this.provider.noun} in the body; check the credential's environment and base URL`,
			{
				httpCode: response.statusCode,
				vendor: {
					vendorCode: mapped.details.vendor?.vendorCode ?? null,
					vendorMessage: textExcerpt(response.text),
					requestId: mapped.details.vendor?.requestId ?? null,
				},
			},
		);
	}

	private item(outcome: Outcome, now: Snapshot, previous: InvoiceState | null): IDataObject {
		const { state } = now;
		const json: IDataObject = {
			provider: this.provider.id,
			operation: this.request.operation,
			invoiceId: this.request.invoiceId,
			outcome,
			paid: state.paid,
			status: state.status,
			paymentDate: state.paymentDate,
			previous: previous
				? { status: previous.status, paymentDate: previous.paymentDate, paymentAmount: previous.paymentAmount }
				: null,
			invoiceNumber: state.invoiceNumber,
			amount: state.amount,
			currency: state.currency,
			requestId: now.requestId,
			invoice: state.invoice,
		};
		const notes: string[] = [];
		if (this.provider.sideEffects) {
			const effects = this.provider.sideEffects(state);
			Object.assign(json, effects.fields);
			if (outcome === 'reverted') notes.push(...effects.notes);
		}
		if (outcome !== 'status' && previous === null && !this.provider.read) {
			notes.push(
				`${this.provider.name} documents no way to read a single ${this.provider.noun}, so the state before the revert could not be captured.`,
			);
		}
		json.notes = notes;
		return json;
	}
}

export async function runItem(
	ctx: IExecuteFunctions,
	connection: Connection,
	request: ItemRequest,
): Promise<IDataObject> {
	return await new ItemRun(ctx, connection, request).run();
}
