import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import { RevertFailure, TransportFailure } from './errors';
import { paceFor, type Answer, type Pace } from './pace';
import { credentialTypeOf, type Provider, type RequestSpec, type VendorResponse } from './providers';
import { isObject } from './providers/parse';
import { Redactor } from './secrets';

export interface TransportOptions {
	maxRetries: number;
	maxRetryWaitSeconds: number;
	timeoutSeconds: number;
}

interface Verdict {
	answer: Answer;
	retry: boolean;
	/** The wait the vendor asked, in seconds. */
	asked?: number;
	/** The wait before a retry: the vendor's, or a backoff. */
	waitMs: number;
}

export interface Exchange {
	response: VendorResponse;
	/** A write attempt before this one may have been applied (timeout, reset, 5xx). */
	ambiguous: boolean;
	/** Set when the vendor asked to wait longer than maxRetryWaitSeconds: nothing more was tried. */
	refusedWaitSeconds?: number;
}

const RETRY_STATUSES = [429, 502, 503, 504];
/** Socket failures worth another try. */
const NETWORK_CODES = ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ESOCKETTIMEDOUT'];
/** Of those, the ones where a request may have reached the vendor before the failure. */
const MAYBE_DELIVERED = ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKETTIMEDOUT'];
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Only https, or plain http to this machine: a credential must not send secrets in clear. */
export function safeBaseUrl(raw: string): string | undefined {
	let url: URL;
	try {
		url = new URL(raw.trim());
	} catch {
		return undefined;
	}
	const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
	if (!allowed || url.username || url.password || url.search || url.hash) return undefined;
	return url.toString().replace(/\/+$/, '');
}

/** The URL for a message: never its user, password or query, which may hold secrets. */
function shownUrl(raw: string, redactor: Redactor): string {
	try {
		const url = new URL(raw.trim());
		return ` "${redactor.text(`${url.protocol}//${url.host}${url.pathname}`)}"`;
	} catch {
		return '';
	}
}

/** One vendor connection per execution: credential, fixed base URL, redaction of its secrets, pace. */
export class Connection {
	private constructor(
		readonly provider: Provider,
		readonly credentialType: string,
		readonly baseUrl: string,
		private readonly headers: Record<string, string>,
		readonly redactor: Redactor,
		private readonly pace: Pace,
		private readonly concurrency: number,
	) {}

	/** `concurrency`: how many requests this execution may have in flight. */
	static async open(
		ctx: IExecuteFunctions,
		provider: Provider,
		authentication: string,
		concurrency = 1,
	): Promise<Connection> {
		const credentialType = credentialTypeOf(provider, authentication);
		const credentials = await ctx.getCredentials(credentialType).catch(() => undefined);
		if (!credentials) {
			throw new RevertFailure(
				'authentication',
				`${provider.name}: no usable credential of type "${credentialType}" is selected; choose or create one in the node`,
			);
		}
		const redactor = new Redactor(provider.secrets(credentials));
		const problem = provider.checkCredentials(credentialType, credentials);
		if (problem) throw new RevertFailure('authentication', `${provider.name}: ${problem}`);
		const rawBase = provider.baseUrl(credentials);
		const baseUrl = safeBaseUrl(rawBase);
		if (!baseUrl) {
			throw new RevertFailure(
				'authentication',
				`${provider.name}: the credential's base URL${shownUrl(rawBase, redactor)} is not allowed; use https:// (or http:// only to localhost) without user, password, query or fragment`,
			);
		}
		const headers = { Accept: 'application/json', ...provider.extraHeaders(credentialType, credentials) };
		// The vendor counts the credential's requests, not one execution's: every item, node and
		// execution of this n8n process that uses this credential and base URL shares its pace.
		// The key names the credential; it holds no secret.
		const credential = ctx.getNode().credentials?.[credentialType];
		const key = [credentialType, credential?.id ?? credential?.name ?? '', baseUrl].join('\n');
		const pace = paceFor(key);
		return new Connection(provider, credentialType, baseUrl, headers, redactor, pace, concurrency);
	}

	/**
	 * Sends one request, retrying what the vendor or the network says is temporary. Returns the
	 * vendor's final answer whatever its status, or a failure when there was no answer.
	 * `followUp`: the item already had an answer (its read): the pace serves it first.
	 */
	async send(
		ctx: IExecuteFunctions,
		spec: RequestSpec,
		options: TransportOptions,
		followUp = false,
	): Promise<Exchange | TransportFailure> {
		let ambiguous = false;
		let last: VendorResponse | undefined;
		// Waits end when this item's own execution is cancelled; the other executions' go on.
		const signal = ctx.getExecutionCancelSignal?.();
		const turn = {
			maxWaitSeconds: options.maxRetryWaitSeconds,
			signal,
			since: Date.now(),
			followUp,
			concurrency: this.concurrency,
		};
		for (let attempt = 0; ; attempt++) {
			// Waiting for the turn is not an attempt: only a request sent counts against Max Retries.
			const ticket = await this.pace.admit(turn);
			if (!('done' in ticket)) {
				// Held back before sending: keep what an earlier attempt of this item got.
				if (last) return { response: last, ambiguous, refusedWaitSeconds: ticket.refusedWaitSeconds };
				return new TransportFailure(undefined, undefined, undefined, ambiguous, ticket.refusedWaitSeconds);
			}
			let response: VendorResponse | TransportFailure | undefined;
			let verdict: Verdict | undefined;
			try {
				response = await this.once(ctx, spec, options);
				if (!(response instanceof TransportFailure)) verdict = this.verdict(response, attempt, options);
			} finally {
				// Every turn ends, with what the answer told of the limit (nothing without an answer).
				ticket.done(verdict?.answer);
			}
			if (response instanceof TransportFailure) {
				const code = response.networkCode ?? '';
				const retryable = NETWORK_CODES.includes(code);
				if (spec.write && MAYBE_DELIVERED.includes(code)) ambiguous = true;
				if (!retryable || attempt >= options.maxRetries) {
					return new TransportFailure(undefined, response.networkCode, response.authProblem, ambiguous);
				}
				await this.pace.pause(backoffMs(attempt), signal);
				continue;
			}
			const { answer, retry, asked, waitMs } = verdict!;
			if (!retry) return { response, ambiguous };
			last = response;
			if (spec.write && response.statusCode >= 500) ambiguous = true;
			if (asked !== undefined && asked > options.maxRetryWaitSeconds) {
				return { response, ambiguous, refusedWaitSeconds: asked };
			}
			if (attempt >= options.maxRetries) return { response, ambiguous };
			// The pace makes this item wait a 429's asked wait; any other wait is its own.
			if (answer.limitedMs === undefined || asked === undefined) await this.pace.pause(waitMs, signal);
		}
	}

	/** What an answer tells: the pace, of the credential's limit; the retry, whether and how long to wait. */
	private verdict(response: VendorResponse, attempt: number, options: TransportOptions): Verdict {
		const now = Date.now();
		const quota = this.provider.quota?.(response, now);
		if (!RETRY_STATUSES.includes(response.statusCode)) return { answer: { quota }, retry: false, waitMs: 0 };
		const asked = this.provider.retryAfterSeconds(response, now);
		const waitMs = asked !== undefined ? asked * 1000 : backoffMs(attempt);
		if (response.statusCode !== 429) return { answer: { quota }, retry: true, asked, waitMs };
		// A 429 is about the credential's quota: every request waits what the vendor asked, even
		// when this one gives up, and the pace learns the vendor's window from it. Without a
		// figure, the others wait the backoff (within what the user allows) and this item too.
		const limitedMs = asked !== undefined ? waitMs : Math.min(waitMs, options.maxRetryWaitSeconds * 1000);
		return { answer: { quota, limitedMs, asked: asked !== undefined }, retry: true, asked, waitMs };
	}

	private async once(
		ctx: IExecuteFunctions,
		spec: RequestSpec,
		options: TransportOptions,
	): Promise<VendorResponse | TransportFailure> {
		const oauth2 = this.credentialType.toLowerCase().includes('oauth2');
		const request: IHttpRequestOptions = {
			method: spec.method as IHttpRequestMethods,
			url: `${this.baseUrl}${spec.path}`,
			headers: { ...this.headers },
			// Text, parsed here: vendors answer HTML pages and gateway texts too.
			encoding: 'text',
			json: false,
			returnFullResponse: true,
			// Every status comes back as an answer, except that n8n 2.x must see an OAuth2 401
			// to refresh the token (n8n 1.x ignores `except`: see below).
			ignoreHttpStatusErrors: oauth2 ? { ignore: true, except: [401] } : true,
			disableFollowRedirect: true,
			timeout: Math.max(1, options.timeoutSeconds) * 1000,
		};
		const first = await this.call(ctx, request);
		if (oauth2 && !first.thrown && !(first.answer instanceof TransportFailure) && first.answer.statusCode === 401) {
			// Only n8n 1.x hands an OAuth2 401 back: send again letting it throw, so that n8n refreshes
			// the token and retries. (n8n 2.x threw, refreshed and retried already.)
			return (await this.call(ctx, { ...request, ignoreHttpStatusErrors: false })).answer;
		}
		return first.answer;
	}

	private async call(
		ctx: IExecuteFunctions,
		request: IHttpRequestOptions,
	): Promise<{ answer: VendorResponse | TransportFailure; thrown: boolean }> {
		try {
			const full = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, this.credentialType, request)) as {
				statusCode: number;
				headers: unknown;
				body: unknown;
			};
			return { answer: toVendorResponse(full.statusCode, full.headers, full.body), thrown: false };
		} catch (error) {
			return { answer: fromError(error), thrown: true };
		}
	}
}

function backoffMs(attempt: number): number {
	const cap = Math.min(30_000, 500 * 2 ** attempt);
	return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

function plainHeaders(raw: unknown): Record<string, string> {
	const source = isObject(raw) && typeof raw.toJSON === 'function' ? (raw.toJSON as () => unknown)() : raw;
	const headers: Record<string, string> = {};
	if (!isObject(source)) return headers;
	for (const [key, value] of Object.entries(source)) {
		if (value === undefined || value === null) continue;
		headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return headers;
}

function toVendorResponse(statusCode: number, headers: unknown, body: unknown): VendorResponse {
	let text: string;
	if (typeof body === 'string') text = body;
	else if (Buffer.isBuffer(body)) text = body.toString('utf8');
	else if (body === undefined || body === null) text = '';
	else text = JSON.stringify(body);
	let json: unknown;
	if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) json = body;
	else if (text.trim() !== '') {
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
	}
	return { statusCode, headers: plainHeaders(headers), json, text };
}

interface HttpLike {
	status: number;
	headers: unknown;
	data: unknown;
}

/** The error chain n8n builds: NodeApiError, its `cause` (n8n 2.x), the HTTP client's error. */
function chain(error: unknown): IDataObject[] {
	const links: IDataObject[] = [];
	for (let current = error; isObject(current) && links.length < 5; current = current.cause) links.push(current);
	return links;
}

/**
 * What a thrown error says. n8n 2.x keeps the HTTP client's error (with the full response) as
 * `cause`; n8n 1.x keeps only the status and, for JSON objects, the body. An OAuth2 token refresh
 * that failed throws the OAuth client's error (code EAUTH or ESTATUS), which is not the vendor's.
 */
function fromError(error: unknown): VendorResponse | TransportFailure {
	const links = chain(error);
	for (const link of links) {
		const response = link.response;
		if (isObject(response) && typeof response.status === 'number') {
			const http = response as unknown as HttpLike;
			return toVendorResponse(http.status, http.headers, http.data);
		}
	}
	const authProblem = findAuthProblem(links);
	if (authProblem) return new TransportFailure(undefined, undefined, authProblem, false);
	const networkCode = findNetworkCode(links);
	if (networkCode) return new TransportFailure(undefined, networkCode, undefined, false);
	const top = links[0];
	const status = Number(top?.httpCode);
	if (top && Number.isInteger(status) && status >= 100) {
		const context = isObject(top.context) ? top.context : {};
		// n8n 1.x keeps a JSON body in context.data; otherwise the body is gone (the description is
		// n8n's own text, e.g. after it refreshed an OAuth2 token and resent): the status decides.
		if (context.data === undefined) return { ...toVendorResponse(status, {}, ''), bodyLost: true };
		return toVendorResponse(status, {}, context.data);
	}
	return new TransportFailure(undefined, undefined, undefined, false);
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
