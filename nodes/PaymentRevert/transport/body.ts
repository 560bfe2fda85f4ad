/** Reading an answer's body: within the request's deadline, and never more than MAX_BODY_BYTES. */
import { isObject } from '../providers/parse';
import type { VendorResponse } from '../providers/types';

/**
 * The largest answer body the node reads. An invoice is a few kB; megabytes are not a vendor's
 * answer about one invoice (a proxy's download page, a wrong endpoint, an inlined attachment), and
 * reading them whole would hold them in n8n's memory once per item in flight.
 */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** An answer whose body is still to be read: a stream, or what n8n kept of the body. */
export interface RawAnswer {
	statusCode: number;
	headers: unknown;
	body: unknown;
	bodyLost?: boolean;
}

/** A response body as axios hands it over with `encoding: 'stream'`. */
interface BodyStream extends AsyncIterable<unknown> {
	destroy(error?: Error): void;
}

const TOO_LARGE = Symbol('too large');

export function isStream(body: unknown): body is BodyStream {
	return (
		typeof body === 'object' &&
		body !== null &&
		typeof (body as Partial<BodyStream>).destroy === 'function' &&
		typeof (body as Partial<BodyStream>)[Symbol.asyncIterator] === 'function'
	);
}

function plainHeaders(raw: unknown): Record<string, string> {
	const source = isObject(raw) && typeof raw.toJSON === 'function' ? (raw.toJSON as () => unknown)() : raw;
	const headers: Record<string, string> = {};
	if (!isObject(source)) return headers;
	for (const [key, value] of Object.entries(source)) {
		if (value === undefined || value === null) continue;
		headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return headers;
}

function toVendorResponse(statusCode: number, headers: unknown, body: unknown): VendorResponse {
	let text: string;
	if (typeof body === 'string') text = body;
	else if (Buffer.isBuffer(body)) text = body.toString('utf8');
	else if (body === undefined || body === null) text = '';
	else text = JSON.stringify(body);
	let json: unknown;
	if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) json = body;
	else if (text.trim() !== '') {
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
	}
	return { statusCode, headers: plainHeaders(headers), json, text };
}

/** An answer whose body was cut before its end: its status and headers, no body. */
export function cutAnswer(raw: RawAnswer, networkCode: string): VendorResponse {
	return { statusCode: raw.statusCode, headers: plainHeaders(raw.headers), json: undefined, text: '', cut: { networkCode } };
}

/**
 * The answer with its body read: at most MAX_BODY_BYTES, and stopped when the signal aborts.
 * `release` drops the connection of an answer that is not read to its end.
 */
export async function readAnswer(raw: RawAnswer, signal: AbortSignal, release: (body: unknown) => void): Promise<VendorResponse> {
	const headers = plainHeaders(raw.headers);
	const length = headers['content-length'];
	const announced = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
	const body = await readBody(raw.body, announced, signal, release);
	if (body === TOO_LARGE) {
		return {
			statusCode: raw.statusCode,
			headers,
			json: undefined,
			text: '',
			oversized: { limitBytes: MAX_BODY_BYTES, ...(announced !== undefined && announced > MAX_BODY_BYTES ? { announcedBytes: announced } : {}) },
		};
	}
	const response = toVendorResponse(raw.statusCode, headers, body);
	return raw.bodyLost ? { ...response, bodyLost: true } : response;
}

async function readBody(
	body: unknown,
	announced: number | undefined,
	signal: AbortSignal,
	release: (body: unknown) => void,
): Promise<unknown> {
	if (isStream(body)) {
		if (announced !== undefined && announced > MAX_BODY_BYTES) {
			release(body);
			return TOO_LARGE;
		}
		return await readStream(body, signal, release);
	}
	// What n8n kept of a thrown answer (n8n 1.x) is in memory already, but it is not the vendor's either.
	const size = typeof body === 'string' ? Buffer.byteLength(body) : Buffer.isBuffer(body) ? body.length : 0;
	return size > MAX_BODY_BYTES ? TOO_LARGE : body;
}

async function readStream(
	stream: BodyStream,
	signal: AbortSignal,
	release: (body: unknown) => void,
): Promise<string | typeof TOO_LARGE> {
	const stop = () => stream.destroy(new Error('the request was stopped (timeout or cancelled execution)'));
	if (signal.aborted) stop();
	else signal.addEventListener('abort', stop, { once: true });
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of stream) {
			const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
			size += bytes.length;
			if (size > MAX_BODY_BYTES) {
				signal.removeEventListener('abort', stop);
				release(stream);
				return TOO_LARGE;
			}
			chunks.push(bytes);
		}
	} finally {
		signal.removeEventListener('abort', stop);
	}
	return Buffer.concat(chunks).toString('utf8');
}
