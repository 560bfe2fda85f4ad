import { countHeader, firstMessage, header, isObject, num, resetHeader, str, waitHeader, waitNumber } from './parse';
import type { Provider, VendorResponse } from './types';

const NOT_PAID = /not[\s_-]*paid|already[\s_-]*unpaid|is[\s_-]+unpaid|no[\s_-]+payment/i;

function errorObject(response: VendorResponse) {
	const body = response.json;
	if (!isObject(body)) return undefined;
	return isObject(body.error) ? body.error : body;
}

export const contazen: Provider = {
	id: 'contazen',
	name: 'Contazen',
	label: 'Contazen (Supplier Bill)',
	noun: 'supplier bill',
	authStyles: [{ value: 'apiKey', name: 'API Key', credentialType: 'paymentRevertContazenApi' }],
	baseUrl: (credentials) => String(credentials.baseUrl || 'https://api.contazen.ro/v1'),
	extraHeaders: () => ({ 'Content-Type': 'application/json' }),

	checkCredentials(_type, credentials) {
		if (!/^sk_(live|test)_\S+$/.test(String(credentials.apiKey ?? ''))) {
			return 'the API key must start with sk_live_ or sk_test_: copy it again from Contazen Settings, API Keys';
		}
		return undefined;
	},

	secrets: (credentials) => [String(credentials.apiKey ?? '')],

	idPattern: /^[A-Za-z0-9_-]{1,64}$/,
	idFormat: 'a Contazen ID of letters, digits, "_" or "-" (at most 64), such as sup_1a2b3c4d5e',

	revert: (id) => ({ method: 'POST', path: `/supplier-bills/${id}/mark-unpaid`, write: true }),
	// No single-bill read is documented, and the node never calls undocumented endpoints.
	read: undefined,

	unwrap(json) {
		if (!isObject(json)) return undefined;
		const data = isObject(json.data) ? json.data : json;
		if (isObject(data.supplier_bill)) return data.supplier_bill;
		return typeof data.id === 'string' && typeof data.status === 'string' ? data : undefined;
	},

	normalize(invoice) {
		const status = str(invoice.status) ?? 'unknown';
		const amounts = isObject(invoice.amounts) ? invoice.amounts : {};
		return {
			status,
			paid: status === 'paid' || status === 'partial',
			paymentDate: str(invoice.payment_date),
			paymentAmount: num(invoice.payment_amount),
			invoiceNumber: str(invoice.invoice_number),
			amount: num(amounts.tax_inclusive ?? invoice.total),
			currency: str(invoice.currency),
			invoice,
		};
	},

	requestId: (response) =>
		(isObject(response.json) && isObject(response.json.meta) ? str(response.json.meta.request_id) : null) ??
		header(response, 'x-request-id'),

	parseError(response) {
		const error = errorObject(response);
		return {
			vendorCode: str(error?.code) ?? str(error?.type),
			vendorMessage: firstMessage(error ?? response.json),
			requestId: contazen.requestId(response),
		};
	},

	// 409/423: a lock or a closed period. A 400/409 that says the bill is not paid is a re-run.
	refusal(response, error) {
		const words = `${error.vendorCode ?? ''} ${error.vendorMessage ?? ''}`;
		if ([400, 409, 422].includes(response.statusCode) && NOT_PAID.test(words)) return 'notPaid';
		if (response.statusCode === 409 || response.statusCode === 423) return 'locked';
		return undefined;
	},

	// X-RateLimit-* on every answer [V]; the reset is a Unix time in seconds on Contazen's clock,
	// believed up to an hour ahead (its window is a minute).
	quota(response, nowMs) {
		const remaining = countHeader(response, 'x-ratelimit-remaining');
		const resetAtMs = resetHeader(response, 'x-ratelimit-reset', nowMs);
		return remaining === undefined || resetAtMs === undefined ? undefined : { remaining, resetAtMs };
	},

	retryAfterSeconds(response, nowMs) {
		const fromBody = waitNumber(errorObject(response)?.retry_after);
		if (fromBody !== undefined) return fromBody;
		const fromHeader = waitHeader(response, 'retry-after', nowMs, true);
		if (fromHeader !== undefined) return fromHeader;
		// The window's reset is on every answer: it is a wait only when the window is used up.
		const exhausted = response.statusCode === 429 || countHeader(response, 'x-ratelimit-remaining') === 0;
		const resetAtMs = resetHeader(response, 'x-ratelimit-reset', nowMs);
		return resetAtMs === undefined || !exhausted ? undefined : (resetAtMs - nowMs) / 1000;
	},

	permissionHint:
		'the API key needs the permission to edit supplier bills (Contazen Settings, API Keys); check its IP allow-list too',

	sideEffects(after) {
		const expenseId = str(after.invoice.expense_id);
		return {
			fields: { linkedExpenseId: expenseId },
			notes: expenseId
				? [`Contazen also marked the linked expense ${expenseId} as unpaid.`]
				: [],
		};
	},
};
