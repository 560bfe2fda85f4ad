import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { checkSetup, mapFailure, RevertFailure, TransportFailure } from './errors';
import type { InvoiceState, Provider, RequestSpec, VendorResponse } from './providers';
import { invoiceIn, refusalOf } from './providers/answer';
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
		const previous = before?.state ?? null;
		if (response.statusCode >= 200 && response.statusCode < 300) return await this.written(response, previous);

		const failure = new TransportFailure(response, undefined, undefined, exchange.ambiguous, exchange.refusedWaitSeconds);
		const vendor = this.provider.parseError(response);
		const refusal = refusalOf(this.provider, response, vendor);
		if (refusal === 'locked') {
			throw this.refusedWhilePaid(failure, `is paid but ${this.provider.name} refuses to revert it (locked or in a closed period)`);
		}
		if (refusal === 'notPaid' && !this.provider.read) {
			const now = { state: this.unknownUnpaid(), requestId: vendor.requestId };
			// Unpaid after an attempt whose result was unknown: that attempt did it.
			if (exchange.ambiguous) return this.item('reverted', now, previous);
			return this.notPaid(now, previous);
		}
		if (refusal && this.provider.read) {
			// The refusal may mean "not paid" (a re-run, or our earlier attempt that did go through).
			const now = await this.read('confirm why the revert was refused');
			if (!now.state.paid) {
				if (exchange.ambiguous) return this.item('reverted', now, previous);
				return this.notPaid(now, previous ?? now.state);
			}
			throw this.refusedWhilePaid(failure, `is still paid: ${this.provider.name} refused to mark it unpaid (HTTP ${response.statusCode})`);
		}
		throw mapFailure(this.provider, failure, this.request.invoiceId);
	}

	/**
	 * A 2xx to the write: `reverted` only when it shows the asked invoice no longer paid, or when a
	 * read then does (the write did it). Anything else is not an outcome.
	 */
	private async written(response: VendorResponse, previous: InvoiceState | null): Promise<IDataObject> {
		const { name, noun } = this.provider;
		const answer = invoiceIn(this.provider, response, this.request.invoiceId);
		if (answer.ok && !answer.state.paid) {
			return this.item('reverted', { state: answer.state, requestId: this.provider.requestId(response) }, previous);
		}
		const wrong = answer.ok ? `the answer shows it still paid (status "${answer.state.status}")` : answer.reason;
		const said = `${name} answered success (HTTP ${response.statusCode}) to the revert of ${noun} ${this.request.invoiceId}, but ${wrong}`;
		if (!this.provider.read) {
			throw this.unexpected(
				response,
				answer.ok,
				`${name}: ${said}; ${name} cannot be asked for one ${noun}, so whether it was reverted is unknown: check it in ${name} (a re-run is safe); ${checkSetup(this.provider)}`,
			);
		}
		const now = await this.read(`confirm the revert, which ${name} answered with HTTP ${response.statusCode} without showing the ${noun} unpaid`);
		if (!now.state.paid) return this.item('reverted', now, previous);
		throw this.unexpected(
			response,
			answer.ok,
			`${name}: ${said}; a read shows it still paid (status "${now.state.status}"), so nothing was reverted; ${checkSetup(this.provider)}`,
		);
	}

	/** The vendor refuses to revert an invoice that is paid: `invalid_state`, with its code and message. */
	private refusedWhilePaid(failure: TransportFailure, state: string): RevertFailure {
		const mapped = mapFailure(this.provider, failure, this.request.invoiceId);
		const said = mapped.details.vendor?.vendorMessage ? `: ${mapped.details.vendor.vendorMessage}` : '';
		return new RevertFailure(
			'invalid_state',
			`${this.provider.name}: ${this.provider.noun} ${this.request.invoiceId} ${state}${said}`,
			mapped.details,
		);
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
		const answer = invoiceIn(this.provider, response, this.request.invoiceId);
		if (!answer.ok) {
			const { name, noun } = this.provider;
			throw this.unexpected(
				response,
				false,
				`${name}: the API answered HTTP ${response.statusCode} to a read of ${noun} ${this.request.invoiceId} (to ${purpose}), but ${answer.reason}, so whether it is paid is unknown; ${checkSetup(this.provider)}`,
			);
		}
		return { state: answer.state, requestId: this.provider.requestId(response) };
	}

	private async send(spec: RequestSpec): Promise<Exchange> {
		// After the item's first answer, the pace serves its next request first (see Pace).
		const exchange = await this.connection.send(this.ctx, spec, this.request.transport, this.answered);
		this.answered = true;
		if (exchange instanceof TransportFailure) throw mapFailure(this.provider, exchange, this.request.invoiceId);
		// Whatever its status, an answer too large to be the vendor's says nothing about the invoice.
		if (exchange.response.oversized) {
			throw mapFailure(this.provider, new TransportFailure(exchange.response, undefined, undefined, exchange.ambiguous), this.request.invoiceId);
		}
		return exchange;
	}

	/**
	 * A 2xx answer that is not an outcome. `isInvoice`: it was the vendor's invoice (shown in the
	 * item), otherwise an excerpt of what came back is the vendor message.
	 */
	private unexpected(response: VendorResponse, isInvoice: boolean, message: string): RevertFailure {
		return new RevertFailure('unexpected_response', message, {
			httpCode: response.statusCode,
			vendor: {
				vendorCode: null,
				vendorMessage: isInvoice ? null : textExcerpt(response.text),
				requestId: this.provider.requestId(response),
			},
		});
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
