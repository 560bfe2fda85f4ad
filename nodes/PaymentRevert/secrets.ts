const KEY_PATTERNS = [
	/\bsk_(?:live|test)_[A-Za-z0-9]+/g,
	/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

export const REDACTED = '[redacted]';

/** Replaces known secret values, and anything shaped like a key or bearer token, in any value. */
export class Redactor {
	private readonly values: string[];

	constructor(secrets: string[]) {
		// Longest first so that a secret containing another is replaced whole.
		this.values = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
	}

	text(input: string): string {
		let output = input;
		for (const value of this.values) output = output.split(value).join(REDACTED);
		for (const pattern of KEY_PATTERNS) {
			output = output.replace(pattern, (match, bearer?: string) =>
				typeof bearer === 'string' && bearer.toLowerCase() === 'bearer' ? `${bearer} ${REDACTED}` : REDACTED,
			);
		}
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
}
