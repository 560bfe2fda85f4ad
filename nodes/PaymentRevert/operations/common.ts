/** What operations share: the output item, a read that must show the invoice, an answer that shows nothing. */
import type { IDataObject } from 'n8n-workflow';

import { checkSetup, mapFailure, RevertFailure } from '../errors';
import type { InvoiceGateway, Snapshot } from '../gateway';
import type { InvoiceState, Provider, VendorResponse, WriteAction } from '../providers';
import { textExcerpt } from '../providers/parse';

export interface ItemFields {
	operation: string;
	invoiceId: string;
	outcome: string;
	now: Snapshot;
	/** The invoice before the write, or null. */
	previous: InvoiceState | null;
	/** The write this item made at the vendor, for the provider's notes on its side effects. */
	changed?: WriteAction;
	/** The operation's own notes, after the provider's. */
	notes?: string[];
}

/** The success item of the contract (SPEC.md, "Success item"), the same for every operation. */
export function invoiceItem(provider: Provider, fields: ItemFields): IDataObject {
	const { state } = fields.now;
	const { previous } = fields;
	const json: IDataObject = {
		provider: provider.id,
		operation: fields.operation,
		invoiceId: fields.invoiceId,
		outcome: fields.outcome,
		paid: state.paid,
		status: state.status,
		paymentDate: state.paymentDate,
		previous: previous
			? { status: previous.status, paymentDate: previous.paymentDate, paymentAmount: previous.paymentAmount }
			: null,
		invoiceNumber: state.invoiceNumber,
		amount: state.amount,
		currency: state.currency,
		requestId: fields.now.requestId,
		invoice: state.invoice,
	};
	const notes: string[] = [];
	if (provider.sideEffects) {
		const effects = provider.sideEffects(state, fields.changed);
		Object.assign(json, effects.fields);
		notes.push(...effects.notes);
	}
	notes.push(...(fields.notes ?? []));
	json.notes = notes;
	return json;
}

/**
 * Reads the invoice for `purpose` (words for the messages): its state, or an error that says why
 * it is unknown. `instead`: what to do where the vendor documents no read.
 */
export async function readInvoice(gateway: InvoiceGateway, invoiceId: string, purpose: string, instead: string): Promise<Snapshot> {
	const { provider } = gateway;
	const { name, noun } = provider;
	if (!gateway.can('read')) {
		throw new RevertFailure(
			'unsupported',
			`${name}: the ${name} API documents no way to read a single ${noun}, so the node cannot ${purpose}; ${instead}`,
		);
	}
	const answer = await gateway.read(invoiceId);
	if (answer.kind === 'snapshot') return answer.snapshot;
	if (answer.kind === 'ambiguous') {
		throw unexpected(
			provider,
			answer.response,
			false,
			`${name}: the API answered HTTP ${answer.response.statusCode} to a read of ${noun} ${invoiceId} (to ${purpose}), but ${answer.reason}, so whether it is paid is unknown; ${checkSetup(provider)}`,
		);
	}
	throw mapFailure(provider, answer.failure, invoiceId);
}

/**
 * A 2xx answer that is not an outcome. `isInvoice`: it was the vendor's invoice (shown in the
 * item), otherwise an excerpt of what came back is the vendor message.
 */
export function unexpected(provider: Provider, response: VendorResponse, isInvoice: boolean, message: string): RevertFailure {
	return new RevertFailure('unexpected_response', message, {
		httpCode: response.statusCode,
		vendor: {
			vendorCode: null,
			vendorMessage: isInvoice ? null : textExcerpt(response.text),
			requestId: provider.requestId(response),
		},
	});
}
