import { getMany } from './getMany';
import { getStatus } from './getStatus';
import { revertPayment } from './revertPayment';
import type { Operation } from './types';

/**
 * Adding an operation: one module in this folder and one line here, in the editor's order (the
 * first a node version offers is its default). Its `since` keeps it out of earlier versions.
 */
export const operations: ReadonlyArray<Operation> = [revertPayment, getStatus, getMany];

/** The operations a node version offers. */
export function operationsOf(version: number): Operation[] {
	return operations.filter((operation) => operation.since <= version);
}

/** The operation for the parameter's value; an unknown value is the version's default, as before. */
export function operationFor(value: unknown, version: number): Operation {
	const offered = operationsOf(version);
	return offered.find((operation) => operation.value === value) ?? offered[0];
}

export type * from './types';
