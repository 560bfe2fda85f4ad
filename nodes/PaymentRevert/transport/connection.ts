import type { IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions, ILoadOptionsFunctions } from 'n8n-workflow';

import { safeBaseUrl } from '../../../credentials/urlGuard';
import { answerOfThrown, cancelSignal, networkCodeOf, resendToRefresh, statusHandling, untilAborted, withSignal, type NoAnswer } from '../compat';
import { RevertFailure, TransportFailure } from '../errors';
import { credentialTypeOf, type Provider, type RequestSpec, type VendorResponse } from '../providers';
import { failed, ok, type Result } from '../result';
import { isOAuth2, Redactor } from '../secrets';
import { cutAnswer, isStream, readAnswer, type RawAnswer } from './body';
import { paceFor, type Answer, type HeldBy, type Pace } from './pace';
import { retryDecision, type RetryDecision } from './retry';

/** Where requests are sent from: a run, or the editor loading a list (both have the credential and n8n's HTTP helper). */
export type VendorContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface TransportOptions {
	maxRetries: number;
	maxRetryWaitSeconds: number;
	timeoutSeconds: number;
}

/** The vendor's final answer to one request, whatever its status. */
export interface Exchange {
	response: VendorResponse;
	/** A write attempt before this answer may have been applied (timeout, reset, 5xx). */
	mayHaveApplied: boolean;
	/** Set when the vendor asked to wait longer than maxRetryWaitSeconds: nothing more was tried. */
	refusedWaitSeconds?: number;
	/** Set when the credential's pace then held the next attempt back: what held it. */
	refusedBy?: HeldBy;
}

type Attempt = Result<VendorResponse, NoAnswer>;

/**
 * What the vendor's rate limit cost one item of a run, counted as its requests go (the run's
 * execution hints show it; before, waits that succeeded were not visible).
 */
export interface LimitTally {
	/** How long the vendor's limit held its requests back: a 429's wait, a used-up quota, a learned window. */
	waitedMs: number;
	/** The 429 answers its requests got. */
	limited: number;
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
		ctx: VendorContext,
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
	 * Sends one request, retrying what the vendor or the network says is temporary (see retry.ts).
	 * The vendor's final answer whatever its status, or a failure when there was none.
	 * `followUp`: the item already had an answer (its read): the pace serves it first.
	 * `tally`: the item's, where the vendor's limit made it wait is added.
	 */
	async send(
		ctx: VendorContext,
		spec: RequestSpec,
		options: TransportOptions,
		followUp = false,
		tally?: LimitTally,
	): Promise<Result<Exchange, TransportFailure>> {
		let mayHaveApplied = false;
		let last: VendorResponse | undefined;
		// Waits end when this item's own execution is cancelled; the other executions' go on.
		const signal = cancelSignal(ctx);
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
			// (A refused request's wait shows as its refusal.)
			if (tally && 'done' in ticket) tally.waitedMs += ticket.heldMs ?? 0;
			if (!('done' in ticket)) {
				// Held back before sending: keep what an earlier attempt of this item got, and why.
				const { refusedWaitSeconds, heldBy } = ticket;
				if (last) return ok({ response: last, mayHaveApplied, refusedWaitSeconds, refusedBy: heldBy });
				return failed(new TransportFailure(undefined, undefined, undefined, mayHaveApplied, refusedWaitSeconds, heldBy));
			}
			let result: Attempt;
			let decision: RetryDecision;
			let told: Answer | undefined;
			try {
				result = await this.once(ctx, spec, options);
				({ decision, told } = this.judge(result, attempt, options, spec.write));
			} finally {
				// Every turn ends, with what the answer told of the limit (nothing without an answer).
				ticket.done(told);
			}
			mayHaveApplied ||= decision.mayHaveApplied;
			if (tally && told?.limitedMs !== undefined) tally.limited += 1;
			if (!result.ok) {
				const { networkCode, authProblem, cut } = result.failure;
				// A write's 2xx whose body was cut is an answer that cannot be read: the gateway confirms it.
				if (!decision.retry && cut && spec.write && cut.statusCode >= 200 && cut.statusCode < 300) return ok({ response: cut, mayHaveApplied });
				if (!decision.retry) return failed(new TransportFailure(undefined, networkCode, authProblem, mayHaveApplied));
			} else if (!decision.retry) {
				const { refusedWaitSeconds, refusedBy } = decision;
				return ok({
					response: result.value,
					mayHaveApplied,
					...(refusedWaitSeconds !== undefined ? { refusedWaitSeconds } : {}),
					...(refusedBy !== undefined ? { refusedBy } : {}),
				});
			} else last = result.value;
			if (decision.waitMs !== undefined) {
				// After a 429 without a figure, the item's own backoff is a wait for the vendor's limit too.
				const from = Date.now();
				await this.pace.pause(decision.waitMs, signal);
				if (tally && told?.limitedMs !== undefined) tally.waitedMs += Date.now() - from;
			}
		}
	}

	/** What an attempt means: for the retry (the policy), and for the pace (the credential's limit). */
	private judge(result: Attempt, attempt: number, options: TransportOptions, write: boolean): { decision: RetryDecision; told?: Answer } {
		const base = { attempt, maxRetries: options.maxRetries, maxRetryWaitSeconds: options.maxRetryWaitSeconds, write };
		if (!result.ok) {
			const { networkCode, cut } = result.failure;
			return { decision: retryDecision({ ...base, networkCode, ...(cut ? { answer: { status: cut.statusCode, cut: true } } : {}) }) };
		}
		const response = result.value;
		const now = Date.now();
		const decision = retryDecision({
			...base,
			answer: {
				status: response.statusCode,
				oversized: response.oversized !== undefined,
				askedWaitSeconds: this.provider.retryAfterSeconds(response, now),
			},
		});
		const quota = this.provider.quota?.(response, now);
		const told: Answer = decision.holdMs === undefined ? { quota } : { quota, limitedMs: decision.holdMs, asked: decision.asked };
		return { decision, told };
	}

	private async once(ctx: VendorContext, spec: RequestSpec, options: TransportOptions): Promise<Attempt> {
		const oauth2 = isOAuth2(this.credentialType);
		const request: IHttpRequestOptions = {
			method: spec.method as IHttpRequestMethods,
			url: `${this.baseUrl}${spec.path}`,
			headers: { ...this.headers },
			// A stream, read here within the deadline and up to MAX_BODY_BYTES; parsed here too:
			// vendors answer HTML pages and gateway texts as well.
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: statusHandling(oauth2),
			disableFollowRedirect: true,
			// n8n's own (idle) socket timeout; the deadline in `call` bounds the whole exchange.
			timeout: Math.max(1, options.timeoutSeconds) * 1000,
		};
		if (spec.body !== undefined) {
			request.body = JSON.stringify(spec.body);
			request.headers = { ...request.headers, 'Content-Type': 'application/json' };
		}
		const first = await this.call(ctx, request, options.timeoutSeconds);
		const again = resendToRefresh(oauth2, first.thrown, first.answer.ok ? first.answer.value.statusCode : undefined);
		if (again) return (await this.call(ctx, { ...request, ...again }, options.timeoutSeconds)).answer;
		return first.answer;
	}

	/**
	 * One call of n8n's helper (which may refresh an OAuth2 token and send again) and the reading of
	 * its answer, all within one deadline of `timeoutSeconds`; a cancelled execution stops it too.
	 */
	private async call(
		ctx: VendorContext,
		request: IHttpRequestOptions,
		timeoutSeconds: number,
	): Promise<{ answer: Attempt; thrown: boolean }> {
		const deadline = AbortSignal.timeout(Math.max(1, timeoutSeconds) * 1000);
		// Aborted by the node itself to drop a connection whose answer it will not read.
		const drop = new AbortController();
		const cancel = cancelSignal(ctx);
		const signal = AbortSignal.any(cancel ? [deadline, drop.signal, cancel] : [deadline, drop.signal]);
		const stopped = (): Attempt => failed({ networkCode: deadline.aborted ? 'ETIMEDOUT' : 'ECANCELED' });
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
		let raw: Result<RawAnswer, NoAnswer>;
		let thrown = false;
		try {
			raw = ok(await untilAborted(pending, signal));
		} catch (error) {
			thrown = true;
			if (signal.aborted) {
				// Parts of n8n's helper ignore the signal (an OAuth2 token refresh): drop a late answer.
				void pending.then((late) => release(late.body), () => undefined);
				return { answer: stopped(), thrown };
			}
			raw = answerOfThrown(error);
		}
		if (!raw.ok) return { answer: raw, thrown };
		try {
			return { answer: ok(await readAnswer(raw.value, signal, release)), thrown };
		} catch (error) {
			// The body was cut: by the deadline, a cancellation, or the connection. The status came:
			// a 2xx to a write was most likely applied (see retry.ts).
			const cut = signal.aborted ? stopped() : failed({ networkCode: networkCodeOf(error) ?? 'ECONNRESET' });
			if (cut.ok || cut.failure.networkCode === 'ECANCELED') return { answer: cut, thrown };
			return { answer: failed({ ...cut.failure, cut: cutAnswer(raw.value, cut.failure.networkCode ?? 'ECONNRESET') }), thrown };
		}
	}
}
