import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { commonOptions, commonOptionsOf } from './description';
import { RevertFailure } from './errors';
import type { ItemInput, Operation } from './operations';
import type { Provider } from './providers';
import { failed, ok, type Result } from './result';
import { QUOTED, shown, valueText } from './shown';

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

/**
 * One option or choice, read strictly against its description: whatever an expression gives must
 * be a value of its type, never guessed into one, since a guess can turn a Dry Run into a write.
 * Not set is the description's default; for a number, so are an empty text and null (an empty
 * sheet cell, a JSON null). A boolean takes true or false, or the text "true" or "false" (any case,
 * trimmed); a number takes a number or a text that is one, within the description's bounds; a
 * choice takes one of its values. Anything else is invalid_input naming the option and the item.
 */
export function checkedValue(provider: Provider, property: INodeProperties, value: unknown, i: number): unknown {
	if (value === undefined) return property.default;
	const refuse = (problem: string, remedy: string) =>
		fail(`${provider.name}: "${property.displayName}" (${property.name}) of item ${i} is ${valueText(value)}, ${problem}; ${remedy}`);
	switch (property.type) {
		case 'boolean': {
			if (typeof value === 'boolean') return value;
			const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
			if (text === 'true' || text === 'false') return text === 'true';
			return refuse('not true or false', 'set it to true or false (an expression may also give the text "true" or "false")');
		}
		case 'number': {
			if (value === null || (typeof value === 'string' && value.trim() === '')) return property.default;
			const { minValue = -Infinity, maxValue = Infinity, numberPrecision } = property.typeOptions ?? {};
			const whole = numberPrecision === 0;
			const bounds =
				maxValue === Infinity ? `at least ${minValue}` : minValue === -Infinity ? `at most ${maxValue}` : `from ${minValue} to ${maxValue}`;
			const remedy = `give ${whole ? 'a whole number' : 'a number'} ${bounds}, or leave it empty for the default (${String(property.default)})`;
			const n = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : NaN;
			if (!Number.isFinite(n)) return refuse('not a number', remedy);
			if (n < minValue || n > maxValue) return refuse(`outside ${bounds.replace(/^from /, '')}`, remedy);
			if (whole && !Number.isInteger(n)) return refuse('not a whole number', remedy);
			return n;
		}
		case 'options': {
			const choices = (property.options ?? []) as Array<{ name: string; value: unknown }>;
			const text = typeof value === 'string' ? value.trim() : value;
			const choice = choices.find((c) => c.value === text);
			if (choice) return choice.value;
			return refuse('not one of its choices', `choose ${choices.map((c) => `${c.name} (${JSON.stringify(c.value)})`).join(' or ')}`);
		}
		default:
			return value;
	}
}

/** A number as text: digits, a point, an exponent; not hex, not "Infinity", not "1,5". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The Options collection as `declared` (its entries' descriptions) read, for item `i`. */
export function readOptions(provider: Provider, declared: INodeProperties[], raw: unknown, i: number): IDataObject {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
		return fail(`${provider.name}: the Options of item ${i} are ${valueText(raw)}, not a set of options; remove the expression from Options`);
	}
	const given = raw as IDataObject;
	return Object.fromEntries(declared.map((p) => [p.name, checkedValue(provider, p, given[p.name], i)])) as IDataObject;
}

const concurrencyOption = commonOptions.find((p) => p.name === 'concurrency')!;

/**
 * Items in flight, read once for the run from item 0. A value that is not one falls back to the
 * default here: each item's own check (readInput) reports it.
 */
export function runConcurrency(provider: Provider, raw: unknown): number {
	try {
		return checkedValue(provider, concurrencyOption, (raw as IDataObject | undefined)?.concurrency, 0) as number;
	} catch {
		return concurrencyOption.default as number;
	}
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
	if (provider.authStyles.length > 1) {
		const chosen = parameter(ctx, provider, 'authentication', i, provider.authStyles[0].value);
		if (!chosen.ok) throw chosen.failure;
		checkedValue(provider, authenticationOf(provider), chosen.value, i);
	}
	const options = readOptions(provider, [...commonOptionsOf(ctx.getNode().typeVersion), ...(operation.options ?? [])], rawOptions.value, i);
	return {
		provider,
		invoiceId: operation.perInvoice ? validateInvoiceId(provider, rawId.value) : '',
		options,
		transport: {
			maxRetries: options.maxRetries as number,
			maxRetryWaitSeconds: options.maxRetryWaitSeconds as number,
			timeoutSeconds: options.timeoutSeconds as number,
		},
		parameter: (name, fallback) => {
			const read = parameter(ctx, provider, name, i, fallback);
			if (!read.ok) throw read.failure;
			return read.value;
		},
	};
}

/**
 * The Authentication choice as the provider offers it (the description lists every provider's).
 * No default: readInput reads it with the provider's first style as the fallback.
 */
function authenticationOf(provider: Provider): INodeProperties {
	const options = provider.authStyles.map((s) => ({ name: s.name, value: s.value }));
	return { displayName: 'Authentication', name: 'authentication', type: 'options', options, default: '' };
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

function fail(message: string): never {
	throw new RevertFailure('invalid_input', message);
}
