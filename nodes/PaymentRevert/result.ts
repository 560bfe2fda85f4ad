/**
 * The one result type for what can go wrong without being an exception: a request without an
 * outcome, a parameter whose expression fails, an item that failed. Errors are thrown
 * (`RevertFailure`); failures that the caller decides about are returned as a `Result`.
 */
export type Result<T, F> = { ok: true; value: T } | { ok: false; failure: F };

export function ok<T>(value: T): { ok: true; value: T } {
	return { ok: true, value };
}

export function failed<F>(failure: F): { ok: false; failure: F } {
	return { ok: false, failure };
}
