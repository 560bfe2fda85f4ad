import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { errorItemJson, RevertFailure, stoppedRunNote, toNodeError, type ErrorItemJson } from './errors';
import { invoiceIdText, validateInvoiceId } from './input';
import { runItem, type ItemRequest } from './operations';
import { getProvider, type Provider } from './providers';
import { learnCurrentSecrets, Redactor } from './secrets';
import { Connection } from './transport';

type Result = { ok: true; json: IDataObject } | { ok: false; error: ErrorItemJson };

function clamp(value: unknown, min: number, max: number, fallback: number): number {
	const n = Number(value);
	return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** A parameter whose expression cannot be resolved for this item is bad input, not a vendor problem. */
function parameter(ctx: IExecuteFunctions, provider: Provider, name: string, i: number, fallback?: unknown): unknown {
	try {
		return ctx.getNodeParameter(name, i, fallback);
	} catch (error) {
		return new RevertFailure(
			'invalid_input',
			`${provider.name}: the "${name}" parameter could not be read for this item (${(error as Error).message}); fix its expression`,
		);
	}
}

function readRequest(ctx: IExecuteFunctions, provider: Provider, i: number, rawId: unknown): ItemRequest {
	const rawOptions = parameter(ctx, provider, 'options', i, {});
	for (const value of [rawId, rawOptions]) if (value instanceof RevertFailure) throw value;
	const options = rawOptions as IDataObject;
	return {
		operation: ctx.getNodeParameter('operation', i) === 'getStatus' ? 'getStatus' : 'revertPayment',
		invoiceId: validateInvoiceId(provider, rawId),
		ifNotPaid: options.ifNotPaid === 'fail' ? 'fail' : 'succeed',
		capturePreviousState: options.capturePreviousState !== false,
		dryRun: options.dryRun === true,
		transport: {
			maxRetries: Math.floor(clamp(options.maxRetries, 0, 10, 3)),
			maxRetryWaitSeconds: clamp(options.maxRetryWaitSeconds, 0, 86_400, 60),
			timeoutSeconds: clamp(options.timeoutSeconds, 1, 3_600, 30),
		},
	};
}

function failureOf(error: unknown, provider: Provider): RevertFailure {
	if (error instanceof RevertFailure) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new RevertFailure('unexpected_response', `${provider.name}: ${message}`);
}

/**
 * The item loop: every input item yields exactly one output item, in input order, with
 * `pairedItem`, whatever happens to the others.
 */
export async function executePaymentRevert(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const providerId = this.getNodeParameter('provider', 0) as string;
	const provider = getProvider(providerId);
	if (!provider) {
		throw toNodeError(
			this.getNode(),
			errorItemJson(
				new RevertFailure('invalid_input', `Payment Revert: unknown provider "${providerId}"; choose Qonto, Contazen or Wethod`),
				providerId,
				'',
			),
			0,
		);
	}
	// Read once for the whole run; a broken expression here falls back to the defaults and the
	// per-item reads report it on each item.
	const chosenAuth = parameter(this, provider, 'authentication', 0, provider.authStyles[0].value);
	const authentication =
		provider.authStyles.length > 1 && typeof chosenAuth === 'string' ? chosenAuth : provider.authStyles[0].value;
	const firstOptions = items.length ? parameter(this, provider, 'options', 0, {}) : {};
	const options = (firstOptions instanceof RevertFailure ? {} : firstOptions) as IDataObject;
	const concurrency = Math.floor(clamp(options.concurrency, 1, 50, 5));
	const continueOnFail = this.continueOnFail();

	let connection: Promise<Connection> | undefined;
	let redactor = new Redactor([]);
	const open = () =>
		(connection ??= Connection.open(this, provider, authentication, Math.min(concurrency, items.length)).then((c) => {
			redactor = c.redactor;
			return c;
		}));

	const results: Result[] = new Array(items.length);
	let next = 0;
	let stopped = false;
	// A cancelled execution starts no more reverts (and n8n aborts the requests in flight).
	const cancelled = () => this.getExecutionCancelSignal?.()?.aborted === true;
	const worker = async () => {
		while (!stopped && !cancelled() && next < items.length) {
			const i = next++;
			const raw = parameter(this, provider, 'invoiceId', i, '');
			let invoiceId = raw instanceof RevertFailure ? '' : invoiceIdText(raw);
			try {
				const request = readRequest(this, provider, i, raw);
				invoiceId = request.invoiceId;
				const json = await runItem(this, await open(), request);
				results[i] = { ok: true, json };
			} catch (error) {
				results[i] = { ok: false, error: errorItemJson(failureOf(error, provider), provider.id, invoiceId) };
				if (!continueOnFail) stopped = true;
			}
			// n8n may have refreshed the token during this item: its secrets must be known before
			// any output is redacted (the redactor below is the connection's, updated in place).
			await connection?.then((c) => learnCurrentSecrets(this, c), () => undefined);
		}
	};
	// After a failure without Continue no item starts, but those in flight finish: their changes
	// are real and must be reported.
	await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, items.length)) }, worker));
	const unfinished = Array.from(results).findIndex((r) => r?.ok !== true);
	// The credential's secrets for redaction, even when no item got as far as a request.
	if (unfinished !== -1) await open().catch(() => undefined);
	if (cancelled() && unfinished !== -1) {
		// Items aborted or never started: say so, rather than return fewer items or blame an item.
		const message = `${provider.name}: the execution was cancelled before every item was processed`;
		const description = redactor.text(stoppedRunNote(provider.noun, revertedIds(results), notStarted(results)) ?? '');
		throw new NodeOperationError(this.getNode(), message, { description, itemIndex: unfinished });
	}

	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const result = results[i];
		if (result === undefined) continue; // not started: an earlier item failed and stops the run
		if (result.ok) {
			output.push({ json: redactor.deep(result.json), pairedItem: { item: i } });
			continue;
		}
		const error = redactor.deep(result.error);
		// The first failure in input order (every item before it has run, whatever failed first).
		if (!continueOnFail) throw stopError(this.getNode(), provider, results, redactor, error, i);
		// `error` as the only key: the shape both n8n 1.x and 2.x route to the error output.
		output.push({ json: { error }, pairedItem: { item: i } });
	}
	return [output];
}

/**
 * The error that stops the run. Throwing discards every output item, so it names what this run
 * has already changed at the vendor: the items before it and those that were in flight.
 */
function stopError(node: INode, provider: Provider, results: Result[], redactor: Redactor, error: ErrorItemJson, index: number) {
	const reverted = revertedIds(results);
	const note = stoppedRunNote(provider.noun, reverted, notStarted(results));
	const description = redactor.text([error.description, note].filter(Boolean).join(' · '));
	const thrown = toNodeError(node, { ...error, description }, index);
	if (reverted.length) Object.assign(thrown.context, { revertedInvoiceIds: reverted.map((id) => redactor.text(id)) });
	return thrown;
}

function notStarted(results: Result[]): number {
	return Array.from(results).filter((r) => r === undefined).length;
}

/** Invoices this run reverted, in input order. */
function revertedIds(results: Result[]): string[] {
	const ids: string[] = [];
	for (const result of results) if (result?.ok && result.json.outcome === 'reverted') ids.push(String(result.json.invoiceId));
	return ids;
}
