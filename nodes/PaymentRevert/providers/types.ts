import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import type { Quota } from '../transport/pace';
import type { ProviderId } from './index';

export type { ProviderId };

/** What every vendor answer is reduced to before anything else looks at it. */
export interface VendorResponse {
	statusCode: number;
	headers: Record<string, string>;
	/** Parsed JSON, or undefined when the body was empty or not JSON. */
	json: unknown;
	/** The raw body text (for error reporting of non-JSON pages). */
	text: string;
	/** n8n did not pass the body on (n8n 1.x, some paths): judge by the status alone. */
	bodyLost?: boolean;
	/** The body was larger than the node reads: not read (json undefined, text empty). */
	oversized?: { limitBytes: number; announcedBytes?: number };
	/** The body was cut before its end (the deadline, a reset): the status and headers alone are known. */
	cut?: { networkCode: string };
}

export interface RequestSpec {
	method: 'GET' | 'POST';
	/** After the base URL; a query string, if any, is the provider's to build. */
	path: string;
	/** A write changes state: no redirects, and a retry after an unknown result may be refused. */
	write: boolean;
	/** Sent as JSON. */
	body?: IDataObject;
}

/** A payment to record again (Mark as Paid); what is left out is the vendor's default. */
export interface Payment {
	/** YYYY-MM-DD. */
	date?: string;
	amount?: number;
}

/** Which page of a list to ask for. */
export interface PageRequest {
	/** The provider's own cursor (a page number, an offset); undefined: the first page. */
	cursor?: string;
	size: number;
	/** Only paid invoices, where the vendor can filter (the operation checks each one anyway). */
	paidOnly: boolean;
}

/** One page of a list, out of the vendor's envelope. */
export interface Page {
	invoices: unknown[];
	/** The next page's cursor; undefined on the last page. */
	next?: string;
}

/**
 * The vendor's documented endpoints, as data. One that is absent is not documented: the node
 * never calls an undocumented endpoint, and an operation that needs it says `unsupported`.
 */
export interface Endpoints {
	read?: (invoiceId: string) => RequestSpec;
	revert: (invoiceId: string) => RequestSpec;
	markPaid?: (invoiceId: string, payment: Payment) => RequestSpec;
	list?: {
		/** The largest page the vendor serves (100 when not given). */
		maxPageSize?: number;
		request(page: PageRequest): RequestSpec;
		/** The page's invoices and the next cursor; undefined when the answer is not such a list. */
		page(json: unknown, asked: PageRequest): Page | undefined;
	};
}

/** The endpoints that change an invoice, each with its own refusal table. */
export type WriteAction = 'revert' | 'markPaid';

/** The invoice as the node reports it, whatever the vendor's shape. */
export interface InvoiceState {
	status: string;
	paid: boolean;
	paymentDate: string | null;
	paymentAmount: number | null;
	invoiceNumber: string | null;
	amount: number | null;
	currency: string | null;
	invoice: IDataObject;
}

export interface VendorError {
	vendorCode: string | null;
	vendorMessage: string | null;
	requestId: string | null;
}

/**
 * How a vendor refused a write:
 * - `notPaid` (revert), `alreadyPaid` (mark as paid): the vendor says the invoice is already as
 *   the write would leave it;
 * - `maybeNotPaid`, `maybeAlreadyPaid`: the refusal may mean that, a read decides (otherwise the
 *   vendor refuses to change the invoice);
 * - `locked`: the vendor will not change the invoice (closed period, lock).
 */
export type Refusal = 'notPaid' | 'maybeNotPaid' | 'alreadyPaid' | 'maybeAlreadyPaid' | 'locked';

/**
 * One row of a vendor's refusal table: a refused write whose status (and, where given, code and
 * whole message) match means `means`. The first matching row wins; no row, an ordinary error.
 */
export interface RefusalRule {
	status: number[];
	codes?: string[];
	/** Tested against the whole message: a phrase inside a longer text is not enough. */
	message?: RegExp;
	means: Refusal;
}

export interface AuthStyle {
	/** Value of the node's `authentication` parameter. */
	value: string;
	name: string;
	credentialType: string;
}

export interface Provider {
	id: ProviderId;
	/** Shown at the start of every message. */
	name: string;
	/** The Provider option's label. */
	label: string;
	/** Why to choose one auth style over another, for the Authentication parameter (with several styles). */
	authHint?: string;
	/** One entry per credential type; the first is the default. */
	authStyles: AuthStyle[];
	/** What the vendor calls the document, for messages ("supplier invoice", "bill", …). */
	noun: string;
	/** Base URL from the credential, before the safety check. */
	baseUrl(credentials: ICredentialDataDecryptedObject): string;
	/** Headers the credential type cannot add itself (e.g. for OAuth2 credentials). */
	extraHeaders(credentialType: string, credentials: ICredentialDataDecryptedObject): Record<string, string>;
	/** Problems with the credential that make any request pointless. */
	checkCredentials(credentialType: string, credentials: ICredentialDataDecryptedObject): string | undefined;
	/** Values that must never reach an output, a message or a log. */
	secrets(credentials: ICredentialDataDecryptedObject): string[];

	/** IDs are integers: a number is accepted as one when it is a safe integer (else it was rounded). */
	integerIds?: boolean;
	idPattern: RegExp;
	idFormat: string;
	/** An ID as the vendor shows it (the default provider's is the Invoice ID's placeholder). */
	idExample: string;
	/** The ID's form in the Invoice ID's description ("a UUID" for Qonto). */
	idHint: string;
	/** Who the invoice is from or for, as the vendor names them (the invoice picker's label). */
	partyOf?(invoice: IDataObject): string | null;
	/** Whether an invoice in an answer is the asked one, compared in the vendor's own ID form. */
	idMatches(askedId: string, invoice: IDataObject): boolean;

	endpoints: Endpoints;
	/** The vendor documents that marking an invoice paid without a payment date records today's date. */
	markPaidDateOptional?: boolean;

	/** The object an answer holds where the invoice should be, out of its envelope (not yet checked). */
	unwrap(json: unknown): IDataObject | undefined;
	normalize(invoice: IDataObject): InvoiceState;
	/** Every status the vendor documents: an answer with any other status shows nothing. */
	knownStatuses: readonly string[];
	/** The statuses a revert applies to. */
	paidStatuses: readonly string[];
	/** The status of an invoice whose payment was reverted (reported when the vendor says only "not paid"). */
	unpaidStatus: string;
	requestId(response: VendorResponse): string | null;
	parseError(response: VendorResponse): VendorError;
	/** How the vendor refuses each write (see `refusalOf`); a write without a table has no known refusal. */
	refusals: { revert: readonly RefusalRule[]; markPaid?: readonly RefusalRule[] };
	/** The remaining quota and the window's reset, where the vendor reports them on its answers. */
	quota?: (response: VendorResponse, nowMs: number) => Quota | undefined;
	/** Seconds the vendor asks to wait, from its headers or body. */
	retryAfterSeconds(response: VendorResponse, nowMs: number): number | undefined;
	/** What the 403 usually means for this vendor (scope, permission). */
	permissionHint: string;
	/** What the vendor calls the account a credential belongs to ("organization", "company"). */
	tenant: string;
	/** Where to look when the answer is a login page, a redirect or another non-API answer. */
	setupHint?: string;
	/**
	 * What the vendor changes besides the invoice, named for the output: `fields` on every item,
	 * `notes` for the write that was just made (`changed`; undefined when nothing was changed).
	 */
	sideEffects?: (after: InvoiceState, changed: WriteAction | undefined) => { notes: string[]; fields: IDataObject };
}
