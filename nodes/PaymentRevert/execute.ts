import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { cancelSignal, errorOutputJson } from './compat';
import { errorItemJson, RevertFailure, stoppedRunNote, toNodeError, type ErrorItemJson } from './errors';
import { ConnectionGateway } from './gateway';
import { runHints, seenOf, type ItemSeen } from './hints';
import { invoiceIdParameter, invoiceIdText, parameter, readInput, runConcurrency } from './input';
import { operationFor, type Operation } from './operations';
import { shaped } from './output';
import { getProvider, providers, type Provider } from './providers';
import { failed, ok, type Result } from './result';
import { learnCurrentSecrets, Redactor } from './secrets';
import { toolRun } from './tool';
import { Connection, type LimitTally } from './transport/connection';

/** One input item's outcome: its output items (any number), or its error item. */
type ItemResult = Result<IDataObject[], ErrorItemJson>;

function failureOf(error: unknown, provider: Provider): RevertFailure {
	if (error instanceof RevertFailure) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new RevertFailure('unexpected_response', `${provider.name}: ${message}`);
}

/** "Qonto, Contazen or Wethod": the registry's names, for a message. */
function providerNames(): string {
	const names = Object.values(providers).map((p) => p.name);
	return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names.join('');
}

/**
 * The item loop, the same for every operation: each input item yields its output items (or one
 * error item), in input order, with `pairedItem`, whatever happens to the others.
 */
export async function executePaymentRevert(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const providerId = this.getNodeParameter('provider', 0) as string;
	const provider = getProvider(providerId);
	if (!provider) {
		const error = errorItemJson(
			new RevertFailure('invalid_input', `Payment Revert: unknown provider "${providerId}"; choose ${providerNames()}`),
			providerId,
			'',
		);
		// Nothing can be sent without a provider: with Continue, each item says so.
		if (!this.continueOnFail()) throw toNodeError(this.getNode(), error, 0);
		return [items.map((_, i) => ({ json: errorOutputJson(error), pairedItem: { item: i } }))];
	}
	const { typeVersion } = this.getNode();
	const operation = operationFor(this.getNodeParameter('operation', 0), typeVersion);
	// Read once for the whole run; a broken expression here falls back to the defaults and the
	// per-item reads report it on each item.
	const chosenAuth = parameter(this, provider, 'authentication', 0, provider.authStyles[0].value);
	const authentication =
		provider.authStyles.length > 1 && chosenAuth.ok && typeof chosenAuth.value === 'string'
			? chosenAuth.value
			: provider.authStyles[0].value;
	const firstOptions = items.length ? parameter(this, provider, 'options', 0, {}) : ok({});
	const concurrency = runConcurrency(provider, firstOptions.ok ? firstOptions.value : {});
	const continueOnFail = this.continueOnFail();
	// Run as an agent's tool: writes only where the author allowed them.
	const tool = toolRun(this.getNode(), operation);

	let connection: Promise<Connection> | undefined;
	let redactor = new Redactor([]);
	const open = () =>
		(connection ??= Connection.open(this, provider, authentication, Math.min(concurrency, items.length)).then((c) => {
			redactor = c.redactor;
			return c;
		}));

	const results: ItemResult[] = new Array(items.length);
	// For the run's hints: what each item came to, and what the vendor's limit cost it.
	const seen: ItemSeen[] = new Array(items.length);
	const tallies: LimitTally[] = [];
	// Items that failed after a write that may have been applied: a stopped run names them.
	const unknown = new Set<number>();
	let next = 0;
	let stopped = false;
	// A cancelled execution starts no more items (and n8n aborts the requests in flight).
	const cancelled = () => cancelSignal(this)?.aborted === true;
	const worker = async () => {
		while (!stopped && !cancelled() && next < items.length) {
			const i = next++;
			const rawId = operation.perInvoice ? invoiceIdParameter(this, provider, i) : ok('');
			let invoiceId = rawId.ok ? invoiceIdText(rawId.value) : '';
			try {
				const read = readInput(this, provider, operation, i, rawId);
				invoiceId = read.invoiceId;
				const input = tool ? tool.restrict(read) : read;
				const request = operation.prepare(input);
				const tally: LimitTally = { waitedMs: 0, limited: 0 };
				tallies.push(tally);
				const gateway = new ConnectionGateway(this, await open(), input.transport, tally);
				const jsons = await operation.run(gateway, request);
				seen[i] = seenOf(operation, jsons);
				results[i] = ok(jsons.map((json) => shaped(json, input.options, typeVersion)).map((json) => tool?.answer(json) ?? json));
			} catch (error) {
				const failure = failureOf(error, provider);
				seen[i] = { ok: false, category: failure.category };
				if (failure.details.resultUnknown) unknown.add(i);
				results[i] = failed(errorItemJson(failure, provider.id, invoiceId));
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
		const done = { results, unknown };
		const description = redactor.text(stoppedRunNote(changedNote(operation, provider, results), notStarted(results), unknownNote(operation, provider, done)) ?? '');
		const error = new NodeOperationError(this.getNode(), message, { description, itemIndex: unfinished });
		addChangedIds(error.context, operation, done, redactor);
		throw error;
	}

	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const result = results[i];
		if (result === undefined) continue; // not started: an earlier item failed and stops the run
		if (result.ok) {
			for (const json of result.value) output.push({ json: redactor.deep(json), pairedItem: { item: i } });
			continue;
		}
		const error = redactor.deep(result.failure);
		// The first failure in input order (every item before it has run, whatever failed first).
		if (!continueOnFail) throw stopError(this.getNode(), operation, provider, { results, unknown }, redactor, error, i);
		output.push({ json: errorOutputJson(error), pairedItem: { item: i } });
	}
	// n8n records hints only for a node that returns (a stopped run's error says what it did).
	// n8n versions without the API get the items' notes alone.
	if (items.length && typeof this.addExecutionHints === 'function') {
		this.addExecutionHints(...runHints(operation, provider, seen, tallies, redactor));
	}
	return [output];
}

/** What the items came to, and which failed items' writes may have been applied. */
interface Done {
	results: ItemResult[];
	unknown: Set<number>;
}

/**
 * The error that stops the run. Throwing discards every output item, so it names what this run
 * has already changed at the vendor: the items before it and those that were in flight, and the
 * writes whose result is unknown.
 */
function stopError(
	node: INode,
	operation: Operation,
	provider: Provider,
	done: Done,
	redactor: Redactor,
	error: ErrorItemJson,
	index: number,
) {
	const { results } = done;
	const note = stoppedRunNote(changedNote(operation, provider, results), notStarted(results), unknownNote(operation, provider, done));
	const description = redactor.text([error.description, note].filter(Boolean).join(' · '));
	const thrown = toNodeError(node, { ...error, description }, index);
	addChangedIds(thrown.context, operation, done, redactor);
	return thrown;
}

/** The invoice IDs of the stopped run's note, also in the error's context for a workflow to read. */
function addChangedIds(context: IDataObject, operation: Operation, { results, unknown }: Done, redactor: Redactor): void {
	if (!operation.changes) return;
	const changed = changedIds(operation, results);
	if (changed.length) context[operation.changes.contextKey] = changed.map((id) => redactor.text(id));
	const unsure = unknownIds(results, unknown);
	if (unsure.length) context[operation.changes.unknown.contextKey] = unsure.map((id) => redactor.text(id));
}

function notStarted(results: ItemResult[]): number {
	return Array.from(results).filter((r) => r === undefined).length;
}

/** Invoices this run changed at the vendor, in input order. */
function changedIds(operation: Operation, results: ItemResult[]): string[] {
	const ids: string[] = [];
	const outcome = operation.changes?.outcome;
	if (outcome === undefined) return ids;
	for (const result of results) {
		if (!result?.ok) continue;
		for (const json of result.value) if (json.outcome === outcome) ids.push(String(json.invoiceId));
	}
	return ids;
}

/** Invoices of failed items whose write may have been applied, in input order. */
function unknownIds(results: ItemResult[], unknown: Set<number>): string[] {
	return [...unknown].sort((a, b) => a - b).flatMap((i) => {
		const result = results[i];
		return result && !result.ok ? [result.failure.invoiceId] : [];
	});
}

function changedNote(operation: Operation, provider: Provider, results: ItemResult[]): string | undefined {
	const ids = changedIds(operation, results);
	return operation.changes && ids.length ? operation.changes.note(provider.noun, ids) : undefined;
}

function unknownNote(operation: Operation, provider: Provider, { results, unknown }: Done): string | undefined {
	const ids = unknownIds(results, unknown);
	return operation.changes && ids.length ? operation.changes.unknown.note(provider.noun, ids) : undefined;
}
