import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { QONTO_API_URLS } from '../../../credentials/qontoEnvironment';
import { firstMessage, header, isObject, num, query, str, waitHeader, wholeNumber } from './parse';
import type { Provider, VendorError } from './types';

/** The supplier-invoice statuses Qonto documents (Qonto's supplier-invoice docs). */
const STATUSES = ['to_review', 'to_approve', 'pending', 'awaiting_payment', 'to_pay', 'scheduled', 'paid', 'archived', 'rejected'];
const PAID = ['paid'];

function stagingHeader(credentials: ICredentialDataDecryptedObject): Record<string, string> {
	const token = String(credentials.stagingToken ?? '');
	return credentials.environment !== 'production' && token !== ''
		? { 'X-Qonto-Staging-Token': token }
		: {};
}

/** An ID of the documented form (the messages and the editor show it). */
const EXAMPLE_ID = '4d5418bb-bd0d-4df4-865c-c07afab8bb48';

export const qonto: Provider = {
	id: 'qonto',
	name: 'Qonto',
	label: 'Qonto (Supplier Invoice)',
	authHint: 'Qonto documents OAuth2 for changing supplier invoices; its API key may be read-only',
	noun: 'supplier invoice',
	authStyles: [
		{ value: 'oAuth2', name: 'OAuth2', credentialType: 'paymentRevertQontoOAuth2Api' },
		{ value: 'apiKey', name: 'API Key (Login and Secret Key)', credentialType: 'paymentRevertQontoApi' },
	],

	baseUrl(credentials) {
		if (credentials.environment === 'sandbox') return QONTO_API_URLS.sandbox;
		if (credentials.environment === 'custom') return String(credentials.apiBaseUrl ?? '');
		return QONTO_API_URLS.production;
	},

	// The API-key credential adds the staging header itself; OAuth2 credentials cannot.
	extraHeaders: (credentialType, credentials) =>
		credentialType === 'paymentRevertQontoOAuth2Api' ? stagingHeader(credentials) : {},

	checkCredentials(credentialType, credentials) {
		if (credentials.environment === 'sandbox' && String(credentials.stagingToken ?? '') === '') {
			return 'the sandbox needs the staging token from the Qonto Developer Portal: add it to the credential';
		}
		if (credentialType === 'paymentRevertQontoApi' && (!credentials.login || !credentials.secretKey)) {
			return 'the API key credential needs both the login and the secret key';
		}
		return undefined;
	},

	secrets(credentials) {
		const token = isObject(credentials.oauthTokenData) ? credentials.oauthTokenData : {};
		const login = String(credentials.login ?? '');
		const secretKey = String(credentials.secretKey ?? '');
		return [
			secretKey,
			// The API key as sent: "login:secret" (its base64 is what a Basic header echo shows).
			login && secretKey ? `${login}:${secretKey}` : '',
			String(credentials.stagingToken ?? ''),
			String(credentials.clientSecret ?? ''),
			// access_token, refresh_token, id_token: whatever token n8n holds, refreshed ones included.
			...Object.entries(token)
				.filter(([key, value]) => /token$/i.test(key) && typeof value === 'string')
				.map(([, value]) => value as string),
		];
	},

	// Without flags: the editor's ID check uses the same pattern's source.
	idPattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
	idFormat: `a UUID such as ${EXAMPLE_ID}`,
	idExample: EXAMPLE_ID,
	idHint: 'a UUID',
	idMatches: (asked, invoice) => typeof invoice.id === 'string' && invoice.id.toLowerCase() === asked.toLowerCase(),
	partyOf: (invoice) => str(invoice.supplier_name),

	endpoints: {
		revert: (id) => ({ method: 'POST', path: `/v2/supplier_invoices/${id}/unmark_as_paid`, write: true }),
		read: (id) => ({ method: 'GET', path: `/v2/supplier_invoices/${id}`, write: false }),
		markPaid: (id, payment) => ({
			method: 'POST',
			path: `/v2/supplier_invoices/${id}/mark_as_paid`,
			write: true,
			body: { supplier_invoice: { payment_date: payment.date } },
		}),
		// `filter[status][]`, `page` (from 1), `per_page` <= 100; `meta.next_page` null on the last page.
		list: {
			maxPageSize: 100,
			request: ({ cursor, size, paidOnly }) => ({
				method: 'GET',
				path: `/v2/supplier_invoices${query({ 'filter[status][]': paidOnly ? PAID : undefined, page: cursor ?? '1', per_page: size })}`,
				write: false,
			}),
			page(json, asked) {
				if (!isObject(json) || !Array.isArray(json.supplier_invoices) || !isObject(json.meta)) return undefined;
				const { next_page: next } = json.meta;
				if (next === null || next === undefined) return { invoices: json.supplier_invoices };
				const page = wholeNumber(next, Number(asked.cursor ?? '1') + 1);
				return page === undefined ? undefined : { invoices: json.supplier_invoices, next: String(page) };
			},
		},
	},
	// Whether mark_as_paid needs payment_date is undocumented [?]: the node always sends one.
	markPaidDateOptional: false,

	// GET wraps in { supplier_invoice }, the documented unmark example is bare: accept both.
	unwrap(json) {
		if (!isObject(json)) return undefined;
		if (isObject(json.supplier_invoice)) return json.supplier_invoice;
		return json.id !== undefined ? json : undefined;
	},

	knownStatuses: STATUSES,
	paidStatuses: PAID,
	unpaidStatus: 'to_review',

	normalize(invoice) {
		const status = str(invoice.status) ?? '';
		const total = isObject(invoice.total_amount) ? invoice.total_amount : {};
		const amount = num(total.value);
		const paid = PAID.includes(status);
		return {
			status,
			paid,
			paymentDate: str(invoice.payment_date),
			paymentAmount: paid ? amount : null,
			invoiceNumber: str(invoice.invoice_number),
			amount,
			currency: str(total.currency ?? invoice.currency),
			invoice,
		};
	},

	// The trace id is what Qonto support asks for; x-request-id only where there is none.
	requestId: (response) =>
		header(response, 'x-tyk-trace-id') ??
		(isObject(response.json) ? str(response.json.trace_id) : null) ??
		header(response, 'x-request-id'),

	// JSON:API errors, but flat and object forms were seen live too.
	parseError(response): VendorError {
		const body = response.json;
		let code: string | null = null;
		if (isObject(body)) {
			const errors = body.errors;
			const first = Array.isArray(errors) ? errors.find(isObject) : isObject(errors) ? errors : undefined;
			code = str(first?.code) ?? str(body.code);
		}
		return {
			vendorCode: code,
			vendorMessage: firstMessage(isObject(body) ? (body.errors ?? body) : body),
			requestId: qonto.requestId(response),
		};
	},

	// Qonto answers 400 to unmark_as_paid on any invoice that is not `paid`, and to one it will not
	// revert: a read tells which.
	// mark_as_paid answers 200 on a paid invoice, and 400 to one it will not mark (e.g. `scheduled`).
	refusals: {
		revert: [{ status: [400], means: 'maybeNotPaid' }],
		markPaid: [{ status: [400], means: 'maybeAlreadyPaid' }],
	},

	retryAfterSeconds: (response, nowMs) => waitHeader(response, 'retry-after', nowMs, true),

	permissionHint:
		'the OAuth app needs the supplier_invoice.write scope (and supplier_invoice.read for reads); Qonto API keys may not be allowed to change supplier invoices, use OAuth2',
	tenant: 'organization',
	// Without its staging token the sandbox's OneLogin gate answers a login page or a redirect to one.
	setupHint: 'for the Qonto sandbox, check the staging token (without it Qonto answers with a login page)',
};

