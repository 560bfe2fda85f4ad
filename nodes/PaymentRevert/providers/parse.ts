import type { IDataObject } from 'n8n-workflow';

import type { VendorResponse } from './types';

export function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
	if (typeof value === 'string') return value === '' ? null : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

export function num(value: unknown): number | null {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : null;
	}
	return null;
}

/** A query string ("?a=1&b=2"); a list repeats its key, undefined leaves it out. */
export function query(params: Record<string, string | number | readonly string[] | undefined>): string {
	const search = new URLSearchParams();
	for (const [key, value] of Object.entries(params)) {
		if (value === undefined) continue;
		for (const one of Array.isArray(value) ? value : [value]) search.append(key, String(one));
	}
	const text = search.toString();
	return text ? `?${text}` : '';
}

/** A page number or offset as the vendor sent it: a whole number of at least `min`, else undefined. */
export function wholeNumber(value: unknown, min: number): number | undefined {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= min ? value : undefined;
}

export function header(response: VendorResponse, name: string): string | null {
	return str(response.headers[name.toLowerCase()]);
}

/**
 * The longest wait believed from a vendor. It is the longest quota window the three vendors
 * document (Wethod's hour); a longer wait is a unit mistake (milliseconds for seconds) or a broken
 * proxy, not a rate limit. An asked wait beyond it is taken as this long (so an item still reports
 * rate_limited with a sane wait); a window's reset further ahead is not believed at all.
 */
export const MAX_WAIT_SECONDS = 3600;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const MONTH = `(${MONTHS.join('|')})`;
/** The three HTTP-date forms of RFC 9110 section 5.6.7; names are case-sensitive there. */
const IMF_FIXDATE = new RegExp(`^(?:${DAYS.join('|')}), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT`);
const RFC850_DATE = new RegExp(`^(?:${LONG_DAYS.join('|')}), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT`);
const ASCTIME_DATE = new RegExp(`^(?:${DAYS.join('|')}) ${MONTH} (\\d{2}| \\d) ${TIME} (\\d{4})`);
/** delta-seconds (RFC 9110 section 10.2.3): digits only; no sign, point, exponent or hex. */
const DIGITS = /^\d+/;

type Element = { kind: 'seconds'; value: number } | { kind: 'date'; ms: number };

function utc(year: number, month: string, day: string, hh: string, mm: string, ss: string): number | undefined {
	const [h, m, s] = [Number(hh), Number(mm), Number(ss)];
	if (h > 23 || m > 59 || s > 60) return undefined;
	// Seconds 60 is a leap second: counted as 59.
	const ms = Date.UTC(year, MONTHS.indexOf(month), Number(day), h, m, Math.min(s, 59));
	// Date.UTC rolls 31 Nov over to 1 Dec: such a date is malformed.
	return new Date(ms).getUTCDate() === Number(day) ? ms : undefined;
}

/** One element at the start of `text`: its value and length, or undefined when none is there. */
function element(text: string, nowMs: number, dates: boolean): { element: Element; length: number } | undefined {
	const digits = DIGITS.exec(text);
	if (digits) return { element: { kind: 'seconds', value: Number(digits[0]) }, length: digits[0].length };
	if (!dates) return undefined;
	let match = IMF_FIXDATE.exec(text);
	let ms: number | undefined;
	if (match) ms = utc(Number(match[3]), match[2], match[1], match[4], match[5], match[6]);
	else if ((match = RFC850_DATE.exec(text))) {
		// A two-digit year more than 50 years ahead is the latest past year with those digits.
		const thisYear = new Date(nowMs).getUTCFullYear();
		let year = thisYear - (thisYear % 100) + Number(match[3]);
		if (year > thisYear + 50) year -= 100;
		ms = utc(year, match[2], match[1], match[4], match[5], match[6]);
	} else if ((match = ASCTIME_DATE.exec(text))) {
		ms = utc(Number(match[6]), match[1], match[2].trim(), match[3], match[4], match[5]);
	}
	return match && ms !== undefined ? { element: { kind: 'date', ms }, length: match[0].length } : undefined;
}

/**
 * The values of a header that may have been sent twice and joined ("5, 5"): every element must be
 * well formed, or the header says nothing.
 */
function elements(value: string | null, nowMs: number, dates: boolean): Element[] | undefined {
	if (value === null) return undefined;
	const found: Element[] = [];
	let rest = value.trim();
	while (rest !== '') {
		const next = element(rest, nowMs, dates);
		if (!next) return undefined;
		found.push(next.element);
		rest = rest.slice(next.length);
		const separator = /^[ \t]*,[ \t]*/.exec(rest);
		if (separator) {
			rest = rest.slice(separator[0].length);
			if (rest === '') return undefined;
		} else if (rest !== '') return undefined;
	}
	return found.length ? found : undefined;
}

/** An asked wait as the node believes it: at most MAX_WAIT_SECONDS. */
function believedWait(seconds: number): number {
	return Math.min(Math.max(0, seconds), MAX_WAIT_SECONDS);
}

/**
 * Seconds to wait from a header such as Retry-After: delta-seconds or, with `dates`, an HTTP-date
 * (counted from the vendor's clock). Several values: the longest wait, which obeys them all.
 */
export function waitHeader(response: VendorResponse, name: string, nowMs: number, dates: boolean): number | undefined {
	const values = elements(header(response, name), nowMs, dates);
	if (!values) return undefined;
	const waits = values.map((v) => (v.kind === 'seconds' ? v.value : (onOurClock(v.ms, response, nowMs) - nowMs) / 1000));
	return believedWait(Math.max(...waits));
}

/** Seconds to wait from a number in a body (Contazen's error.retry_after); a text must be digits. */
export function waitNumber(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? believedWait(value) : undefined;
	if (typeof value !== 'string') return undefined;
	const values = elements(value, 0, false);
	return values ? believedWait(Math.max(...values.map((v) => (v.kind === 'seconds' ? v.value : 0)))) : undefined;
}

/** A count from a header (X-RateLimit-Remaining): digits; several values, the smallest. */
export function countHeader(response: VendorResponse, name: string): number | undefined {
	const values = elements(header(response, name), 0, false);
	return values ? Math.min(...values.map((v) => (v.kind === 'seconds' ? v.value : 0))) : undefined;
}

/**
 * When a window resets, from a header of Unix seconds on the vendor's clock (X-RateLimit-Reset),
 * in ms on ours. A time in the past is now; one more than MAX_WAIT_SECONDS ahead is not believed
 * (milliseconds sent for seconds, say). Several values: the latest.
 */
export function resetHeader(response: VendorResponse, name: string, nowMs: number): number | undefined {
	const values = elements(header(response, name), nowMs, false);
	if (!values) return undefined;
	const latest = Math.max(...values.map((v) => (v.kind === 'seconds' ? v.value : 0)));
	const atMs = onOurClock(latest * 1000, response, nowMs);
	if (!Number.isFinite(atMs) || atMs - nowMs > MAX_WAIT_SECONDS * 1000) return undefined;
	return Math.max(nowMs, atMs);
}

/** An HTTP-date (IMF-fixdate, RFC 850 or asctime) in ms since the epoch, or undefined. */
export function httpDate(value: string, nowMs: number): number | undefined {
	const values = elements(value, nowMs, true);
	return values?.length === 1 && values[0].kind === 'date' ? values[0].ms : undefined;
}

/** Finds the first human-readable message in an error body of unknown shape. */
export function firstMessage(value: unknown, depth = 0): string | null {
	if (depth > 4) return null;
	if (typeof value === 'string') return value.trim() === '' ? null : value;
	if (Array.isArray(value)) {
		const parts = value.map((v) => firstMessage(v, depth + 1)).filter((v): v is string => v !== null);
		return parts.length ? parts.join('; ') : null;
	}
	if (!isObject(value)) return null;
	for (const key of ['detail', 'message', 'error_description', 'description', 'title', 'error', 'errors']) {
		const found = firstMessage(value[key], depth + 1);
		if (found !== null) return found;
	}
	// `{ "errors": { "field": "msg" } }` style maps
	const values = Object.values(value).filter((v) => typeof v === 'string') as string[];
	return values.length ? values.join('; ') : null;
}

/** A short, single-line excerpt of a non-JSON body (an HTML page title, a gateway text). */
export function textExcerpt(text: string): string | null {
	const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
	const plain = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
	if (plain === '') return null;
	return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}

/**
 * A time the vendor gave (ms, on its clock) on this machine's clock. Only a skew the `Date`
 * header shows beyond its own one-second resolution is corrected.
 */
export function onOurClock(vendorMs: number, response: VendorResponse, nowMs: number): number {
	const date = httpDate(header(response, 'date') ?? '', nowMs);
	if (date === undefined) return vendorMs;
	const skew = date - nowMs;
	return Math.abs(skew) > 2000 ? vendorMs - skew : vendorMs;
}
