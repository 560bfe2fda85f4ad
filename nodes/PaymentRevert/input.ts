import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { RevertFailure } from './errors';
import type { ItemInput, Operation } from './operations';
import type { Provider } from './providers';
import { failed, ok, type Result } from './result';

/**
 * A parameter whose expression cannot be resolved for this item is bad input, not a vendor problem.
 * `extractValue`: a resource locator's value (the Invoice ID from node version 2), not its object.
 */
export function parameter(
	ctx: IExecuteFunctions,
	provider: Provider,
	name: string,
	i: number,
	fallback?: unknown,
	extractValue = false,
): Result<unknown, RevertFailure> {
	try {
		return ok(ctx.getNodeParameter(name, i, fallback, extractValue ? { extractValue } : undefined));
	} catch (error) {
		return failed(
			new RevertFailure(
				'invalid_input',
				`${provider.name}: the "${name}" parameter could not be read for this item (${(error as Error).message}); fix its expression`,
			),
		);
	}
}

export function clamp(value: unknown, min: number, max: number, fallback: number): number {
	const n = Number(value);
	return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** The item's Invoice ID as given: a text in node version 1, a resource locator's value from version 2. */
export function invoiceIdParameter(ctx: IExecuteFunctions, provider: Provider, i: number): Result<unknown, RevertFailure> {
	return parameter(ctx, provider, 'invoiceId', i, '', true);
}

/**
 * What every operation gets of item `i`, checked before anything is sent. `rawId`: the Invoice ID
 * as read by the item loop (an operation without one gets '').
 */
export function readInput(
	ctx: IExecuteFunctions,
	provider: Provider,
	operation: Operation,
	i: number,
	rawId: Result<unknown, RevertFailure>,
): ItemInput {
	const rawOptions = parameter(ctx, provider, 'options', i, {});
	if (!rawId.ok) throw rawId.failure;
	if (!rawOptions.ok) throw rawOptions.failure;
	const options = rawOptions.value as IDataObject;
	return {
		provider,
		invoiceId: operation.perInvoice ? validateInvoiceId(provider, rawId.value) : '',
		options,
		transport: {
			maxRetries: Math.floor(clamp(options.maxRetries, 0, 10, 3)),
			maxRetryWaitSeconds: clamp(options.maxRetryWaitSeconds, 0, 86_400, 60),
			timeoutSeconds: clamp(options.timeoutSeconds, 1, 3_600, 30),
		},
		parameter: (name, fallback) => {
			const read = parameter(ctx, provider, name, i, fallback);
			if (!read.ok) throw read.failure;
			return read.value;
		},
	};
}

/**
 * The Invoice ID as n8n resolved it, checked before anything is sent. An expression may yield
 * any JSON value; only text, and whole numbers for providers whose IDs are integers, can be an ID.
 * Everything else is refused rather than turned into text: `String([1042])` is "1042", and a
 * number above 2^53 has already been rounded to another ID.
 */
export function validateInvoiceId(provider: Provider, raw: unknown): string {
	if (typeof raw === 'number' || typeof raw === 'bigint') return fromNumber(provider, raw);
	if (raw === undefined || raw === null || typeof raw === 'string') return fromString(provider, raw ?? '', false);
	return fail(notAnId(provider, raw));
}

/** The ID as the error item shows it: what was given, never a silently converted value. */
export function invoiceIdText(raw: unknown): string {
	if (raw === undefined || raw === null) return '';
	if (typeof raw === 'string') return raw.trim();
	if (typeof raw === 'object') return shown(raw);
	return String(raw);
}

/** Longest value quoted in a message. Longer ones are described, never cut: redaction needs them whole. */
const QUOTED = 80;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function fromNumber(provider: Provider, raw: number | bigint): string {
	const { name, noun, idFormat } = provider;
	const mapIt = `map the field that holds the ${noun}'s ID (${idFormat})`;
	if (typeof raw === 'number' && !Number.isFinite(raw)) {
		return fail(`${name}: the invoice ID is ${String(raw)}, not a number that can be an ID; ${mapIt}`);
	}
	if (!provider.integerIds) {
		return fail(
			`${name}: the invoice ID is the number ${String(raw)}, but ${name} ${noun} IDs are text, never numbers; ${mapIt}, not a number such as an invoice number or an amount`,
		);
	}
	if (typeof raw === 'bigint') return fromString(provider, String(raw), true);
	if (!Number.isInteger(raw)) {
		return fail(`${name}: the invoice ID ${String(raw)} has a fraction, but ${name} ${noun} IDs are whole numbers; ${mapIt}, not an amount`);
	}
	if (!Number.isSafeInteger(raw)) {
		return fail(
			`${name}: the invoice ID ${String(raw)} is a number above ${MAX_SAFE} (2^53 - 1), so it was rounded before it reached this node and may name another ${noun}; nothing was sent. ` +
				`Have the source carry the ID as text (a string field, or the ID typed as plain text); {{ String($json.id) }} does not help once the number is rounded`,
		);
	}
	return fromString(provider, String(raw), true);
}

function fromString(provider: Provider, raw: string, numeric: boolean): string {
	const { name, noun, idFormat } = provider;
	const id = raw.trim();
	if (id === '') {
		return fail(`${name}: the invoice ID is empty; map a field holding the ${noun} ID (${idFormat})`);
	}
	if (provider.idPattern.test(id)) return id;
	const quoted = id.length > QUOTED ? `a text of ${id.length} characters` : `"${id}"`;
	return fail(`${name}: ${quoted} is not a valid ${noun} ID${numeric ? '' : why(id)}; expected ${idFormat}`);
}

/** What makes a text that looks right wrong: say it, since the message cannot show it. */
function why(id: string): string {
	if (/^[+-]?\d+(\.\d+)?e[+-]?\d+$/i.test(id)) {
		return ' (a number in exponent form: it was a number too large to be exact before it became text; the source must carry the ID as text)';
	}
	if (/\s/.test(id)) return ' (it contains a space inside)';
	const odd = [...new Set([...id].filter((c) => !/[\x21-\x7e]/.test(c)))];
	if (odd.length) {
		const codes = odd.slice(0, 3).map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
		return ` (it contains ${codes.join(', ')}: characters that are not plain letters or digits, such as an invisible space or digits of another script)`;
	}
	return '';
}

function notAnId({ name, noun, idFormat }: Provider, raw: unknown): string {
	if (Array.isArray(raw)) {
		return `${name}: the invoice ID is a list (${shown(raw)}), not one ID; give each item one ID, e.g. {{ $json.ids[0] }}, or split the list into items first (Split Out node)`;
	}
	if (typeof raw === 'boolean') {
		return `${name}: the invoice ID is ${String(raw)} (a true/false value), not an ID; map the field that holds the ${noun}'s ID (${idFormat})`;
	}
	const what = typeof raw === 'object' && raw !== null ? `an object (${shown(raw)})` : `a ${typeof raw}`;
	return `${name}: the invoice ID is ${what}, not an ID; map the field inside it that holds the ${noun}'s ID (${idFormat}), e.g. {{ $json.invoice.id }}`;
}

/** A list or object as JSON when short, else what it is. */
function shown(value: object): string {
	let text: string | undefined;
	try {
		text = JSON.stringify(value);
	} catch {
		text = undefined;
	}
	if (text !== undefined && text.length <= QUOTED) return text;
	if (Array.isArray(value)) return `of ${value.length} values`;
	const keys = Object.keys(value);
	return keys.length ? `with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}` : Object.prototype.toString.call(value);
}

function fail(message: string): never {
	throw new RevertFailure('invalid_input', message);
}
