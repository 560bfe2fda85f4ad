/** Get Payment Status: read whether the invoice is paid, changing nothing. */
import { invoiceItem, readInvoice } from './common';
import type { Operation } from './types';

export const getStatus: Operation<{ invoiceId: string }> = {
	value: 'getStatus',
	name: 'Get Payment Status',
	action: 'Get the payment status',
	description: 'Read whether the invoice is paid, without changing it',
	since: 1,
	perInvoice: true,
	supports: (provider) => provider.endpoints.read !== undefined,
	// Its one outcome (`status`) says nothing: the summary counts paid and unpaid invoices.
	tally: (json) => (json.paid === true ? 'paid' : 'not paid'),
	prepare: ({ invoiceId }) => ({ invoiceId }),
	run: async (gateway, { invoiceId }) => {
		const now = await readInvoice(gateway, invoiceId, 'read its status', 'use Revert Payment without Dry Run');
		return [invoiceItem(gateway.provider, { operation: getStatus.value, invoiceId, outcome: 'status', now, previous: null })];
	},
};
