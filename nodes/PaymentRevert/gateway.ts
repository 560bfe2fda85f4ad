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
import type { Connection, Exchange, LimitTally, TransportOptions, VendorContext } from './transport/connection';

/** The invoice as one answer showed it. */
export interface Snapshot {
	state: InvoiceState;
	requestId: string | null;
}

/**
 * What one request about one invoice came to:
 * - `snapshot`: a 2xx answer showing the asked invoice with a status the vendor documents;
 * - `ambiguous`: a 2xx answer that does not show it (an empty or HTML body, a gateway's JSON,
 *   another invoice, an unknown status), or a 2xx to a write that cannot be read (oversized, its
 *   body cut): what it did is unknown;
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

/** Why a 2xx answer could not be read at all (larger than the node reads, or cut), or undefined. */
function unreadable(response: VendorResponse): string | undefined {
	if (!is2xx(response)) return undefined;
	const mb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
	if (response.oversized) return `its answer was larger than the ${mb(response.oversized.limitBytes)} the node reads, so it was not read`;
	if (response.cut) {
		const how = /TIMEDOUT|ECONNABORTED/i.test(response.cut.networkCode) ? 'Timeout (Seconds) ran out' : 'the connection broke';
		return `its answer was cut off before its end (${how})`;
	}
	return undefined;
}

/** The gateway of one item: its requests share the item's transport options and its place in the pace. */
export class ConnectionGateway implements InvoiceGateway {
	readonly provider: Provider;
	private answered = false;

	constructor(
		private readonly ctx: VendorContext,
		private readonly connection: Pick<Connection, 'provider' | 'send'>,
		private readonly options: TransportOptions,
		/** Where the item's waits for the vendor's limit are counted (the run's hints). */
		private readonly tally?: LimitTally,
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
		const sent = await this.send(spec, write !== undefined);
		if (!sent.ok) return sent.failure;
		const { response, mayHaveApplied, refusedWaitSeconds, refusedBy } = sent.value;
		// A write answered 2xx whose answer cannot be read was most likely applied: not a failure
		// that passes it off as nothing, but an answer that a read must settle.
		const unread = unreadable(response);
		if (unread) return { kind: 'ambiguous', reason: unread, response, mayHaveApplied: true };
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

	/**
	 * The vendor's answer to a request, or a failure (no answer, or one too large to be the
	 * vendor's). `write`: a write's 2xx too large to read is its answer still (see `about`).
	 */
	private async send(spec: RequestSpec, write = false): Promise<Result<Exchange, { kind: 'failure'; failure: TransportFailure }>> {
		// After the item's first answer, the pace serves its next request first (see Pace).
		const sent = await this.connection.send(this.ctx, spec, this.options, this.answered, this.tally);
		this.answered = true;
		if (!sent.ok) return { ok: false, failure: { kind: 'failure', failure: sent.failure } };
		// Whatever its status, an answer too large to be the vendor's says nothing about the invoice.
		const { response, mayHaveApplied } = sent.value;
		if (response.oversized && !(write && is2xx(response))) {
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
