import { WETHOD_API_VERSION, WETHOD_BASE_URL } from '../../../credentials/PaymentRevertWethodApi.credentials';
import { firstMessage, header, isObject, num, query, str, waitHeader } from './parse';
import type { Provider } from './types';

/** Wethod's documented invoice statuses; unpaid is `sent` again. */
const STATUSES = ['draft', 'sent', 'paid'];
const PAID = ['paid'];

/** An ID of the documented form (the messages and the editor show it). */
const EXAMPLE_ID = '1042';

export const wethod: Provider = {
	id: 'wethod',
	name: 'Wethod',
	label: 'Wethod (Invoice)',
	noun: 'invoice',
	authStyles: [{ value: 'accessToken', name: 'Access Token', credentialType: 'paymentRevertWethodApi' }],
	baseUrl: (credentials) => String(credentials.baseUrl || WETHOD_BASE_URL),
	extraHeaders: () => ({}),

	checkCredentials(_type, credentials) {
		if (!/^[a-z0-9-]+$/i.test(String(credentials.company ?? '').trim())) {
			return 'the Company field must be your company slug, the subdomain of your Wethod address (acme for acme.wethod.com)';
		}
		if (!/^\d{4}-\d{2}-\d{2}$/.test(String(credentials.apiVersion || WETHOD_API_VERSION))) {
			return `the API Version must be a date such as ${WETHOD_API_VERSION}`;
		}
		return undefined;
	},

	secrets: (credentials) => [String(credentials.accessToken ?? '')],

	integerIds: true,
	idPattern: /^[1-9][0-9]{0,17}$/,
	idFormat: `a positive whole number such as ${EXAMPLE_ID}`,
	idExample: EXAMPLE_ID,
	idHint: 'a number',
	// Wethod's IDs are JSON integers: compared as numbers (a huge one is rounded the same way both sides).
	idMatches: (asked, invoice) =>
		typeof invoice.id === 'number' ? invoice.id === Number(asked) : invoice.id === asked,

	endpoints: {
		revert: (id) => ({ method: 'POST', path: `/api/invoices/${id}:set-unpaid`, write: true }),
		read: (id) => ({ method: 'GET', path: `/api/invoices/${id}`, write: false }),
		markPaid: (id, payment) => ({
			method: 'POST',
			path: `/api/invoices/${id}:set-paid`,
			write: true,
			...(payment.date ? { body: { payment_date: payment.date } } : {}),
		}),
		// `limit` <= 100 and `offset`, a bare array; no status filter: the node keeps the paid ones.
		// A page shorter than asked is the last.
		list: {
			maxPageSize: 100,
			request: ({ cursor, size }) => ({
				method: 'GET',
				path: `/api/invoices${query({ limit: size, offset: cursor ?? '0' })}`,
				write: false,
			}),
			page(json, asked) {
				if (!Array.isArray(json)) return undefined;
				const full = json.length >= asked.size;
				return { invoices: json, next: full ? String(Number(asked.cursor ?? '0') + json.length) : undefined };
			},
		},
	},
	// set-paid without payment_date uses the current date [V].
	markPaidDateOptional: true,

	// Documented unwrapped; a `{ data }` envelope (a proxy, a later API version) is accepted too.
	unwrap(json) {
		if (!isObject(json)) return undefined;
		if (isObject(json.data) && json.data.id !== undefined) return json.data;
		return json.id !== undefined ? json : undefined;
	},

	knownStatuses: STATUSES,
	paidStatuses: PAID,
	unpaidStatus: 'sent',

	normalize(invoice) {
		const status = str(invoice.status) ?? '';
		const paid = PAID.includes(status);
		const amount = num(invoice.value);
		return {
			status,
			paid,
			paymentDate: str(invoice.payment_date),
			paymentAmount: paid ? amount : null,
			invoiceNumber: str(invoice.invoice_number),
			amount,
			currency: str(invoice.currency),
			invoice,
		};
	},

	requestId: (response) => header(response, 'x-request-id') ?? header(response, 'x-trace-id'),

	parseError(response) {
		const body = response.json;
		return {
			vendorCode: isObject(body) ? (str(body.key) ?? str(body.code)) : null,
			vendorMessage: firstMessage(body),
			requestId: wethod.requestId(response),
		};
	},

	// 412 is also what Wethod answers to a bad company or version header: a read decides.
	refusals: {
		revert: [{ status: [412], means: 'maybeNotPaid' }],
		// A draft invoice cannot be paid (412); a read tells it from a bad header.
		markPaid: [{ status: [412], means: 'maybeAlreadyPaid' }],
	},

	// x-ratelimit-retry-after is seconds [C]; a malformed one leaves the standard header to speak.
	retryAfterSeconds: (response, nowMs) =>
		waitHeader(response, 'x-ratelimit-retry-after', nowMs, false) ?? waitHeader(response, 'retry-after', nowMs, true),

	permissionHint:
		'the token owner needs the invoices.edit_sent permission to set invoices unpaid (and invoices.view or invoices.view_other to read them)',
	tenant: 'company',
};
