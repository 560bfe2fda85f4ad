/**
 * The invoice gateway: everything an operation may ask of a vendor (read, revert, mark as paid,
 * list), the same for every vendor. It sends the provider's endpoints over the connection and
 * says what each answer shows, judged from the provider's data; what that means for the item is
 * the operation's to decide.
 */
import { TransportFailure } from './errors';
import type {
	Endpoints,
	InvoiceState,
	PageRequest,
	Payment,
	Provider,
	Refusal,
	RequestSpec,
	VendorError,
	VendorResponse,
	WriteAction,
} from './providers';
import { invoiceIn, listedInvoice, notJsonReason, refusalOf } from './providers/answer';
import type { Result } from './result';
import type { Connection, Exchange, TransportOptions, VendorContext } from './transport/connection';

/** The invoice as one answer showed it. */
export interface Snapshot {
	state: InvoiceState;
	requestId: string | null;
}

/**
 * What one request about one invoice came to:
 * - `snapshot`: a 2xx answer showing the asked invoice with a status the vendor documents;
 * - `ambiguous`: a 2xx answer that does not show it (an empty or HTML body, a gateway's JSON,
 *   another invoice, an unknown status): what it did is unknown;
 * - `refusal`: the vendor refused the write in a way its refusal table names;
 * - `failure`: anything else (an error status, no answer, an oversized one), put into words by
 *   `mapFailure`.
 * `mayHaveApplied`: an earlier attempt of the write may have been applied (timeout, reset, 5xx).
 */
export type InvoiceAnswer =
	| { kind: 'snapshot'; snapshot: Snapshot; response: VendorResponse; mayHaveApplied: boolean }
	| { kind: 'ambiguous'; reason: string; response: VendorResponse; mayHaveApplied: boolean }
	| { kind: 'refusal'; refusal: Refusal; vendor: VendorError; failure: TransportFailure; mayHaveApplied: boolean }
	| { kind: 'failure'; failure: TransportFailure };

/** What a request for one page of a list came to (every invoice on it checked like a read). */
export type ListAnswer =
	| { kind: 'page'; snapshots: Snapshot[]; next?: string; response: VendorResponse }
	| { kind: 'ambiguous'; reason: string; response: VendorResponse }
	| { kind: 'failure'; failure: TransportFailure };

export interface InvoiceGateway {
	readonly provider: Provider;
	/** Whether the vendor documents the endpoint; an operation that needs a missing one says `unsupported`. */
	can(endpoint: keyof Endpoints): boolean;
	read(invoiceId: string): Promise<InvoiceAnswer>;
	revert(invoiceId: string): Promise<InvoiceAnswer>;
	markPaid(invoiceId: string, payment: Payment): Promise<InvoiceAnswer>;
	list(page: PageRequest): Promise<ListAnswer>;
}

const is2xx = (response: VendorResponse) => response.statusCode >= 200 && response.statusCode < 300;

/** The gateway of one item: its requests share the item's transport options and its place in the pace. */
export class ConnectionGateway implements InvoiceGateway {
	readonly provider: Provider;
	private answered = false;

	constructor(
		private readonly ctx: VendorContext,
		private readonly connection: Pick<Connection, 'provider' | 'send'>,
		private readonly options: TransportOptions,
	) {
		this.provider = connection.provider;
	}

	can(endpoint: keyof Endpoints): boolean {
		return this.provider.endpoints[endpoint] !== undefined;
	}

	async read(invoiceId: string): Promise<InvoiceAnswer> {
		return await this.about(invoiceId, this.endpoint('read')(invoiceId));
	}

	async revert(invoiceId: string): Promise<InvoiceAnswer> {
		return await this.about(invoiceId, this.provider.endpoints.revert(invoiceId), 'revert');
	}

	async markPaid(invoiceId: string, payment: Payment): Promise<InvoiceAnswer> {
		return await this.about(invoiceId, this.endpoint('markPaid')(invoiceId, payment), 'markPaid');
	}

	async list(page: PageRequest): Promise<ListAnswer> {
		const list = this.endpoint('list');
		const sent = await this.send(list.request(page));
		if (!sent.ok) return sent.failure;
		const { response, refusedWaitSeconds, refusedBy } = sent.value;
		if (!is2xx(response)) {
			return { kind: 'failure', failure: new TransportFailure(response, undefined, undefined, false, refusedWaitSeconds, refusedBy) };
		}
		const reason = notJsonReason(response);
		if (reason) return { kind: 'ambiguous', reason, response };
		const found = list.page(response.json, page);
		if (!found) return { kind: 'ambiguous', reason: `there is no list of ${this.provider.noun}s in the answer`, response };
		const requestId = this.provider.requestId(response);
		const snapshots: Snapshot[] = [];
		for (const invoice of found.invoices) {
			const reading = listedInvoice(this.provider, invoice);
			if (!reading.ok) return { kind: 'ambiguous', reason: reading.reason, response };
			snapshots.push({ state: reading.state, requestId });
		}
		return { kind: 'page', snapshots, next: found.next, response };
	}

	/** A request about one invoice; `write`: the write whose refusal table applies. */
	private async about(invoiceId: string, spec: RequestSpec, write?: WriteAction): Promise<InvoiceAnswer> {
		const sent = await this.send(spec);
		if (!sent.ok) return sent.failure;
		const { response, mayHaveApplied, refusedWaitSeconds, refusedBy } = sent.value;
		if (!is2xx(response)) {
			const failure = new TransportFailure(response, undefined, undefined, mayHaveApplied, refusedWaitSeconds, refusedBy);
			if (!write) return { kind: 'failure', failure };
			const vendor = this.provider.parseError(response);
			const refusal = refusalOf(this.provider, response, vendor, write);
			return refusal ? { kind: 'refusal', refusal, vendor, failure, mayHaveApplied } : { kind: 'failure', failure };
		}
		const reading = invoiceIn(this.provider, response, invoiceId);
		if (!reading.ok) return { kind: 'ambiguous', reason: reading.reason, response, mayHaveApplied };
		const snapshot = { state: reading.state, requestId: this.provider.requestId(response) };
		return { kind: 'snapshot', snapshot, response, mayHaveApplied };
	}

	/** The vendor's answer to a request, or a failure (no answer, or one too large to be the vendor's). */
	private async send(spec: RequestSpec): Promise<Result<Exchange, { kind: 'failure'; failure: TransportFailure }>> {
		// After the item's first answer, the pace serves its next request first (see Pace).
		const sent = await this.connection.send(this.ctx, spec, this.options, this.answered);
		this.answered = true;
		if (!sent.ok) return { ok: false, failure: { kind: 'failure', failure: sent.failure } };
		// Whatever its status, an answer too large to be the vendor's says nothing about the invoice.
		const { response, mayHaveApplied } = sent.value;
		if (response.oversized) {
			return { ok: false, failure: { kind: 'failure', failure: new TransportFailure(response, undefined, undefined, mayHaveApplied) } };
		}
		return sent;
	}

	private endpoint<E extends keyof Endpoints>(name: E): NonNullable<Endpoints[E]> {
		const endpoint = this.provider.endpoints[name];
		// Operations ask `can` first: this is a mistake in the node, not the vendor's.
		if (!endpoint) throw new Error(`${this.provider.name} has no ${name} endpoint`);
		return endpoint as NonNullable<Endpoints[E]>;
	}
}
