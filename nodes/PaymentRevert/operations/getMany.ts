/** Get Many: the provider's invoices (paid ones by default), page after page as the vendor pages them. */
import type { IDataObject } from 'n8n-workflow';

import { checkSetup, mapFailure, RevertFailure } from '../errors';
import type { InvoiceGateway, Snapshot } from '../gateway';
import { invoiceItem, unexpected } from './common';
import type { Operation } from './types';

interface ListRequest {
	/** Only paid invoices (the vendor's filter where it has one, and each invoice checked here). */
	paidOnly: boolean;
	/** How many at most; undefined: all. */
	limit?: number;
}

/** Where the vendor states no largest page. */
const DEFAULT_PAGE_SIZE = 100;

/** One page of the list as the operation keeps it: the matching invoices and the next page's cursor. */
export interface ListedPage {
	snapshots: Snapshot[];
	next?: string;
}

/**
 * The invoices page by page from `from` (the vendor's cursor; undefined: the first page), each
 * page one request through the gateway (pace, retries, redaction). A page that is not the
 * vendor's list, an entry without a documented status, or a cursor that does not move on is
 * `unexpected_response`: the rest of the list is unknown.
 */
export async function* invoicePages(gateway: InvoiceGateway, paidOnly: boolean, from?: string): AsyncGenerator<ListedPage> {
	const { provider } = gateway;
	const { name, noun } = provider;
	if (!gateway.can('list')) {
		throw new RevertFailure('unsupported', `${name}: the ${name} API documents no list of ${noun}s, so the node cannot list them`);
	}
	const size = provider.endpoints.list?.maxPageSize ?? DEFAULT_PAGE_SIZE;
	const seen = new Set<string>();
	let cursor = from;
	for (let n = 1; ; n++) {
		const answer = await gateway.list({ cursor, size, paidOnly });
		if (answer.kind === 'failure') throw mapFailure(provider, answer.failure, 'list');
		const where = `page ${n} of the ${noun} list${cursor === undefined ? '' : ` (cursor ${cursor})`}`;
		if (answer.kind === 'ambiguous') {
			throw unexpected(provider, answer.response, false, `${name}: the answer to ${where} cannot be read: ${answer.reason}; ${checkSetup(provider)}`);
		}
		const snapshots = paidOnly ? answer.snapshots.filter((s) => s.state.paid) : answer.snapshots;
		seen.add(cursor ?? '');
		const { next } = answer;
		if (next !== undefined && seen.has(next)) {
			throw unexpected(provider, answer.response, false, `${name}: the answer to ${where} names a next page that was already read (${next}), so the list cannot be followed to its end; ${checkSetup(provider)}`);
		}
		yield { snapshots, next };
		if (next === undefined) return;
		cursor = next;
	}
}

export const getMany: Operation<ListRequest> = {
	value: 'getMany',
	name: 'Get Many',
	action: 'Get many invoices',
	description: 'List the invoices in the provider, paid ones by default',
	since: 2,
	perInvoice: false,
	parameters: [
		{
			displayName: 'Status',
			name: 'status',
			type: 'options',
			options: [
				{ name: 'Paid', value: 'paid', description: 'Only invoices whose payment a revert would undo' },
				{ name: 'All', value: 'all', description: 'Every invoice, whatever its status' },
			],
			default: 'paid',
			description: 'Which invoices to return',
		},
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	],
	supports: (provider) => provider.endpoints.list !== undefined,
	prepare: ({ parameter }) => {
		const status = parameter('status', 'paid');
		if (status !== 'paid' && status !== 'all') {
			throw new RevertFailure('invalid_input', `Status must be "paid" or "all", not ${JSON.stringify(status)}; choose one of the two`);
		}
		const paidOnly = status === 'paid';
		if (parameter('returnAll', false) === true) return { paidOnly };
		const limit = parameter('limit', 50);
		if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
			throw new RevertFailure('invalid_input', `Limit must be a whole number of at least 1, not ${JSON.stringify(limit)}; set it, or turn on Return All`);
		}
		return { paidOnly, limit };
	},
	run: async (gateway, { paidOnly, limit }) => {
		const items: IDataObject[] = [];
		for await (const page of invoicePages(gateway, paidOnly)) {
			for (const now of page.snapshots) {
				items.push(
					invoiceItem(gateway.provider, {
						operation: getMany.value,
						invoiceId: String(now.state.invoice.id),
						outcome: 'listed',
						now,
						previous: null,
					}),
				);
				if (items.length === limit) return items;
			}
		}
		return items;
	},
};
