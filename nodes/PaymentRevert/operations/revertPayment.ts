/** Revert Payment: mark a paid invoice unpaid again, the same way for every vendor. */
import { listIds, RevertFailure } from '../errors';
import type { Snapshot } from '../gateway';
import type { Provider } from '../providers';
import type { Operation } from './types';
import { WriteRun, type WriteKind, type WriteRequest } from './write';

const REVERT: WriteKind = {
	operation: 'revertPayment',
	action: 'revert',
	done: (state) => !state.paid,
	outcomes: { done: 'reverted', already: 'already_unpaid', would: 'would_revert' },
	refusals: { already: 'notPaid', maybeAlready: 'maybeNotPaid' },
	assumedStatus: (provider) => ({ status: provider.unpaidStatus, paid: false }),
	instead: 'use Revert Payment without Dry Run',
	words: {
		notDone: 'paid',
		doneAdj: 'unpaid',
		theWrite: 'the revert',
		request: (noun, invoiceId) => `the revert of ${noun} ${invoiceId}`,
		doIt: 'revert it',
		markIt: 'mark it unpaid',
		done: 'reverted',
		readFirst: 'capture its previous state',
	},
};

/** "If Not Paid: Fail": the invoice is not paid, so there is no payment to revert. */
function notPaidFailure({ state, requestId }: Snapshot, provider: Provider, invoiceId: string): RevertFailure {
	return new RevertFailure(
		'invalid_state',
		`${provider.name}: ${provider.noun} ${invoiceId} is not paid (status "${state.status}"), so there is no payment to revert; set "If Not Paid" to Succeed to accept this`,
		{ httpCode: null, vendor: { vendorCode: null, vendorMessage: null, requestId } },
	);
}

export const revertPayment: Operation<WriteRequest> = {
	value: REVERT.operation,
	name: 'Revert Payment',
	action: 'Revert a payment',
	description: 'Mark a paid invoice as unpaid again',
	since: 1,
	perInvoice: true,
	options: [
		{
			displayName: 'Capture Previous State',
			name: 'capturePreviousState',
			type: 'boolean',
			default: true,
			description:
				'Whether to read the invoice before reverting, so the output keeps the status, payment date and amount that the provider erases',
		},
		{
			displayName: 'Dry Run',
			name: 'dryRun',
			type: 'boolean',
			default: false,
			description:
				'Whether to only read the invoice and report would_revert or already_unpaid, changing nothing',
		},
		{
			displayName: 'If Not Paid',
			name: 'ifNotPaid',
			type: 'options',
			options: [
				{
					name: 'Succeed (Already Unpaid)',
					value: 'succeed',
					description: 'Return the invoice with outcome already_unpaid and change nothing',
				},
				{
					name: 'Fail',
					value: 'fail',
					description: 'Raise an invalid_state error',
				},
			],
			default: 'succeed',
			description: 'What a revert does when the invoice is not paid (for example on a re-run)',
		},
	],
	supports: () => true,
	changes: {
		outcome: 'reverted',
		contextKey: 'revertedInvoiceIds',
		note: (noun, ids) =>
			`Already reverted in this run before it stopped (${ids.length} ${ids.length === 1 ? noun : `${noun}s`}): ${listIds(ids)}. These changes stand; a re-run finds them no longer paid (already_unpaid)`,
		unknown: {
			contextKey: 'unknownInvoiceIds',
			note: (noun, ids) =>
				`Result unknown (${ids.length} ${ids.length === 1 ? noun : `${noun}s`}, a revert was sent but no answer confirmed it): ${listIds(ids)}. They may have been reverted: check them, or run again (a re-run is safe and finds a reverted one already_unpaid)`,
		},
	},
	prepare: ({ invoiceId, options }) => ({
		invoiceId,
		dryRun: options.dryRun === true,
		readFirst: options.capturePreviousState !== false,
		...(options.ifNotPaid === 'fail' ? { failIfAlready: (now, provider) => notPaidFailure(now, provider, invoiceId) } : {}),
	}),
	run: async (gateway, request) => [await new WriteRun(gateway, REVERT, request, () => gateway.revert(request.invoiceId)).run()],
};

