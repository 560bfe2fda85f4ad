/**
 * The steps every write operation shares (Revert Payment, Mark as Paid): read first where the
 * vendor can, skip the write when the invoice is already as the write would leave it, and believe
 * a write only when an answer (or a read after an unclear one) shows the invoice changed. What
 * differs between writes is data: a `WriteKind`.
 */
import type { IDataObject } from 'n8n-workflow';

import { checkSetup, mapFailure, RevertFailure, TransportFailure } from '../errors';
import type { InvoiceAnswer, InvoiceGateway, Snapshot } from '../gateway';
import type { InvoiceState, Provider, Refusal, VendorResponse, WriteAction } from '../providers';
import { invoiceItem, readInvoice, unexpected } from './common';

/** One write operation, as data: its outcomes, its refusals and the words of its messages. */
export interface WriteKind {
	operation: string;
	action: WriteAction;
	/** Whether the invoice is already as the write leaves it. */
	done(state: InvoiceState): boolean;
	outcomes: { done: string; already: string; would: string };
	/** The refusal that says "already done", and the one that may say it (a read decides). */
	refusals: { already: Refusal; maybeAlready: Refusal };
	/** The invoice as the vendor leaves it, where it says only "already done" and cannot be read. */
	assumedStatus(provider: Provider): { status: string; paid: boolean };
	/** What to do instead of a Dry Run where the vendor cannot be read. */
	instead: string;
	words: {
		/** The state the write changes, after "is" / "still": 'paid', 'not paid'. */
		notDone: string;
		/** The state it leaves, after "showing the invoice": 'unpaid', 'paid'. */
		doneAdj: string;
		/** 'the revert', 'marking it paid'. */
		theWrite: string;
		/** 'the revert of supplier invoice X', 'marking supplier invoice X paid'. */
		request(noun: string, invoiceId: string): string;
		/** After "refuses to": 'revert it', 'mark it paid'. */
		doIt: string;
		/** After "refused to": 'mark it unpaid', 'mark it paid'. */
		markIt: string;
		/** After "whether it was", "nothing was": 'reverted', 'marked paid'. */
		done: string;
		/** Why the invoice is read before the write: 'capture its previous state'. */
		readFirst: string;
	};
}

export interface WriteRequest {
	invoiceId: string;
	dryRun: boolean;
	/** Read before the write, where the vendor can: the previous state, and no write when already done. */
	readFirst: boolean;
	/** The invoice is already as the write would leave it: an error instead of the `already` outcome. */
	failIfAlready?(now: Snapshot, provider: Provider): RevertFailure | undefined;
}

/** One item's write: `send` makes the request (the gateway's revert, markPaid, ...). */
export class WriteRun {
	constructor(
		private readonly gateway: InvoiceGateway,
		private readonly kind: WriteKind,
		private readonly request: WriteRequest,
		private readonly send: () => Promise<InvoiceAnswer>,
	) {}

	private get provider() {
		return this.gateway.provider;
	}

	async run(): Promise<IDataObject> {
		const { invoiceId, dryRun, readFirst } = this.request;
		const { kind } = this;
		if (dryRun) {
			const now = await readInvoice(this.gateway, invoiceId, 'check it without changing anything (Dry Run)', kind.instead);
			return this.item(kind.done(now.state) ? kind.outcomes.already : kind.outcomes.would, now, now.state);
		}
		let before: Snapshot | undefined;
		if (readFirst && this.gateway.can('read')) {
			before = await readInvoice(this.gateway, invoiceId, kind.words.readFirst, kind.instead);
			if (kind.done(before.state)) return this.already(before, before.state);
		}
		return await this.write(before);
	}

	private async write(before: Snapshot | undefined): Promise<IDataObject> {
		const answer = await this.send();
		const previous = before?.state ?? null;
		const { kind } = this;
		switch (answer.kind) {
			case 'snapshot':
				if (kind.done(answer.snapshot.state)) return this.item(kind.outcomes.done, answer.snapshot, previous);
				return await this.unclear(
					answer.response,
					`the answer shows it still ${kind.words.notDone} (status "${answer.snapshot.state.status}")`,
					true,
					previous,
				);
			case 'ambiguous':
				return await this.unclear(answer.response, answer.reason, false, previous);
			case 'refusal':
				return await this.refused(answer, previous);
			default:
				throw mapFailure(this.provider, answer.failure, this.request.invoiceId);
		}
	}

	/** The vendor refused: a re-run (already done), an earlier attempt that went through, or a real refusal. */
	private async refused(answer: Extract<InvoiceAnswer, { kind: 'refusal' }>, previous: InvoiceState | null): Promise<IDataObject> {
		const { refusal, failure, vendor, mayHaveApplied } = answer;
		const { name } = this.provider;
		const { kind } = this;
		const { words } = kind;
		if (refusal === 'locked') {
			throw this.refusedWhileNotDone(failure, `is ${words.notDone} but ${name} refuses to ${words.doIt} (locked or in a closed period)`);
		}
		const canRead = this.gateway.can('read');
		if (refusal === kind.refusals.already && !canRead) {
			const now = { state: this.assumedState(), requestId: vendor.requestId };
			// Already done after an attempt whose result was unknown: that attempt did it.
			if (mayHaveApplied) return this.item(kind.outcomes.done, now, previous);
			return this.already(now, previous);
		}
		if (canRead) {
			// The refusal may mean "already done" (a re-run, or our earlier attempt that did go through).
			const purpose = `confirm why ${words.theWrite} was refused`;
			const now = mayHaveApplied ? await this.confirm(purpose) : await readInvoice(this.gateway, this.request.invoiceId, purpose, kind.instead);
			if (kind.done(now.state)) {
				if (mayHaveApplied) return this.item(kind.outcomes.done, now, previous);
				return this.already(now, previous ?? now.state);
			}
			throw this.refusedWhileNotDone(
				failure,
				`is still ${words.notDone}: ${name} refused to ${words.markIt} (HTTP ${failure.response?.statusCode})`,
			);
		}
		throw mapFailure(this.provider, failure, this.request.invoiceId);
	}

	/**
	 * A 2xx to the write that does not show the asked invoice changed: `done` only when a read then
	 * does (the write did it). Anything else is not an outcome.
	 */
	private async unclear(response: VendorResponse, wrong: string, isInvoice: boolean, previous: InvoiceState | null): Promise<IDataObject> {
		const { name, noun } = this.provider;
		const { words } = this.kind;
		const { invoiceId } = this.request;
		const said = `${name} answered success (HTTP ${response.statusCode}) to ${words.request(noun, invoiceId)}, but ${wrong}`;
		if (!this.gateway.can('read')) {
			throw unknownResult(
				unexpected(
					this.provider,
					response,
					isInvoice,
					`${name}: ${said}; ${name} cannot be asked for one ${noun}, so whether it was ${words.done} is unknown: check it in ${name} (a re-run is safe); ${checkSetup(this.provider)}`,
				),
			);
		}
		const now = await this.confirm(
			`confirm ${words.theWrite}, which ${name} answered with HTTP ${response.statusCode} without showing the ${noun} ${words.doneAdj}`,
		);
		if (this.kind.done(now.state)) return this.item(this.kind.outcomes.done, now, previous);
		throw unexpected(
			this.provider,
			response,
			isInvoice,
			`${name}: ${said}; a read shows it still ${words.notDone} (status "${now.state.status}"), so nothing was ${words.done}; ${checkSetup(this.provider)}`,
		);
	}

	/** The read that settles a write that may have been applied: when it fails, the result is unknown. */
	private async confirm(purpose: string): Promise<Snapshot> {
		try {
			return await readInvoice(this.gateway, this.request.invoiceId, purpose, this.kind.instead);
		} catch (error) {
			const { name, noun } = this.provider;
			const { words } = this.kind;
			const failure =
				error instanceof RevertFailure ? error : new RevertFailure('unexpected_response', `${name}: ${error instanceof Error ? error.message : String(error)}`);
			const hint = `The request for ${words.theWrite} was sent and may have been applied; this read was to confirm it, so whether ${noun} ${this.request.invoiceId} was ${words.done} is unknown`;
			throw unknownResult(failure, hint);
		}
	}

	/** The vendor refuses to change the invoice: `invalid_state`, with its code and message. */
	private refusedWhileNotDone(failure: TransportFailure, state: string): RevertFailure {
		const mapped = mapFailure(this.provider, failure, this.request.invoiceId);
		const said = mapped.details.vendor?.vendorMessage ? `: ${mapped.details.vendor.vendorMessage}` : '';
		// Still not done (or locked): nothing was changed, whatever an earlier attempt's answer was.
		return new RevertFailure(
			'invalid_state',
			`${this.provider.name}: ${this.provider.noun} ${this.request.invoiceId} ${state}${said}`,
			{ ...mapped.details, resultUnknown: false },
		);
	}

	private already(now: Snapshot, previous: InvoiceState | null): IDataObject {
		const failure = this.request.failIfAlready?.(now, this.provider);
		if (failure) throw failure;
		return this.item(this.kind.outcomes.already, now, previous);
	}

	/** The vendor said "already done" and cannot be read: report what is known and nothing more. */
	private assumedState(): InvoiceState {
		return {
			...this.kind.assumedStatus(this.provider),
			paymentDate: null,
			paymentAmount: null,
			invoiceNumber: null,
			amount: null,
			currency: null,
			invoice: {},
		};
	}

	private item(outcome: string, now: Snapshot, previous: InvoiceState | null): IDataObject {
		const { name, noun } = this.provider;
		const notes =
			previous === null && !this.gateway.can('read')
				? [`${name} documents no way to read a single ${noun}, so the state before ${this.kind.words.theWrite} could not be captured.`]
				: [];
		return invoiceItem(this.provider, {
			operation: this.kind.operation,
			invoiceId: this.request.invoiceId,
			outcome,
			now,
			previous,
			changed: outcome === this.kind.outcomes.done ? this.kind.action : undefined,
			notes,
		});
	}
}

/** The same failure, marked as a write whose result is unknown (a stopped run names it); `hint` for the description. */
function unknownResult(failure: RevertFailure, hint?: string): RevertFailure {
	const joined = [failure.details.hint, hint].filter(Boolean).join(' · ');
	return new RevertFailure(failure.category, failure.message, { ...failure.details, ...(joined ? { hint: joined } : {}), resultUnknown: true });
}
