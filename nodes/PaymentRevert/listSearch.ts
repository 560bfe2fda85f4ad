/**
 * The invoice picker of node version 2 (the Invoice ID's "From List" mode): the vendor's paid
 * invoices, read the way Get Many reads them (same gateway, transport, pace and redaction), in the
 * editor's context. The search text is matched here: no vendor documents a search by number.
 */
import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ConnectionGateway } from './gateway';
import { invoicePages } from './operations/getMany';
import { getProvider, type InvoiceState, type Provider } from './providers';
import { Redactor } from './secrets';
import { Connection, type TransportOptions } from './transport/connection';

/** A search reads at most this many vendor pages per call; the rest comes with the pagination token. */
const PAGES_PER_CALL = 5;

/** Short waits: someone is looking at the dropdown. */
const EDITOR_TRANSPORT: TransportOptions = { maxRetries: 2, maxRetryWaitSeconds: 10, timeoutSeconds: 20 };

/** "number · supplier · 120.5 EUR": what a user recognises an invoice by. */
export function invoiceLabel(provider: Provider, state: InvoiceState, id: string): string {
	const amount = state.amount === null ? null : [state.amount, state.currency].filter((x) => x !== null).join(' ');
	const parts = [state.invoiceNumber ?? id, provider.partyOf?.(state.invoice) ?? null, amount];
	return parts.filter((part) => part !== null && part !== '').join(' · ');
}

export async function searchInvoices(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const providerId = String(this.getNodeParameter('provider', 'qonto'));
	const provider = getProvider(providerId);
	if (!provider) throw new NodeOperationError(this.getNode(), `Payment Revert: unknown provider "${providerId}"`);
	const authentication = String(this.getNodeParameter('authentication', provider.authStyles[0].value));
	let redactor = new Redactor([]);
	try {
		const connection = await Connection.open(this, provider, authentication);
		redactor = connection.redactor;
		const gateway = new ConnectionGateway(this, connection, EDITOR_TRANSPORT);
		const wanted = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = [];
		let read = 0;
		for await (const page of invoicePages(gateway, true, paginationToken || undefined)) {
			for (const { state } of page.snapshots) {
				const id = String(state.invoice.id);
				const name = invoiceLabel(provider, state, id);
				if (wanted && !`${name} ${id}`.toLowerCase().includes(wanted)) continue;
				results.push({ name: redactor.text(name), value: redactor.text(id) });
			}
			// Stop at a page boundary: the token is where the next call goes on.
			if (++read >= PAGES_PER_CALL || (results.length > 0 && page.next !== undefined)) {
				return { results, paginationToken: page.next };
			}
		}
		return { results };
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		throw new NodeOperationError(this.getNode(), redactor.text(message));
	}
}
