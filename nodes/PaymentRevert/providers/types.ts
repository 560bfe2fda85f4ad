import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import type { Quota } from '../pace';

export type ProviderId = 'qonto' | 'contazen' | 'wethod';

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
}

export interface RequestSpec {
	method: 'GET' | 'POST';
	path: string;
	/** A write changes state: no redirects, and a retry after an unknown result may be refused. */
	write: boolean;
}

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
 * How a vendor refused the revert:
 * - `notPaid`: the vendor says the invoice is not paid;
 * - `maybeNotPaid`: the refusal may mean "not paid", a read decides (still paid: the vendor
 *   refuses to revert a paid invoice);
 * - `locked`: the invoice is paid but the vendor will not revert it (closed period, lock).
 */
export type Refusal = 'notPaid' | 'maybeNotPaid' | 'locked';

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
	/** Whether an invoice in an answer is the asked one, compared in the vendor's own ID form. */
	idMatches(askedId: string, invoice: IDataObject): boolean;

	revert(invoiceId: string): RequestSpec;
	/** Undefined when the vendor documents no single-invoice read. */
	read?: (invoiceId: string) => RequestSpec;

	/** The object an answer holds where the invoice should be, out of its envelope (not yet checked). */
	unwrap(json: unknown): IDataObject | undefined;
	normalize(invoice: IDataObject): InvoiceState;
	/** Every status the vendor documents: an answer with any other status shows nothing. */
	knownStatuses: readonly string[];
	/** The statuses a revert applies to. */
	paidStatuses: readonly string[];
	requestId(response: VendorResponse): string | null;
	parseError(response: VendorResponse): VendorError;
	/** How the vendor refuses a revert (see `refusalOf`). */
	refusals: readonly RefusalRule[];
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
	/** Side effects the vendor performs besides the revert, named for the output. */
	sideEffects?: (after: InvoiceState) => { notes: string[]; fields: IDataObject };
}
