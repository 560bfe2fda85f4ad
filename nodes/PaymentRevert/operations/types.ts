import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { InvoiceGateway } from '../gateway';
import type { Provider } from '../providers';
import type { TransportOptions } from '../transport/connection';

/** What the item loop reads and checks for every item, whatever the operation. */
export interface ItemInput {
	provider: Provider;
	/** The Invoice ID, checked for the provider ('' for an operation that takes none). */
	invoiceId: string;
	/**
	 * The Options collection for this item: every option offered to the operation, checked against
	 * its description and typed (a boolean is a boolean), its default where not set.
	 */
	options: IDataObject;
	transport: TransportOptions;
	/** Another parameter of this item; throws `invalid_input` when its expression cannot be resolved. */
	parameter(name: string, fallback?: unknown): unknown;
}

/**
 * One operation of the node, registered in ./index.ts. The item loop (execute.ts) gives it its
 * input and a gateway, and keeps order, pairedItem, concurrency and continue-on-fail for it.
 */
export interface Operation<Request = unknown> {
	/** The `operation` parameter's value. */
	value: string;
	name: string;
	action: string;
	description: string;
	/** The first node version that offers it. */
	since: number;
	/** It acts on one invoice per item, named by the Invoice ID (Get Many does not). */
	perInvoice: boolean;
	/** Its own parameters, after the Invoice ID (shown for it alone). */
	parameters?: INodeProperties[];
	/**
	 * Its own entries of the Options collection (the collection shows them for it alone). An option
	 * several operations share shows the wording of the newest one (`since`), which covers them all.
	 */
	options?: INodeProperties[];
	/** Whether the provider's API can do it at all (from node version 2 the editor offers it only then). */
	supports(provider: Provider): boolean;
	/**
	 * What a run that stops on an error must still name (n8n drops the output of a node that
	 * throws): the items whose outcome is `outcome` changed an invoice at the vendor.
	 */
	changes?: {
		outcome: string;
		/** The key of the stopped run's error context that lists their invoice IDs. */
		contextKey: string;
		/** The stopped run's note naming them. */
		note(noun: string, ids: string[]): string;
		/**
		 * The items that failed after a write that may have been applied (no answer confirmed it):
		 * the context key listing their invoice IDs, and the note naming them as "result unknown".
		 */
		unknown: { contextKey: string; note(noun: string, ids: string[]): string };
	};
	/**
	 * The words a success item is counted under in the run's summary hint ("reverted 3"); default:
	 * its outcome, underscores as spaces.
	 */
	tally?(json: IDataObject): string;
	/** The item's request from its input; throws RevertFailure (invalid_input) for bad input. */
	prepare(input: ItemInput): Request;
	/** The item's output: one json for most operations, any number for a list. Throws RevertFailure. */
	run(gateway: InvoiceGateway, request: Request): Promise<IDataObject[]>;
}
