import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import { safeBaseUrl } from '../../credentials/urlGuard';
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
/**
 * The largest answer body the node reads. An invoice is a few kB; megabytes are not a vendor's
 * answer about one invoice (a proxy's download page, a wrong endpoint, an inlined attachment), and
 * reading them whole would hold them in n8n's memory once per item in flight.
 */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

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
				// Held back before sending: keep what an earlier attempt of this item got, and why.
				return new TransportFailure(last, undefined, undefined, ambiguous, ticket.refusedWaitSeconds, ticket.heldBy);
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
		// An oversized answer is not the vendor's: its status says nothing worth a retry.
		if (!RETRY_STATUSES.includes(response.statusCode) || response.oversized) return { answer: { quota }, retry: false, waitMs: 0 };
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
			// A stream, read here within the deadline and up to MAX_BODY_BYTES; parsed here too:
			// vendors answer HTML pages and gateway texts as well.
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			// Every status comes back as an answer, except that n8n 2.x must see an OAuth2 401
			// to refresh the token (n8n 1.x ignores `except`: see below).
			ignoreHttpStatusErrors: oauth2 ? { ignore: true, except: [401] } : true,
			disableFollowRedirect: true,
			// n8n's own (idle) socket timeout; the deadline in `call` bounds the whole exchange.
			timeout: Math.max(1, options.timeoutSeconds) * 1000,
		};
		const first = await this.call(ctx, request, options.timeoutSeconds);
		if (oauth2 && !first.thrown && !(first.answer instanceof TransportFailure) && first.answer.statusCode === 401) {
			// Only n8n 1.x hands an OAuth2 401 back: send again letting it throw, so that n8n refreshes
			// the token and retries. (n8n 2.x threw, refreshed and retried already.)
			return (await this.call(ctx, { ...request, ignoreHttpStatusErrors: false }, options.timeoutSeconds)).answer;
		}
		return first.answer;
	}

	/**
	 * One call of n8n's helper (which may refresh an OAuth2 token and send again) and the reading of
	 * its answer, all within one deadline of `timeoutSeconds`; a cancelled execution stops it too.
	 */
	private async call(
		ctx: IExecuteFunctions,
		request: IHttpRequestOptions,
		timeoutSeconds: number,
	): Promise<{ answer: VendorResponse | TransportFailure; thrown: boolean }> {
		const deadline = AbortSignal.timeout(Math.max(1, timeoutSeconds) * 1000);
		// Aborted by the node itself to drop a connection whose answer it will not read.
		const drop = new AbortController();
		const cancel = ctx.getExecutionCancelSignal?.();
		const signal = AbortSignal.any(cancel ? [deadline, drop.signal, cancel] : [deadline, drop.signal]);
		const stopped = () => new TransportFailure(undefined, deadline.aborted ? 'ETIMEDOUT' : 'ECANCELED', undefined, false);
		// The HTTP client closes the connection when the request's signal aborts; a stream destroyed
		// before it was read would not.
		const release = (body: unknown) => {
			drop.abort();
			if (isStream(body)) body.destroy();
		};
		const pending = ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			this.credentialType,
			withSignal({ ...request, headers: { ...request.headers } }, signal),
		) as Promise<RawAnswer>;
		let raw: RawAnswer | TransportFailure;
		let thrown = false;
		try {
			raw = await untilAborted(pending, signal);
		} catch (error) {
			thrown = true;
			if (signal.aborted) {
				// Parts of n8n's helper ignore the signal (an OAuth2 token refresh): drop a late answer.
				void pending.then((late) => release(late.body), () => undefined);
				return { answer: stopped(), thrown };
			}
			raw = fromError(error);
		}
		if (raw instanceof TransportFailure) return { answer: raw, thrown };
		try {
			return { answer: await readAnswer(raw, signal, release), thrown };
		} catch (error) {
			// The body was cut: by the deadline, a cancellation, or the connection.
			const cut = new TransportFailure(undefined, findNetworkCode(chain(error)) ?? 'ECONNRESET', undefined, false);
			return { answer: signal.aborted ? stopped() : cut, thrown };
		}
	}
}

/**
 * n8n's helper replaces `abortSignal` with the execution's cancel signal (n8n-core 1.x and 2.x),
 * which would drop the deadline. The request's signal already includes that cancel signal; any
 * other signal n8n sets is added to it.
 */
function withSignal(request: IHttpRequestOptions, ours: AbortSignal): IHttpRequestOptions {
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

/** The helper's answer, or the signal's reason as soon as it aborts, whichever comes first. */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
	let stop: (() => void) | undefined;
	const aborted = new Promise<never>((_resolve, reject) => {
		stop = () => reject(signal.reason);
		if (signal.aborted) stop();
		else signal.addEventListener('abort', stop, { once: true });
	});
	try {
		return await Promise.race([work, aborted]);
	} finally {
		if (stop) signal.removeEventListener('abort', stop);
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

/** An answer whose body is still to be read: a stream, or what n8n kept of the body. */
interface RawAnswer {
	statusCode: number;
	headers: unknown;
	body: unknown;
	bodyLost?: boolean;
}

/** A response body as axios hands it over with `encoding: 'stream'`. */
interface BodyStream extends AsyncIterable<unknown> {
	destroy(error?: Error): void;
}

const TOO_LARGE = Symbol('too large');

function isStream(body: unknown): body is BodyStream {
	return (
		typeof body === 'object' &&
		body !== null &&
		typeof (body as Partial<BodyStream>).destroy === 'function' &&
		typeof (body as Partial<BodyStream>)[Symbol.asyncIterator] === 'function'
	);
}

/**
 * The answer with its body read: at most MAX_BODY_BYTES, and stopped when the signal aborts.
 * `release` drops the connection of an answer that is not read to its end.
 */
async function readAnswer(raw: RawAnswer, signal: AbortSignal, release: (body: unknown) => void): Promise<VendorResponse> {
	const headers = plainHeaders(raw.headers);
	const length = headers['content-length'];
	const announced = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
	const body = await readBody(raw.body, announced, signal, release);
	if (body === TOO_LARGE) {
		return {
			statusCode: raw.statusCode,
			headers,
			json: undefined,
			text: '',
			oversized: { limitBytes: MAX_BODY_BYTES, ...(announced !== undefined && announced > MAX_BODY_BYTES ? { announcedBytes: announced } : {}) },
		};
	}
	const response = toVendorResponse(raw.statusCode, headers, body);
	return raw.bodyLost ? { ...response, bodyLost: true } : response;
}

async function readBody(
	body: unknown,
	announced: number | undefined,
	signal: AbortSignal,
	release: (body: unknown) => void,
): Promise<unknown> {
	if (isStream(body)) {
		if (announced !== undefined && announced > MAX_BODY_BYTES) {
			release(body);
			return TOO_LARGE;
		}
		return await readStream(body, signal, release);
	}
	// What n8n kept of a thrown answer (n8n 1.x) is in memory already, but it is not the vendor's either.
	const size = typeof body === 'string' ? Buffer.byteLength(body) : Buffer.isBuffer(body) ? body.length : 0;
	return size > MAX_BODY_BYTES ? TOO_LARGE : body;
}

async function readStream(
	stream: BodyStream,
	signal: AbortSignal,
	release: (body: unknown) => void,
): Promise<string | typeof TOO_LARGE> {
	const stop = () => stream.destroy(new Error('the request was stopped (timeout or cancelled execution)'));
	if (signal.aborted) stop();
	else signal.addEventListener('abort', stop, { once: true });
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of stream) {
			const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
			size += bytes.length;
			if (size > MAX_BODY_BYTES) {
				signal.removeEventListener('abort', stop);
				release(stream);
				return TOO_LARGE;
			}
			chunks.push(bytes);
		}
	} finally {
		signal.removeEventListener('abort', stop);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** The error chain n8n builds: NodeApiError, its `cause` (n8n 2.x), the HTTP client's error. */
function chain(error: unknown): IDataObject[] {
	const links: IDataObject[] = [];
	for (let current = error; isObject(current) && links.length < 5; current = current.cause) links.push(current);
	return links;
}

/**
 * What a thrown error says. n8n 2.x keeps the HTTP client's error (with the full response, its body
 * still a stream) as `cause`; n8n 1.x keeps only the status and the body (here a stream too). An
 * OAuth2 token refresh that failed throws the OAuth client's error (code EAUTH or ESTATUS), which
 * is not the vendor's.
 */
function fromError(error: unknown): RawAnswer | TransportFailure {
	const links = chain(error);
	for (const link of links) {
		const response = link.response;
		if (isObject(response) && typeof response.status === 'number') {
			return { statusCode: response.status, headers: response.headers, body: response.data };
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
		// n8n 1.x keeps the body in context.data; otherwise the body is gone (the description is
		// n8n's own text, e.g. after it refreshed an OAuth2 token and resent): the status decides.
		if (context.data === undefined) return { statusCode: status, headers: {}, body: '', bodyLost: true };
		return { statusCode: status, headers: {}, body: context.data };
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
