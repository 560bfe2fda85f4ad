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
 * An operation of a later node version than `version`, named by the parameter's value (a node
 * whose JSON was edited or pasted): refused, never replaced by the default, which may be the
 * opposite write.
 */
export function laterOperation(value: unknown, version: number): Operation | undefined {
	return operations.find((operation) => operation.value === value && operation.since > version);
}

/** The operation for the parameter's value; an unknown value is the version's default, as before. */
export function operationFor(value: unknown, version: number): Operation {
	const offered = operationsOf(version);
	return offered.find((operation) => operation.value === value) ?? offered[0];
}

export type * from './types';
