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

export function header(response: VendorResponse, name: string): string | null {
	return str(response.headers[name.toLowerCase()]);
}

/** Seconds from a Retry-After header: delta seconds or an HTTP date. */
export function retryAfterHeader(value: string | null, nowMs: number): number | undefined {
	if (value === null) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, (date - nowMs) / 1000);
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
	const date = Date.parse(header(response, 'date') ?? '');
	if (Number.isNaN(date)) return vendorMs;
	const skew = date - nowMs;
	return Math.abs(skew) > 2000 ? vendorMs - skew : vendorMs;
}
