import { CONTAZEN_BASE_URL } from '../../../credentials/PaymentRevertContazenApi.credentials';
import { countHeader, firstMessage, header, isObject, num, query, resetHeader, str, waitHeader, waitNumber } from './parse';
import type { Provider, VendorResponse } from './types';

/** Contazen's documented supplier-bill statuses; `partial` is a payment too. */
const STATUSES = ['unpaid', 'paid', 'partial'];
const PAID = ['paid', 'partial'];
/**
 * A refusal that says, and only says, that the bill is not paid. Contazen documents no such
 * answer: a longer text that merely contains "not paid" ("cannot be marked not paid: the period
 * is closed") is not one, and stays an error.
 */
const NOT_PAID = /^(the\s+)?(supplier\s+)?bill(\s+is)?\s+(not\s+paid|already\s+unpaid)\.?$/i;
/** Codes that can only mean "not paid" (none is documented; matched exactly). */
const NOT_PAID_CODES = ['not_paid', 'bill_not_paid', 'already_unpaid'];
/** The same for mark-paid on a bill that is paid (undocumented too: Contazen may as well accept it). */
const ALREADY_PAID = /^(the\s+)?(supplier\s+)?bill(\s+is)?\s+already\s+paid\.?$/i;
const ALREADY_PAID_CODES = ['already_paid', 'bill_already_paid'];

function errorObject(response: VendorResponse) {
	const body = response.json;
	if (!isObject(body)) return undefined;
	return isObject(body.error) ? body.error : body;
}

/** An ID of the documented form (the messages and the editor show it). */
const EXAMPLE_ID = 'sup_1a2b3c4d5e';

export const contazen: Provider = {
	id: 'contazen',
	name: 'Contazen',
	label: 'Contazen (Supplier Bill)',
	noun: 'supplier bill',
	authStyles: [{ value: 'apiKey', name: 'API Key', credentialType: 'paymentRevertContazenApi' }],
	baseUrl: (credentials) => String(credentials.baseUrl || CONTAZEN_BASE_URL),
	extraHeaders: () => ({ 'Content-Type': 'application/json' }),

	checkCredentials(_type, credentials) {
		if (!/^sk_(live|test)_\S+$/.test(String(credentials.apiKey ?? ''))) {
			return 'the API key must start with sk_live_ or sk_test_: copy it again from Contazen Settings, API Keys';
		}
		return undefined;
	},

	secrets: (credentials) => [String(credentials.apiKey ?? '')],

	idPattern: /^[A-Za-z0-9_-]{1,64}$/,
	idFormat: `a Contazen ID of letters, digits, "_" or "-" (at most 64), such as ${EXAMPLE_ID}`,
	idExample: EXAMPLE_ID,
	idHint: 'a Contazen ID such as sup_1a2b3c',
	idMatches: (asked, invoice) => invoice.id === asked,
	partyOf: (invoice) => (isObject(invoice.supplier) ? str(invoice.supplier.name) : null),

	// No single-bill read is documented, and the node never calls undocumented endpoints.
	endpoints: {
		revert: (id) => ({ method: 'POST', path: `/supplier-bills/${id}/mark-unpaid`, write: true }),
		markPaid: (id, payment) => ({
			method: 'POST',
			path: `/supplier-bills/${id}/mark-paid`,
			write: true,
			// Without payment_amount Contazen records the bill's full amount [V].
			body: payment.date ? { payment_date: payment.date } : {},
		}),
		// `page` (from 1), `per_page` <= 100; `data.has_more`. Its `status` filter takes one status and
		// paid bills are `paid` or `partial`: the node asks for all and keeps the paid ones.
		list: {
			maxPageSize: 100,
			request: ({ cursor, size }) => ({
				method: 'GET',
				path: `/supplier-bills${query({ page: cursor ?? '1', per_page: size })}`,
				write: false,
			}),
			page(json, asked) {
				const list = isObject(json) && isObject(json.data) ? json.data : undefined;
				if (!list || !Array.isArray(list.data) || typeof list.has_more !== 'boolean') return undefined;
				return { invoices: list.data, next: list.has_more ? String(Number(asked.cursor ?? '1') + 1) : undefined };
			},
		},
	},
	// mark-paid: "date defaults to today, amount defaults to full tax_inclusive" [V].
	markPaidDateOptional: true,

	unwrap(json) {
		if (!isObject(json)) return undefined;
		const data = isObject(json.data) ? json.data : json;
		if (isObject(data.supplier_bill)) return data.supplier_bill;
		return data.id !== undefined ? data : undefined;
	},

	knownStatuses: STATUSES,
	paidStatuses: PAID,
	unpaidStatus: 'unpaid',

	normalize(invoice) {
		const status = str(invoice.status) ?? '';
		const amounts = isObject(invoice.amounts) ? invoice.amounts : {};
		return {
			status,
			paid: PAID.includes(status),
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

	// A 400/409/422 that says the bill is not paid is a re-run; 409/423: a lock or a closed period.
	refusals: {
		revert: [
			{ status: [400, 409, 422], message: NOT_PAID, means: 'notPaid' },
			{ status: [400, 409, 422], codes: NOT_PAID_CODES, means: 'notPaid' },
			{ status: [409, 423], means: 'locked' },
		],
		markPaid: [
			{ status: [400, 409, 422], message: ALREADY_PAID, means: 'alreadyPaid' },
			{ status: [400, 409, 422], codes: ALREADY_PAID_CODES, means: 'alreadyPaid' },
			{ status: [409, 423], means: 'locked' },
		],
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
	tenant: 'company',

	sideEffects(after, changed) {
		const expenseId = str(after.invoice.expense_id);
		return {
			fields: { linkedExpenseId: expenseId },
			notes: expenseId && changed ? [`Contazen also marked the linked expense ${expenseId} as ${changed === 'revert' ? 'unpaid' : 'paid'}.`] : [],
		};
	},
};
