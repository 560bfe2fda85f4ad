import { RevertFailure } from '../errors';
import { valueText } from '../shown';
import { getMany } from './getMany';
import { getStatus } from './getStatus';
import { markAsPaid } from './markAsPaid';
import { revertPayment } from './revertPayment';
import type { Operation } from './types';

/**
 * Adding an operation: one module in this folder and one line here, in the editor's order (the
 * first a node version offers is its default). Its `since` keeps it out of earlier versions.
 */
export const operations: ReadonlyArray<Operation> = [revertPayment, getStatus, markAsPaid, getMany];

/** The operations a node version offers. */
export function operationsOf(version: number): Operation[] {
	return operations.filter((operation) => operation.since <= version);
}

/**
 * The operation for the parameter's value. A value this version does not offer (saved by a newer
 * version, or given by an expression) is never replaced by another operation: it refuses each item.
 */
export function operationFor(value: unknown, version: number): Operation {
	const offered = operationsOf(version);
	return offered.find((operation) => operation.value === value) ?? unknownOperation(value, version, offered);
}

function unknownOperation(value: unknown, version: number, offered: Operation[]): Operation {
	return {
		value: String(value),
		name: String(value),
		action: `Refuse the unknown operation ${String(value)}`,
		description: `Not offered by version ${version} of the node`,
		since: version,
		perInvoice: false,
		supports: () => false,
		prepare: ({ provider }) => {
			// An operation of a later node version (a node whose JSON was edited or pasted) says so.
			const later = operations.find((operation) => operation.value === value && operation.since > version);
			const hint = later
				? `${later.name} needs node version ${later.since} or later, and this node is version ${version}: add a new Payment Revert node for it`
				: `choose ${offered.map((o) => o.name).join(' or ')} (a workflow saved by a newer version of the node needs that version installed)`;
			throw new RevertFailure(
				'invalid_input',
				`${provider.name}: the operation is ${valueText(value)}, which version ${version} of this node does not offer, so nothing was sent; ${hint}`,
			);
		},
		run: async () => [],
	};
}

export type * from './types';
