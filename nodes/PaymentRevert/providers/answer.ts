/** What a vendor's answer shows, judged the same way for every vendor from its provider's data. */
import type { IDataObject } from 'n8n-workflow';

import { isObject, str } from './parse';
import type { InvoiceState, Provider, Refusal, VendorError, VendorResponse, WriteAction } from './types';

/** The asked invoice with a status the vendor documents, or why the answer does not show it. */
export type Reading = { ok: true; state: InvoiceState } | { ok: false; reason: string };

function shown(value: string): string {
	return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

/**
 * A 2xx answer counts only when it holds the invoice that was asked for with a status the vendor
 * documents. A gateway's `{"status":"ok"}`, another invoice or an unknown status shows nothing:
 * it never means "not paid".
 */
export function invoiceIn(provider: Provider, response: VendorResponse, askedId: string): Reading {
	const notJson = notJsonReason(response);
	if (notJson) return { ok: false, reason: notJson };
	const invoice = provider.unwrap(response.json);
	if (!invoice) return { ok: false, reason: `there is no ${provider.noun} in the answer` };
	if (!provider.idMatches(askedId, invoice)) {
		const other = str(invoice.id);
		return {
			ok: false,
			reason: other
				? `the answer is about another ${provider.noun} (${shown(other)})`
				: `the answer names no ${provider.noun} ID`,
		};
	}
	return stateOf(provider, invoice);
}

/** Why an answer without a JSON body shows nothing; undefined when it has one. */
export function notJsonReason(response: VendorResponse): string | undefined {
	if (response.json !== undefined) return undefined;
	const text = response.text.trim();
	const what = text === '' ? 'empty' : /<html|<!doctype/i.test(text) ? 'an HTML page' : 'not JSON';
	return `the answer is ${what}`;
}

/** An invoice of a list (no ID was asked): it counts only with a status the vendor documents. */
export function listedInvoice(provider: Provider, invoice: unknown): Reading {
	const id: unknown = isObject(invoice) ? invoice.id : undefined;
	if (!isObject(invoice) || id === undefined) return { ok: false, reason: `the list holds an entry with no ${provider.noun} ID` };
	return stateOf(provider, invoice);
}

function stateOf(provider: Provider, invoice: IDataObject): Reading {
	const state = provider.normalize(invoice);
	if (!provider.knownStatuses.includes(state.status)) {
		return {
			ok: false,
			reason: state.status
				? `its status "${shown(state.status)}" is not one ${provider.name} documents`
				: 'it has no status',
		};
	}
	return { ok: true, state };
}

/** The vendor's refusal table for the write applied to its refusal; undefined for an ordinary error. */
export function refusalOf(
	provider: Provider,
	response: VendorResponse,
	error: VendorError,
	write: WriteAction = 'revert',
): Refusal | undefined {
	const rule = (provider.refusals[write] ?? []).find(
		(r) =>
			r.status.includes(response.statusCode) &&
			(!r.codes || (error.vendorCode !== null && r.codes.includes(error.vendorCode))) &&
			(!r.message || (error.vendorMessage !== null && r.message.test(error.vendorMessage.trim()))),
	);
	return rule?.means;
}
