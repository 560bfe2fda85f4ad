import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItemJson, RevertFailure, toNodeError, type ErrorItemJson } from './errors';
import { runItem, validateInvoiceId, type ItemRequest } from './operations';
import { getProvider, type Provider } from './providers';
import { Redactor } from './secrets';
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
	// A cancelled execution starts no more reverts (n8n 1.x has no signal).
	const cancelled = () => this.getExecutionCancelSignal?.()?.aborted === true;
	const worker = async () => {
		while (!stopped && !cancelled() && next < items.length) {
			const i = next++;
			const raw = parameter(this, provider, 'invoiceId', i, '');
			let invoiceId = raw instanceof RevertFailure || raw === null || raw === undefined ? '' : String(raw).trim();
			try {
				const request = readRequest(this, provider, i, raw);
				invoiceId = request.invoiceId;
				const json = await runItem(this, await open(), request);
				results[i] = { ok: true, json };
			} catch (error) {
				results[i] = { ok: false, error: errorItemJson(failureOf(error, provider), provider.id, invoiceId) };
				if (!continueOnFail) stopped = true;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, items.length)) }, worker));

	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const result = results[i];
		if (result === undefined) continue; // not started: an earlier item already failed the run
		if (result.ok) {
			output.push({ json: redactor.deep(result.json), pairedItem: { item: i } });
			continue;
		}
		const error = redactor.deep(result.error);
		if (!continueOnFail) throw toNodeError(this.getNode(), error, i);
		// `error` as the only key: the shape both n8n 1.x and 2.x route to the error output.
		output.push({ json: { error }, pairedItem: { item: i } });
	}
	return [output];
}
