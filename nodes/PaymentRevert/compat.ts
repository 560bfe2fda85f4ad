/**
 * Every difference between the n8n versions the node runs in (1.x and 2.x), and what n8n's
 * request helper does that the node must undo or read back, in one place. Nothing else in the
 * node knows which n8n it runs in.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, ILoadOptionsFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { isObject } from './providers/parse';
import type { VendorResponse } from './providers/types';
import { failed, ok, type Result } from './result';
import { NETWORK_CODES } from './transport/retry';
import type { RawAnswer } from './transport/body';

/** What a call of n8n's helper came to when it threw without a vendor answer. */
export interface NoAnswer {
	networkCode?: string;
	/** The credential itself failed before any answer (an OAuth2 refresh refused). */
	authProblem?: string;
	/** The answer's status and headers came, its body was cut (`networkCode` says how). */
	cut?: VendorResponse;
}

/**
 * n8n 2.x's `sleep` takes a signal and rejects when it aborts; n8n 1.x's ignores it, so the wait
 * ends when the signal aborts all the same.
 */
export async function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
	const wait = (sleep as (ms: number, signal?: AbortSignal) => Promise<void>)(ms, signal);
	await (signal ? untilAborted(wait, signal) : wait);
}

/** The work's result, or the signal's reason as soon as it aborts, whichever comes first. */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
	let stop: (() => void) | undefined;
	const aborted = new Promise<never>((_resolve, reject) => {
		stop = () => reject(signal.reason instanceof Error ? signal.reason : new Error('The execution was cancelled'));
		if (signal.aborted) stop();
		else signal.addEventListener('abort', stop, { once: true });
	});
	// A work that rejects after the abort won is handled.
	work.catch(() => {});
	try {
		return await Promise.race([work, aborted]);
	} finally {
		if (stop) signal.removeEventListener('abort', stop);
	}
}

/**
 * A failed item on the output: `error` as the only key. n8n 1.x routes an item to the error output
 * by its json's shape only when `error` is its sole key; both versions replace the json with the
 * bare message when the item's own `error` field is set, so that field stays unset.
 */
export function errorOutputJson(error: IDataObject): IDataObject {
	return { error };
}

/** The execution's cancel signal, where the n8n version has one (the editor's list searches have none). */
export function cancelSignal(ctx: IExecuteFunctions | ILoadOptionsFunctions): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;
}

/**
 * Which statuses n8n's helper hands back as answers: every one, except that n8n 2.x must see an
 * OAuth2 401 to refresh the token (n8n 1.x ignores `except` and hands the 401 back: see
 * `resendToRefresh`).
 */
export function statusHandling(oauth2: boolean): IHttpRequestOptions['ignoreHttpStatusErrors'] {
	return oauth2 ? { ignore: true, except: [401] } : true;
}

/**
 * Only n8n 1.x hands an OAuth2 401 back: the request is sent again letting it throw, so that n8n
 * refreshes the token and retries (n8n 2.x threw, refreshed and retried already).
 */
export function resendToRefresh(oauth2: boolean, thrown: boolean, status: number | undefined): Partial<IHttpRequestOptions> | undefined {
	return oauth2 && !thrown && status === 401 ? { ignoreHttpStatusErrors: false } : undefined;
}

/**
 * n8n's helper replaces `abortSignal` with the execution's cancel signal (n8n-core 1.x and 2.x),
 * which would drop the node's deadline. The request's signal already includes that cancel signal;
 * any other signal n8n sets is added to it.
 */
export function withSignal(request: IHttpRequestOptions, ours: AbortSignal): IHttpRequestOptions {
	let signal = ours;
	Object.defineProperty(request, 'abortSignal', {
		enumerable: true,
		configurable: true,
		get: () => signal,
		set: (other: unknown) => {
			signal = other instanceof AbortSignal ? AbortSignal.any([ours, other]) : ours;
		},
	});
	return request;
}

/** The error chain n8n builds: NodeApiError, its `cause` (n8n 2.x), the HTTP client's error. */
function chain(error: unknown): IDataObject[] {
	const links: IDataObject[] = [];
	for (let current = error; isObject(current) && links.length < 5; current = current.cause) links.push(current);
	return links;
}

/**
 * What a thrown error says: the vendor's answer, or why there was none. n8n 2.x keeps the HTTP
 * client's error (with the full response, its body still a stream) as `cause`; n8n 1.x keeps only
 * the status and the body (here a stream too). An OAuth2 token refresh that failed throws the
 * OAuth client's error (code EAUTH or ESTATUS), which is not the vendor's.
 */
export function answerOfThrown(error: unknown): Result<RawAnswer, NoAnswer> {
	const links = chain(error);
	for (const link of links) {
		const response = link.response;
		if (isObject(response) && typeof response.status === 'number') {
			return ok({ statusCode: response.status, headers: response.headers, body: response.data });
		}
	}
	const authProblem = findAuthProblem(links);
	if (authProblem) return failed({ authProblem });
	const networkCode = findNetworkCode(links);
	if (networkCode) return failed({ networkCode });
	const top = links[0];
	const status = Number(top?.httpCode);
	if (top && Number.isInteger(status) && status >= 100) {
		const context = isObject(top.context) ? top.context : {};
		// n8n 1.x keeps the body in context.data; otherwise the body is gone (the description is
		// n8n's own text, e.g. after it refreshed an OAuth2 token and resent): the status decides.
		if (context.data === undefined) return ok({ statusCode: status, headers: {}, body: '', bodyLost: true });
		return ok({ statusCode: status, headers: {}, body: context.data });
	}
	return failed({});
}

/** The network code behind an error that cut a body short, where it names one. */
export function networkCodeOf(error: unknown): string | undefined {
	return findNetworkCode(chain(error));
}

/** n8n replaces network error messages with these texts; map them back to their codes. */
const DESCRIBED_CODES: Array<[RegExp, string]> = [
	[/refused the connection/i, 'ECONNREFUSED'],
	[/closed unexpectedly|socket hang up/i, 'ECONNRESET'],
	[/incorrect host/i, 'ENOTFOUND'],
	[/timed out|timeout of \d+ms exceeded/i, 'ETIMEDOUT'],
	[/connection was aborted/i, 'ECONNABORTED'],
	[/host is unreachable/i, 'EHOSTUNREACH'],
	[/DNS server returned an error/i, 'EAI_AGAIN'],
];

function texts(link: IDataObject): string[] {
	return [link.message, ...(Array.isArray(link.messages) ? link.messages : [])].filter(
		(t): t is string => typeof t === 'string',
	);
}

function findNetworkCode(links: IDataObject[]): string | undefined {
	for (const link of links) {
		for (const code of [link.code, link.httpCode]) {
			if (typeof code === 'string' && NETWORK_CODES.includes(code)) return code;
		}
		for (const text of texts(link)) {
			const named = /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(text);
			if (named && NETWORK_CODES.includes(named[1])) return named[1];
			const described = DESCRIBED_CODES.find(([pattern]) => pattern.test(text));
			if (described) return described[1];
		}
	}
	return undefined;
}

/** A failure of the credential itself before any vendor answer (e.g. an OAuth2 refresh refused). */
function findAuthProblem(links: IDataObject[]): string | undefined {
	for (const link of links) {
		const oauthCode = [link.code, link.httpCode].some((c) => c === 'EAUTH' || c === 'ESTATUS');
		const text = texts(link).find((t) => /oauth|refresh token|access token|authorization grant|^HTTP status \d{3}$/i.test(t));
		if (oauthCode || text) return text ?? texts(link)[0] ?? 'the OAuth2 token could not be refreshed';
	}
	return undefined;
}
