/**
 * The one base-URL rule, for the node and for the credentials: only https://, or http:// to this
 * machine (localhost, 127.x.x.x written in full, [::1]); no user info, query or fragment. A
 * credential must not send its secrets in clear, or to a host the URL only seems to name.
 *
 * The rule is data (clean-up steps and one pattern) so that the node applies it in TypeScript and
 * the credentials apply the very same steps inside n8n expressions (credential tests, OAuth2 token
 * and authorization URLs), where only plain string and RegExp methods are available.
 */
import type { DeclarativeRestApiSettings, ICredentialTestRequest } from 'n8n-workflow';

/** Applied in order before the check: surrounding spaces, the scheme's case, trailing slashes. */
const CLEAN_UP: ReadonlyArray<readonly [RegExp, string]> = [
	[/^\s+|\s+$/g, ''],
	[/^https:/i, 'https:'],
	[/^http:/i, 'http:'],
	[/\/+$/, ''],
];

/**
 * No whitespace anywhere; then https to any host name (letters, digits, dots, hyphens, non-ASCII
 * for IDN) or IP literal, or http only to a loopback host in its usual spelling (127.1 and
 * 0x7f.0.0.1 are refused: one spelling is enough, and both sides then agree without a URL
 * parser); an optional port; a path without "?", "#", "@" or "\".
 */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ALLOWED = new RegExp(
	'^(?![\\s\\S]*\\s)' +
		'(?:https://(?:(?:[a-z0-9.-]|[\\u00a1-\\uffff])+|\\[[0-9a-f:.]+\\])' +
		`|http://(?:localhost|127(?:\\.${OCTET}){3}|\\[::1\\]))` +
		'(?::\\d{1,5})?(?:/[^?#@\\\\]*)?$',
	'i',
);

/** Where a refused URL points in the credentials' expressions: a name that never resolves. */
export const REFUSED_URL = 'https://base-url-must-be-https-or-loopback.invalid';

function cleanUp(raw: unknown): string {
	return CLEAN_UP.reduce((url, [pattern, replacement]) => url.replace(pattern, replacement), String(raw));
}

/** The base URL to use (cleaned up), or undefined when the rule refuses it. */
export function safeBaseUrl(raw: unknown): string | undefined {
	const url = cleanUp(raw);
	return ALLOWED.test(url) ? url : undefined;
}

/**
 * The same rule as an n8n expression fragment: yields the cleaned-up URL of `value` (itself an
 * expression fragment) when allowed, else REFUSED_URL.
 */
export function guardedUrl(value: string): string {
	const url = CLEAN_UP.reduce(
		(expression, [pattern, replacement]) => `${expression}.replace(${String(pattern)}, ${JSON.stringify(replacement)})`,
		`String(${value})`,
	);
	return `(${url}.match(${String(ALLOWED)}) || ["${REFUSED_URL}"])[0]`;
}

const REDIRECTS = [301, 302, 303, 307, 308];

/**
 * A credential's test request, sent to its base URL only: a redirect is not followed (n8n would
 * send the secret on to the new address) and fails the test, saying why.
 */
export function guardedTestRequest(
	request: DeclarativeRestApiSettings.HttpRequestOptions,
	redirectHint = '',
): ICredentialTestRequest {
	return {
		request: { ...request, disableFollowRedirect: true },
		rules: REDIRECTS.map((value) => ({
			type: 'responseCode',
			properties: {
				value,
				message: `The API answered with a redirect (HTTP ${value}) instead of data; redirects are not followed, so the credential was not sent on. Check the base URL${redirectHint}`,
			},
		})),
	};
}
