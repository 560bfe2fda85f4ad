/** Revert Payment: mark a paid invoice unpaid again, the same way for every vendor. */
import type { IDataObject } from 'n8n-workflow';

import { checkSetup, listIds, mapFailure, RevertFailure, TransportFailure } from '../errors';
import type { InvoiceGateway, InvoiceAnswer, Snapshot } from '../gateway';
import type { InvoiceState, VendorResponse } from '../providers';
import { invoiceItem, readInvoice, unexpected } from './common';
import type { Operation } from './types';

interface RevertRequest {
	invoiceId: string;
	ifNotPaid: 'succeed' | 'fail';
	capturePreviousState: boolean;
	dryRun: boolean;
}

type Outcome = 'reverted' | 'already_unpaid' | 'would_revert';

const INSTEAD = 'use Revert Payment without Dry Run';

export const revertPayment: Operation<RevertRequest> = {
	value: 'revertPayment',
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
		ifNotPaid: options.ifNotPaid as RevertRequest['ifNotPaid'],
		capturePreviousState: options.capturePreviousState as boolean,
		dryRun: options.dryRun as boolean,
	}),
	run: async (gateway, request) => [await new Revert(gateway, request).run()],
};

class Revert {
	constructor(
		private readonly gateway: InvoiceGateway,
		private readonly request: RevertRequest,
	) {}

	private get provider() {
		return this.gateway.provider;
	}

	async run(): Promise<IDataObject> {
		const { invoiceId, dryRun, capturePreviousState } = this.request;
		if (dryRun) {
			const now = await readInvoice(this.gateway, invoiceId, 'check it without changing anything (Dry Run)', INSTEAD);
			return this.item(now.state.paid ? 'would_revert' : 'already_unpaid', now, now.state);
		}
		let before: Snapshot | undefined;
		if (capturePreviousState && this.gateway.can('read')) {
			before = await readInvoice(this.gateway, invoiceId, 'capture its previous state', INSTEAD);
			if (!before.state.paid) return this.notPaid(before, before.state);
		}
		return await this.revert(before);
	}

	private async revert(before: Snapshot | undefined): Promise<IDataObject> {
		const answer = await this.gateway.revert(this.request.invoiceId);
		const previous = before?.state ?? null;
		switch (answer.kind) {
			case 'snapshot':
				if (!answer.snapshot.state.paid) return this.item('reverted', answer.snapshot, previous);
				return await this.unclear(answer.response, `the answer shows it still paid (status "${answer.snapshot.state.status}")`, true, previous);
			case 'ambiguous':
				return await this.unclear(answer.response, answer.reason, false, previous);
			case 'refusal':
				return await this.refused(answer, previous);
			default:
				throw mapFailure(this.provider, answer.failure, this.request.invoiceId);
		}
	}

	/** The vendor refused: a re-run (not paid), an earlier attempt that went through, or a real refusal. */
	private async refused(answer: Extract<InvoiceAnswer, { kind: 'refusal' }>, previous: InvoiceState | null): Promise<IDataObject> {
		const { refusal, failure, vendor, mayHaveApplied } = answer;
		const { name } = this.provider;
		if (refusal === 'locked') {
			throw this.refusedWhilePaid(failure, `is paid but ${name} refuses to revert it (locked or in a closed period)`);
		}
		const canRead = this.gateway.can('read');
		if (refusal === 'notPaid' && !canRead) {
			const now = { state: this.unknownUnpaid(), requestId: vendor.requestId };
			// Unpaid after an attempt whose result was unknown: that attempt did it.
			if (mayHaveApplied) return this.item('reverted', now, previous);
			return this.notPaid(now, previous);
		}
		if (canRead) {
			// The refusal may mean "not paid" (a re-run, or our earlier attempt that did go through).
			const purpose = 'confirm why the revert was refused';
			const now = mayHaveApplied ? await this.confirm(purpose) : await readInvoice(this.gateway, this.request.invoiceId, purpose, INSTEAD);
			if (!now.state.paid) {
				if (mayHaveApplied) return this.item('reverted', now, previous);
				return this.notPaid(now, previous ?? now.state);
			}
			throw this.refusedWhilePaid(failure, `is still paid: ${name} refused to mark it unpaid (HTTP ${failure.response?.statusCode})`);
		}
		throw mapFailure(this.provider, failure, this.request.invoiceId);
	}

	/**
	 * A 2xx to the write that does not show the asked invoice no longer paid: `reverted` only when a
	 * read then does (the write did it). Anything else is not an outcome.
	 */
	private async unclear(response: VendorResponse, wrong: string, isInvoice: boolean, previous: InvoiceState | null): Promise<IDataObject> {
		const { name, noun } = this.provider;
		const { invoiceId } = this.request;
		const said = `${name} answered success (HTTP ${response.statusCode}) to the revert of ${noun} ${invoiceId}, but ${wrong}`;
		if (!this.gateway.can('read')) {
			throw unknownResult(
				unexpected(
					this.provider,
					response,
					isInvoice,
					`${name}: ${said}; ${name} cannot be asked for one ${noun}, so whether it was reverted is unknown: check it in ${name} (a re-run is safe); ${checkSetup(this.provider)}`,
				),
			);
		}
		const now = await this.confirm(`confirm the revert, which ${name} answered with HTTP ${response.statusCode} without showing the ${noun} unpaid`);
		if (!now.state.paid) return this.item('reverted', now, previous);
		throw unexpected(
			this.provider,
			response,
			isInvoice,
			`${name}: ${said}; a read shows it still paid (status "${now.state.status}"), so nothing was reverted; ${checkSetup(this.provider)}`,
		);
	}

	/** The read that settles a write that may have been applied: when it fails, the result is unknown. */
	private async confirm(purpose: string): Promise<Snapshot> {
		try {
			return await readInvoice(this.gateway, this.request.invoiceId, purpose, INSTEAD);
		} catch (error) {
			const { name, noun } = this.provider;
			const failure =
				error instanceof RevertFailure ? error : new RevertFailure('unexpected_response', `${name}: ${error instanceof Error ? error.message : String(error)}`);
			const hint = `The revert was sent and may have been applied; this read was to confirm it, so whether ${noun} ${this.request.invoiceId} was reverted is unknown`;
			throw unknownResult(failure, hint);
		}
	}

	/** The vendor refuses to revert an invoice that is paid: `invalid_state`, with its code and message. */
	private refusedWhilePaid(failure: TransportFailure, state: string): RevertFailure {
		const mapped = mapFailure(this.provider, failure, this.request.invoiceId);
		const said = mapped.details.vendor?.vendorMessage ? `: ${mapped.details.vendor.vendorMessage}` : '';
		// Still paid (or locked): nothing was reverted, whatever an earlier attempt's answer was.
		return new RevertFailure(
			'invalid_state',
			`${this.provider.name}: ${this.provider.noun} ${this.request.invoiceId} ${state}${said}`,
			{ ...mapped.details, resultUnknown: false },
		);
	}

	private notPaid(now: Snapshot, previous: InvoiceState | null): IDataObject {
		if (this.request.ifNotPaid === 'fail') {
			throw new RevertFailure(
				'invalid_state',
				`${this.provider.name}: ${this.provider.noun} ${this.request.invoiceId} is not paid (status "${now.state.status}"), so there is no payment to revert; set "If Not Paid" to Succeed to accept this`,
				{ httpCode: null, vendor: { vendorCode: null, vendorMessage: null, requestId: now.requestId } },
			);
		}
		return this.item('already_unpaid', now, previous);
	}

	/** The vendor said "not paid" and cannot be read: report what is known and nothing more. */
	private unknownUnpaid(): InvoiceState {
		return {
			status: this.provider.unpaidStatus,
			paid: false,
			paymentDate: null,
			paymentAmount: null,
			invoiceNumber: null,
			amount: null,
			currency: null,
			invoice: {},
		};
	}

	private item(outcome: Outcome, now: Snapshot, previous: InvoiceState | null): IDataObject {
		const { name, noun } = this.provider;
		const notes =
			previous === null && !this.gateway.can('read')
				? [`${name} documents no way to read a single ${noun}, so the state before the revert could not be captured.`]
				: [];
		return invoiceItem(this.provider, {
			operation: revertPayment.value,
			invoiceId: this.request.invoiceId,
			outcome,
			now,
			previous,
			changed: outcome === 'reverted' ? 'revert' : undefined,
			notes,
		});
	}
}

/** The same failure, marked as a write whose result is unknown (a stopped run names it); `hint` for the description. */
function unknownResult(failure: RevertFailure, hint?: string): RevertFailure {
	const joined = [failure.details.hint, hint].filter(Boolean).join(' · ');
	return new RevertFailure(failure.category, failure.message, { ...failure.details, ...(joined ? { hint: joined } : {}), resultUnknown: true });
}
