import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

export const REDACTED = '[redacted]';

/** Shorter values would redact ordinary words; they are not worth a vendor's echo either. */
const MIN_SECRET = 4;
/** A secret cut short (a vendor's "sk_live_abcd…", a truncated excerpt) is redacted from this many characters on. */
const MIN_PREFIX = 12;
/** Encoded forms shorter than this (a few bytes of a short secret) would match by chance. */
const MIN_ENCODED = 8;

/** Shapes that are secrets whatever their value: API keys, bearer and basic credentials, JWTs. */
const KEY_PATTERNS: Array<[RegExp, string]> = [
	[/\bsk_(?:live|test)_[A-Za-z0-9]+/g, REDACTED],
	// A credential has a digit or a symbol: "Bearer authentication required" keeps its words.
	[/\b(Bearer|Basic)\s+(?=[A-Za-z]*(?:[0-9+/=_~-]|\.[A-Za-z0-9]))[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
	[/\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?/g, REDACTED],
];

const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

interface Form {
	/** ASCII-lower-cased: vendors echo in any case. */
	text: string;
	/** The shortest prefix of `text` that is redacted (the whole of a short secret). */
	min: number;
	/** Base64: the whole run of base64 characters around it goes (it encodes more of the secret). */
	base64: boolean;
}

/** Lower-cases ASCII only, so that positions in the folded text are positions in the original. */
function fold(text: string): string {
	return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

function percentAll(text: string): string {
	return Array.from(Buffer.from(text, 'utf8'), (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

const base64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
const base64Url = (text: string) => text.replace(/\+/g, '-').replace(/\//g, '_');

/** Every form in which a vendor may echo `secret`. */
function formsOf(secret: string): Form[] {
	const forms = new Map<string, Form>();
	const add = (text: string, prefixText: string, isBase64 = false) => {
		const form = { text: fold(text), min: Math.min(text.length, prefixText.length), base64: isBase64 };
		if (text.length >= (isBase64 ? MIN_ENCODED : MIN_SECRET)) forms.set(`${form.min} ${form.text}`, form);
	};
	const head = secret.slice(0, MIN_PREFIX);
	add(secret, head);
	add(encodeURIComponent(secret), encodeURIComponent(head));
	add(encodeURIComponent(secret).replace(/%20/g, '+'), encodeURIComponent(head).replace(/%20/g, '+'));
	add(percentAll(secret), percentAll(head));
	add(JSON.stringify(secret).slice(1, -1), JSON.stringify(head).slice(1, -1));
	add(JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'), JSON.stringify(head).slice(1, -1).replace(/\//g, '\\/'));
	// Inside a longer base64 text (a Basic header, an encoded JSON), the secret starts at one of
	// three offsets in a 3-byte group: the complete groups of each are what shows.
	const bytes = Buffer.from(secret, 'utf8');
	for (let skip = 0; skip < 3; skip++) {
		const whole = bytes.subarray(skip, skip + 3 * Math.floor((bytes.length - skip) / 3));
		if (whole.length === 0) continue;
		const text = base64(whole);
		const prefix = base64(whole.subarray(0, Math.min(whole.length, 3 * Math.ceil(MIN_PREFIX / 3))));
		add(text, prefix, true);
		add(base64Url(text), prefix, true);
	}
	// The whole secret encoded on its own (with its last, partial group).
	add(base64(bytes), base64(bytes.subarray(0, 3 * Math.ceil(MIN_PREFIX / 3))), true);
	add(base64Url(base64(bytes)), base64(bytes.subarray(0, 3 * Math.ceil(MIN_PREFIX / 3))), true);
	return [...forms.values()];
}

/**
 * Replaces known secret values in every form a vendor may echo them (whole or cut short, in any
 * case, percent-encoded, JSON-escaped, base64), and anything shaped like a key or a bearer or
 * basic credential, in any value. Secrets can be added during the run (a refreshed token).
 */
export class Redactor {
	// Private storage (not enumerable): a serialised or inspected redactor shows no secret.
	readonly #forms: Form[] = [];
	readonly #known = new Set<string>();
	/** No form matches a text shorter than this (most values: dates, statuses, amounts). */
	#shortest = Infinity;

	constructor(secrets: string[]) {
		this.add(secrets);
	}

	/** Adds values to redact; empty, short and already known ones are ignored. */
	add(secrets: unknown[]): void {
		for (const value of secrets) {
			if (typeof value !== 'string' || value.length < MIN_SECRET || this.#known.has(value)) continue;
			this.#known.add(value);
			for (const form of formsOf(value)) {
				this.#forms.push(form);
				this.#shortest = Math.min(this.#shortest, form.min);
			}
		}
	}

	text(input: string): string {
		let output = input.length >= this.#shortest ? this.#withoutKnown(input) : input;
		for (const [pattern, replacement] of KEY_PATTERNS) output = output.replace(pattern, replacement);
		return output;
	}

	deep<T>(input: T): T {
		if (typeof input === 'string') return this.text(input) as T;
		if (Array.isArray(input)) return input.map((v) => this.deep(v)) as T;
		if (typeof input === 'object' && input !== null) {
			const out: Record<string, unknown> = {};
			for (const [key, value] of Object.entries(input)) out[this.text(key)] = this.deep(value);
			return out as T;
		}
		return input;
	}

	/** Finds every place where a form starts (at least its `min` first characters), merges, replaces. */
	#withoutKnown(input: string): string {
		const folded = fold(input);
		const spans: Array<[number, number]> = [];
		for (const form of this.#forms) {
			const head = form.text.slice(0, form.min);
			for (let at = folded.indexOf(head); at !== -1; at = folded.indexOf(head, at + 1)) {
				let end = at + form.min;
				while (end - at < form.text.length && folded[end] === form.text[end - at]) end++;
				let start = at;
				if (form.base64) {
					while (start > 0 && BASE64_CHAR.test(input[start - 1])) start--;
					while (end < input.length && BASE64_CHAR.test(input[end])) end++;
					while (end < input.length && input[end] === '=') end++;
				}
				spans.push([start, end]);
			}
		}
		if (spans.length === 0) return input;
		spans.sort((a, b) => a[0] - b[0]);
		let output = '';
		let done = 0;
		for (const [start, end] of spans) {
			if (end <= done) continue;
			if (start >= done) output += input.slice(done, start) + REDACTED;
			done = end;
		}
		return output + input.slice(done);
	}
}

/** OAuth2 credential types (they extend oAuth2Api, and say so in their names): n8n may refresh their tokens. */
export function isOAuth2(credentialType: string): boolean {
	return /oauth2/i.test(credentialType);
}

/** What the node holds of its credential: enough to read it again. */
export interface SecretSource {
	readonly credentialType: string;
	readonly provider: { secrets(credentials: ICredentialDataDecryptedObject): string[] };
	readonly redactor: Redactor;
}

/**
 * Reads the credential again and adds its secrets to the redactor: n8n refreshes an expired
 * OAuth2 token during a run (and saves it), and a vendor may echo the new one. Other credential
 * types do not change during a run: no read for them.
 */
export async function learnCurrentSecrets(ctx: IExecuteFunctions, source: SecretSource): Promise<void> {
	if (!isOAuth2(source.credentialType)) return;
	const credentials = await ctx.getCredentials(source.credentialType).catch(() => undefined);
	if (credentials) source.redactor.add(source.provider.secrets(credentials));
}
