/** A value as a message shows it: what was given, never a converted value, and never cut. */

/** Longest value quoted in a message. Longer ones are described, never cut: redaction needs them whole. */
export const QUOTED = 80;

/** A list or object as JSON when short, else what it is. */
export function shown(value: object): string {
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

/** Any value an expression may give, in words: `the text "yes"`, `1`, `null`, `a list [1,2]`. */
export function valueText(value: unknown): string {
	if (typeof value === 'string') {
		if (value.trim() === '') return 'an empty text';
		return value.length > QUOTED ? `a text of ${value.length} characters` : `the text "${value}"`;
	}
	if (Array.isArray(value)) return `a list ${shown(value)}`;
	if (typeof value === 'object' && value !== null) return `an object ${shown(value)}`;
	return String(value);
}
