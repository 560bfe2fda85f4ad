import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { HeldBy } from './transport/pace';
import type { Provider, VendorError, VendorResponse } from './providers';
import { textExcerpt } from './providers/parse';

export type Category =
	| 'invalid_input'
	| 'authentication'
	| 'permission'
	| 'not_found'
	| 'invalid_state'
	| 'validation'
	| 'rate_limited'
	| 'vendor_error'
	| 'network'
	| 'unexpected_response'
	| 'unsupported';

/** Everything the node knows about a failure; turned into an n8n error or an error item. */
export class RevertFailure extends Error {
	constructor(
		readonly category: Category,
		message: string,
		readonly details: {
			httpCode?: number | null;
			vendor?: VendorError;
			retryAfterSeconds?: number;
			hint?: string;
			/** A write of this item may have been applied and nothing confirmed it: a stopped run names it. */
			resultUnknown?: boolean;
		} = {},
	) {
		super(message);
	}
}

/**
 * What a request came to without an outcome: the vendor's answer with an error status, or no
 * answer at all. Data, never thrown: the failure side of a request's `Result`, put into words by
 * `mapFailure`.
 */
export class TransportFailure {
	constructor(
		readonly response: VendorResponse | undefined,
		readonly networkCode: string | undefined,
		readonly authProblem: string | undefined,
		/** A write attempt may have been applied though no answer shows it (timeout, reset, 5xx). */
		readonly mayHaveApplied: boolean,
		/** The vendor asked to wait this long, more than the user allows. */
		readonly refusedWaitSeconds?: number,
		/** Set when the credential's pace held the request back (nothing sent): what held it. */
		readonly refusedBy?: HeldBy,
	) {}
}

const HTTP_CATEGORY: Record<number, Category> = {
	400: 'validation',
	401: 'authentication',
	403: 'permission',
	404: 'not_found',
	405: 'unexpected_response',
	409: 'validation',
	412: 'validation',
	422: 'validation',
	423: 'invalid_state',
	429: 'rate_limited',
};

function looksLikeVendorJson(response: VendorResponse): boolean {
	return typeof response.json === 'object' && response.json !== null;
}

/** Statuses whose meaning does not depend on the body (which may be empty or a gateway page). */
const DECISIVE = [401, 403, 429];

/** The one place where a vendor answer (or its absence) becomes a category and words. */
export function mapFailure(provider: Provider, failure: TransportFailure, invoiceId: string): RevertFailure {
	const mapped = describeFailure(provider, failure, invoiceId);
	if (!failure.mayHaveApplied || mapped.category === 'not_found') return mapped;
	// A write attempt may have been applied and no answer shows whether: say so, and let a stopped
	// run name the invoice (see stoppedRunNote).
	const message = /is unknown/.test(mapped.message) ? mapped.message : `${mapped.message}. ${UNKNOWN}`;
	return new RevertFailure(mapped.category, message, { ...mapped.details, resultUnknown: true });
}

/** The words for a write whose result no answer showed. */
const UNKNOWN = 'Whether a change was applied is unknown: run the node again (a re-run is safe and tells)';

function describeFailure(provider: Provider, failure: TransportFailure, invoiceId: string): RevertFailure {
	const { name, noun } = provider;
	const response = failure.response;
	if (!response && failure.authProblem) {
		return new RevertFailure(
			'authentication',
			`${name}: the credential could not be used (${failure.authProblem}); reconnect the credential`,
			{ httpCode: null },
		);
	}
	if (!response && failure.refusedWaitSeconds !== undefined) {
		// Held back by the credential's pace: the vendor's limit gives the request its turn this late.
		return new RevertFailure('rate_limited', rateLimitedMessage(provider, invoiceId, failure.refusedWaitSeconds, failure.refusedBy), {
			httpCode: null,
			vendor: { vendorCode: null, vendorMessage: null, requestId: null },
			retryAfterSeconds: failure.refusedWaitSeconds,
		});
	}
	if (!response) {
		const timedOut = /TIMEDOUT|ECONNABORTED|timeout/i.test(failure.networkCode ?? '');
		let message = `${name}: could not reach the ${name} API for ${noun} ${invoiceId}; check the network or the credential's base URL, then run again (a re-run is safe)`;
		if (timedOut) {
			message = `${name}: no answer in time for ${noun} ${invoiceId}; whether a change was applied is unknown, run the node again (a re-run is safe)`;
		} else if (failure.mayHaveApplied) {
			message = `${name}: the connection broke after the request for ${noun} ${invoiceId} was sent; whether a change was applied is unknown, run the node again (a re-run is safe)`;
		}
		return new RevertFailure('network', message, {
			httpCode: null,
			vendor: { vendorCode: failure.networkCode ?? null, vendorMessage: null, requestId: null },
		});
	}

	const status = response.statusCode;
	if (response.oversized) return oversizedFailure(provider, response.statusCode, response.oversized);
	const vendor = provider.parseError(response);
	if (status >= 300 && status < 400) {
		return new RevertFailure(
			'unexpected_response',
			`${name}: the API answered with a redirect (HTTP ${status}) instead of data; ${checkSetup(provider)}`,
			{ httpCode: status, vendor: { ...vendor, vendorMessage: response.headers.location ? `Location: ${response.headers.location}` : vendor.vendorMessage } },
		);
	}
	if (!looksLikeVendorJson(response) && !response.bodyLost && status < 500 && !DECISIVE.includes(status)) {
		return new RevertFailure(
			'unexpected_response',
			`${name}: the API answered with ${/<html|<!doctype/i.test(response.text) ? 'an HTML page' : 'a non-JSON body'} (HTTP ${status}) instead of ${name} data; ${checkSetup(provider)}`,
			{ httpCode: status, vendor: { ...vendor, vendorMessage: textExcerpt(response.text) } },
		);
	}

	let category: Category = status >= 500 ? 'vendor_error' : (HTTP_CATEGORY[status] ?? 'validation');
	// A wait longer than the user allows is a rate limit whatever the status that asked for it.
	if (failure.refusedWaitSeconds !== undefined) category = 'rate_limited';
	const retryAfter =
		category === 'rate_limited' ? (failure.refusedWaitSeconds ?? provider.retryAfterSeconds(response, Date.now())) : undefined;
	if (!looksLikeVendorJson(response)) vendor.vendorMessage = vendor.vendorMessage ?? textExcerpt(response.text);
	const said = vendor.vendorMessage ? `: ${vendor.vendorMessage}` : '';
	const messages: Record<Category, string> = {
		invalid_input: `${name}: the ${noun} ID ${invoiceId} was refused${said}`,
		authentication: `${name}: the credentials were refused (HTTP ${status})${said}. Check or reconnect the credential`,
		permission: `${name}: the credential is not allowed to do this for ${noun} ${invoiceId}${said}. ${capitalise(provider.permissionHint)}`,
		not_found: `${name}: ${noun} ${invoiceId} was not found; check the ID and that the credential belongs to the right ${provider.tenant}`,
		invalid_state: `${name}: ${noun} ${invoiceId} cannot be reverted now (HTTP ${status})${said}`,
		validation: `${name}: the request for ${noun} ${invoiceId} was refused (HTTP ${status})${said}`,
		rate_limited: rateLimitedMessage(provider, invoiceId, retryAfter, failure.refusedBy),
		vendor_error: `${name}: the ${name} API failed (HTTP ${status}) after the retries${said}. Try again later; a re-run is safe`,
		network: `${name}: the connection failed for ${noun} ${invoiceId}; run again (a re-run is safe)`,
		unexpected_response: `${name}: the API answered HTTP ${status}, which it does not document here${said}; ${checkSetup(provider)}`,
		unsupported: `${name}: the API cannot do this for ${noun} ${invoiceId} (HTTP ${status})${said}`,
	};
	return new RevertFailure(category, messages[category], {
		httpCode: status,
		vendor,
		retryAfterSeconds: retryAfter,
	});
}

/** An answer far larger than one invoice: not the vendor's (a proxy, a download, another service). */
function oversizedFailure(
	provider: Provider,
	status: number,
	{ limitBytes, announcedBytes }: { limitBytes: number; announcedBytes?: number },
): RevertFailure {
	const { name, noun } = provider;
	const size =
		announcedBytes !== undefined
			? `of ${megabytes(announcedBytes)}, more than the ${megabytes(limitBytes)} the node reads`
			: `larger than ${megabytes(limitBytes)}, so the node stopped reading it`;
	return new RevertFailure(
		'unexpected_response',
		`${name}: the API answered HTTP ${status} with a body ${size}; one ${noun} is a few kB. ${capitalise(checkSetup(provider))}: it must point at the ${name} API, not at a proxy, a download or another service`,
		{ httpCode: status, vendor: { vendorCode: null, vendorMessage: null, requestId: null } },
	);
}

function megabytes(bytes: number): string {
	const mb = bytes / (1024 * 1024);
	return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** The vendor "asks" only when its answer said how long; a wait of the pace says what set it. */
function rateLimitedMessage({ name, noun }: Provider, invoiceId: string, retryAfter: number | undefined, heldBy: HeldBy = 'asked'): string {
	const s = retryAfter !== undefined ? Math.ceil(retryAfter) : undefined;
	const held: Record<HeldBy, string> = {
		asked: `${name} asks to wait ${s} s`,
		backoff: `${name} answered 429 without saying how long to wait, and the credential's requests wait ${s} s`,
		quota: `the quota ${name} reports for this window is used up; it resets in ${s} s`,
		learned: `the credential's rate limit (learned from ${name}'s earlier 429) gives this request its turn in ${s} s, later than Max Retry Wait allows`,
	};
	const wait = s !== undefined ? `; ${held[heldBy]}` : ' after the retries';
	return `${name}: rate limit reached for ${noun} ${invoiceId}${wait}. Run again later, lower Concurrency, or raise Max Retry Wait (Seconds)`;
}

/** Where to look when the answer did not come from the vendor's API. */
export function checkSetup(provider: Provider): string {
	const base = "check the credential's environment and base URL";
	return provider.setupHint ? `${base}; ${provider.setupHint}` : base;
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface ErrorItemJson extends IDataObject {
	message: string;
	description: string;
	category: Category;
	httpCode: string | null;
	provider: string;
	invoiceId: string;
	vendorCode: string | null;
	vendorMessage: string | null;
	requestId: string | null;
}

export function describe(failure: RevertFailure): string {
	const vendor = failure.details.vendor;
	const parts = [`Category: ${failure.category}`];
	if (vendor?.vendorCode) parts.push(`Vendor code: ${vendor.vendorCode}`);
	if (vendor?.vendorMessage) parts.push(`Vendor message: ${vendor.vendorMessage}`);
	if (vendor?.requestId) parts.push(`Request ID: ${vendor.requestId}`);
	if (failure.details.retryAfterSeconds !== undefined) {
		parts.push(`Retry after: ${Math.ceil(failure.details.retryAfterSeconds)} s`);
	}
	if (failure.details.hint) parts.push(failure.details.hint);
	return parts.join(' · ');
}

export function errorItemJson(failure: RevertFailure, provider: string, invoiceId: string): ErrorItemJson {
	const vendor = failure.details.vendor;
	const json: ErrorItemJson = {
		message: failure.message,
		description: describe(failure),
		category: failure.category,
		httpCode: failure.details.httpCode ? String(failure.details.httpCode) : null,
		provider,
		invoiceId,
		vendorCode: vendor?.vendorCode ?? null,
		vendorMessage: vendor?.vendorMessage ?? null,
		requestId: vendor?.requestId ?? null,
	};
	if (failure.category === 'rate_limited') {
		json.retryAfterSeconds =
			failure.details.retryAfterSeconds === undefined ? null : Math.ceil(failure.details.retryAfterSeconds);
	}
	return json;
}

/** The n8n error thrown when the user did not choose to continue. */
export function toNodeError(node: INode, item: ErrorItemJson, itemIndex: number): NodeApiError | NodeOperationError {
	if (item.httpCode === null && ['invalid_input', 'unsupported', 'invalid_state', 'authentication'].includes(item.category)) {
		const error = new NodeOperationError(node, item.message, { description: item.description, itemIndex });
		Object.assign(error.context, { category: item.category, provider: item.provider, invoiceId: item.invoiceId });
		return error;
	}
	// A fresh error from our own sanitized fields: the helper's error carries request headers.
	const error = new NodeApiError(node, { ...item } as JsonObject, {
		message: item.message,
		description: item.description,
		httpCode: item.httpCode ?? undefined,
		itemIndex,
	});
	// NodeApiError rewrites messages that contain network codes; keep ours.
	error.message = item.message;
	Object.assign(error.context, {
		category: item.category,
		provider: item.provider,
		invoiceId: item.invoiceId,
		...(item.retryAfterSeconds !== undefined ? { retryAfterSeconds: item.retryAfterSeconds } : {}),
	});
	return error;
}

/** How many invoice IDs a stopped run's error lists before "and N more". */
const LISTED = 50;

/** Invoice IDs for a message: the first LISTED, then how many more. */
export function listIds(ids: string[]): string {
	const more = ids.length > LISTED ? ` and ${ids.length - LISTED} more` : '';
	return `${ids.slice(0, LISTED).join(', ')}${more}`;
}

/**
 * What a run that stops on an error has already done: n8n discards every output item of a node
 * that throws, so the error itself must name what this run changed (`changed`: the operation's
 * note, see Operation.changes), what it may have changed (`unknown`: writes that no answer
 * confirmed) and what it never started.
 */
export function stoppedRunNote(changed: string | undefined, notStarted: number, unknown?: string): string | undefined {
	const parts: string[] = [];
	if (changed) parts.push(changed);
	if (unknown) parts.push(unknown);
	if (notStarted) parts.push(`Not started: ${notStarted} item${notStarted === 1 ? '' : 's'} (nothing was sent for them)`);
	return parts.length ? parts.join(' · ') : undefined;
}
