/** What a vendor's answer shows, judged the same way for every vendor from its provider's data. */
import { str } from './parse';
import type { InvoiceState, Provider, Refusal, VendorError, VendorResponse } from './types';

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
	if (response.json === undefined) {
		const text = response.text.trim();
		const what = text === '' ? 'empty' : /<html|<!doctype/i.test(text) ? 'an HTML page' : 'not JSON';
		return { ok: false, reason: `the answer is ${what}` };
	}
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

/** The vendor's refusal table applied to a refused write; undefined for an ordinary error. */
export function refusalOf(provider: Provider, response: VendorResponse, error: VendorError): Refusal | undefined {
	const rule = provider.refusals.find(
		(r) =>
			r.status.includes(response.statusCode) &&
			(!r.codes || (error.vendorCode !== null && r.codes.includes(error.vendorCode))) &&
			(!r.message || (error.vendorMessage !== null && r.message.test(error.vendorMessage.trim()))),
	);
	return rule?.means;
}
