/**
 * An n8n expression fragment that yields the URL `value` (itself an expression fragment) only
 * when it is https://, or http:// to this machine, without user info, query or fragment; otherwise
 * an address that cannot resolve. Keeps credential tests and token calls to the same rule as the
 * node, so a secret is never sent in clear to another host.
 */
const ALLOWED = String.raw`/^(https:\/\/[^\/?#@\s]+|http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?)(\/[^?#@\s]*)?$/`;

export const REFUSED_URL = 'https://base-url-must-be-https-or-loopback.invalid';

export function guardedUrl(value: string): string {
	const url = String.raw`String(${value}).trim().replace(/\/+$/, "")`;
	return `(${ALLOWED}.test(${url}) ? ${url} : "${REFUSED_URL}")`;
}
