/**
 * Mark as Paid (node version 2): record the payment again, e.g. to undo a mistaken revert, with
 * the payment date given or the one a revert kept in `previous.paymentDate`.
 */
import { listIds, RevertFailure } from '../errors';
import { providers, type Provider } from '../providers';
import type { ItemInput, Operation } from './types';
import { WriteRun, type WriteKind, type WriteRequest } from './write';

const MARK_PAID: WriteKind = {
	operation: 'markAsPaid',
	action: 'markPaid',
	done: (state) => state.paid,
	outcomes: { done: 'marked_paid', already: 'already_paid', would: 'would_mark_paid' },
	refusals: { already: 'alreadyPaid', maybeAlready: 'maybeAlreadyPaid' },
	assumedStatus: (provider) => ({ status: provider.paidStatuses[0], paid: true }),
	instead: 'use Mark as Paid without Dry Run',
	words: {
		notDone: 'not paid',
		doneAdj: 'paid',
		theWrite: 'marking it paid',
		request: (noun, invoiceId) => `marking ${noun} ${invoiceId} paid`,
		doIt: 'mark it paid',
		markIt: 'mark it paid',
		done: 'marked paid',
		readFirst: 'see whether it is already paid',
	},
};

interface MarkPaidRequest extends WriteRequest {
	/** YYYY-MM-DD; undefined: the vendor's default (today), where it documents one. */
	paymentDate?: string;
}

const EXAMPLE_DATE = '2026-11-02';

/** "Contazen and Wethod": the registry's names, for the parameter's description. */
function namesWhere(test: (provider: Provider) => boolean): string {
	const names = Object.values(providers).filter(test).map((p) => p.name);
	return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}
const EMPTY_DATE = [
	namesWhere((p) => p.markPaidDateOptional === true) && `${namesWhere((p) => p.markPaidDateOptional === true)} record today`,
	namesWhere((p) => p.markPaidDateOptional !== true) && `${namesWhere((p) => p.markPaidDateOptional !== true)} needs a date`,
]
	.filter(Boolean)
	.join('; ');
const FORMAT = `a date as YYYY-MM-DD, such as ${EXAMPLE_DATE}`;

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
function isCalendarDate(text: string): boolean {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
	if (!match) return false;
	const [year, month, day] = match.slice(1).map(Number);
	const date = new Date(Date.UTC(year, month - 1, day));
	return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The Payment Date as the vendor needs it, checked before anything is sent. */
export function paymentDateOf(provider: Provider, raw: unknown, invoiceId: string): string | undefined {
	const { name, noun } = provider;
	const fail = (what: string) => {
		throw new RevertFailure('invalid_input', `${name}: ${what} for ${noun} ${invoiceId}; nothing was sent`);
	};
	const text = typeof raw === 'string' ? raw.trim() : raw;
	if (text === undefined || text === null || text === '') {
		if (provider.markPaidDateOptional) return undefined;
		return fail(
			`the Payment Date is empty, and ${name} needs the date the payment was made: give it as YYYY-MM-DD, or place Mark as Paid after a Revert Payment that kept it (previous.paymentDate)`,
		);
	}
	if (typeof text !== 'string') {
		const what = Array.isArray(text) ? 'a list' : typeof text === 'object' ? 'an object' : `a ${typeof text}`;
		return fail(`the Payment Date is ${what}, not ${FORMAT}; format a date with e.g. {{ $today.toFormat('yyyy-MM-dd') }}`);
	}
	if (isCalendarDate(text)) return text;
	const shown = text.length > 40 ? `a text of ${text.length} characters` : `"${text}"`;
	const hint = /^\d{4}-\d{2}-\d{2}[T ]/.test(text) ? ' (a date and time: give the date alone, e.g. {{ $json.date.slice(0, 10) }})' : '';
	return fail(`the Payment Date ${shown} is not ${FORMAT}${hint}`);
}

export const markAsPaid: Operation<MarkPaidRequest> = {
	value: MARK_PAID.operation,
	name: 'Mark as Paid',
	action: 'Mark an invoice as paid',
	description: 'Record the payment again, for example to undo a mistaken revert',
	since: 2,
	perInvoice: true,
	parameters: [
		{
			displayName: 'Payment Date',
			name: 'paymentDate',
			type: 'string',
			// A revert's output keeps the date it erased: chained after one, this undoes it.
			default: '={{ $json.previous?.paymentDate }}',
			placeholder: `e.g. ${EXAMPLE_DATE}`,
			description:
				`Date of the payment, YYYY-MM-DD. By default the date a Revert Payment before this node kept (previous.paymentDate). Empty: ${EMPTY_DATE}.`,
		},
	],
	options: [
		{
			displayName: 'Dry Run',
			name: 'dryRun',
			type: 'boolean',
			default: false,
			description:
				'Whether to only read the invoice and report what the operation would do (would_revert, would_mark_paid) or that it is already done (already_unpaid, already_paid), changing nothing',
		},
	],
	supports: (provider) => provider.endpoints.markPaid !== undefined,
	changes: {
		outcome: MARK_PAID.outcomes.done,
		contextKey: 'markedPaidInvoiceIds',
		note: (noun, ids) =>
			`Already marked paid in this run before it stopped (${ids.length} ${ids.length === 1 ? noun : `${noun}s`}): ${listIds(ids)}. These changes stand; a re-run leaves them paid`,
		unknown: {
			contextKey: 'unknownInvoiceIds',
			note: (noun, ids) =>
				`Result unknown (${ids.length} ${ids.length === 1 ? noun : `${noun}s`}, marking paid was sent but no answer confirmed it): ${listIds(ids)}. They may have been marked paid: check them, or run again (a re-run is safe and finds a marked one already_paid)`,
		},
	},
	prepare: ({ provider, invoiceId, options, parameter }: ItemInput) => {
		if (!markAsPaid.supports(provider)) {
			const { name, noun } = provider;
			throw new RevertFailure('unsupported', `${name}: the ${name} API documents no way to mark a ${noun} as paid, so the node cannot do it`);
		}
		return {
			invoiceId,
			dryRun: options.dryRun === true,
			readFirst: true,
			paymentDate: paymentDateOf(provider, parameter('paymentDate', ''), invoiceId),
		};
	},
	run: async (gateway, request) => {
		const payment = { date: request.paymentDate };
		return [await new WriteRun(gateway, MARK_PAID, request, () => gateway.markPaid(request.invoiceId, payment)).run()];
	},
};
