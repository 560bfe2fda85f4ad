/** The redactor: every form in which a vendor may echo a secret, and nothing more. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { qonto } from '../../nodes/PaymentRevert/providers/qonto';
import { learnCurrentSecrets, Redactor } from '../../nodes/PaymentRevert/secrets';

const TOKEN = 'ory_at_dummy_Zk3Qx9-LmP2vR7sT1uW4yA6bC8dE0fG';
const LOGIN = 'acme-1234';
const KEY = 'qonto/secret+key=SEKRET4 &more';

// Encodings written out here, independently of the redactor's own code.
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => b64(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const percentAll = (s: string, upper = false) =>
	[...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')[upper ? 'toUpperCase' : 'toLowerCase']();

describe('redaction of known secrets', () => {
	const redactor = new Redactor([TOKEN, KEY, `${LOGIN}:${KEY}`]);
	const leaks = (text: string) => {
		const out = redactor.text(text);
		return [TOKEN, KEY, TOKEN.slice(0, 12), KEY.slice(0, 12), 'SEKRET4'].filter((s) => out.toLowerCase().includes(s.toLowerCase()));
	};

	it.each([
		['whole', `token ${TOKEN} is invalid`],
		['upper case', `TOKEN ${TOKEN.toUpperCase()} IS INVALID`],
		['lower case', `token ${TOKEN.toLowerCase()}`],
		['cut short with dots', `token ${TOKEN.slice(0, 14)}... expired`],
		['cut short with an ellipsis', `token ${TOKEN.slice(0, 12)}…`],
		['percent-encoded (URI component)', `key=${encodeURIComponent(KEY)}`],
		['percent-encoded (form)', `key=${encodeURIComponent(KEY).replace(/%20/g, '+')}`],
		['percent-encoded, every byte, lower-case hex', `key=${percentAll(KEY)}`],
		['percent-encoded, every byte, upper-case hex', `key=${percentAll(TOKEN, true)}`],
		['JSON-escaped slashes (PHP)', `{"key":"${KEY.replace(/\//g, '\\/')}"}`],
		['base64', `token ${b64(TOKEN)}`],
		['base64 upper-cased', `TOKEN ${b64(TOKEN).toUpperCase()}`],
		['base64url', `token ${b64url(TOKEN)}`],
		['base64 cut short', `token ${b64(TOKEN).slice(0, 20)}...`],
		['Basic header of login:secret', `Authorization: Basic ${b64(`${LOGIN}:${KEY}`)}`],
		['base64 of login:secret without the scheme', `credential ${b64(`${LOGIN}:${KEY}`)} refused`],
		['base64 of a JSON holding the token (offset 0)', b64(`${TOKEN}"}`)],
		['base64 of a JSON holding the token (offset 1)', b64(`"${TOKEN}"}`)],
		['base64 of a JSON holding the token (offset 2)', b64(`{"${TOKEN}"}`)],
		['base64 of a JSON holding the token (offset 10)', b64(`{"token":"${TOKEN}","x":1}`)],
	])('%s', (_name, text) => {
		expect(leaks(text)).toEqual([]);
		expect(redactor.text(text)).toContain('[redacted]');
	});

	it('keeps the text around a secret', () => {
		expect(redactor.text(`The token ${TOKEN} expired at 10:00.`)).toBe('The token [redacted] expired at 10:00.');
		expect(redactor.text(`token ${TOKEN.slice(0, 16)}... expired`)).toBe('token [redacted]... expired');
		// a base64 echo goes whole (it encodes more than the secret), the words around it stay
		expect(redactor.text(`Authorization: Basic ${b64(`${LOGIN}:${KEY}`)} refused`)).toBe('Authorization: Basic [redacted] refused');
	});

	it('deep: every string and every key', () => {
		expect(redactor.deep({ a: [`x ${TOKEN}`], [TOKEN]: 1, n: 3, nested: { b: b64(TOKEN), ok: true } })).toEqual({
			a: ['x [redacted]'],
			'[redacted]': 1,
			n: 3,
			nested: { b: '[redacted]', ok: true },
		});
	});

	it('a secret learned during the run is redacted from then on', () => {
		const later = new Redactor([TOKEN]);
		const refreshed = 'qonto-access-2-9f8e7d6c5b4a';
		expect(later.text(`token ${refreshed}`)).toBe(`token ${refreshed}`);
		later.add([refreshed, '', 'abc', undefined, 42]);
		expect(later.text(`token ${refreshed} / ${b64(refreshed)} / ${refreshed.slice(0, 13)}…`)).toBe('token [redacted] / [redacted] / [redacted]…');
	});

	it('keeps no secret where a serialised or inspected redactor would show it', () => {
		expect(JSON.stringify(redactor)).not.toContain('SEKRET4');
		// whatever the redactor holds as its own properties, collections included
		const own = Reflect.ownKeys(redactor).map((key) => (redactor as unknown as Record<PropertyKey, unknown>)[key]);
		const shown = JSON.stringify(own, (_key, value: unknown) => (value instanceof Set || value instanceof Map ? [...value] : value));
		expect(shown).not.toMatch(/SEKRET4|Zk3Qx9/);
	});
});

describe('no false positives', () => {
	const redactor = new Redactor(['qonto-access-SEKRET2', 'sk_test_SEKRET5contazen', 'abc']);

	it.each([
		// short common substrings of a secret: its first 11 characters, a short word it contains
		'invoice qonto-acces is fine',
		'SEKRET2 alone, or the end of a key: ****contazen',
		'access denied; SEKRET is not a secret on its own',
		// values too short to be redacted
		'abc abcd abc',
		// prose after an auth scheme, invoice data
		'Bearer authentication required',
		'Basic authentication failed',
		'QONTO-2026-0141 paid on 2026-11-02, 120.50 EUR',
		'status must be one of: to_review, paid',
	])('%s', (text) => expect(redactor.text(text)).toBe(text));
});

describe('shapes that are secrets whatever their value', () => {
	it.each([
		['token sk_live_ABCDEF123 and sk_test_x1', 'token [redacted] and [redacted]'],
		['Authorization: Bearer eyJhbGciOi.xyz', 'Authorization: Bearer [redacted]'],
		['Authorization: Bearer abc123def456', 'Authorization: Bearer [redacted]'],
		['Authorization: Basic YWNtZTpzZWNyZXQ=', 'Authorization: Basic [redacted]'],
		['id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x', 'id [redacted]'],
	])('%s', (text, expected) => expect(new Redactor([]).text(text)).toBe(expected));
});

describe('the credential read again during the run', () => {
	const ctx = (data: Record<string, unknown> | Error) =>
		({ getCredentials: async () => (data instanceof Error ? Promise.reject(data) : data) }) as unknown as IExecuteFunctions;

	it("adds the credential's current tokens to the redactor", async () => {
		const redactor = new Redactor(qonto.secrets({ oauthTokenData: { access_token: 'old-access-1', refresh_token: 'old-refresh-1' } }));
		const source = { credentialType: 'paymentRevertQontoOAuth2Api', provider: qonto, redactor };
		await learnCurrentSecrets(ctx({ oauthTokenData: { access_token: 'new-access-2', refresh_token: 'new-refresh-2', token_type: 'Bearer' } }), source);
		expect(redactor.text('old-access-1 new-access-2 new-refresh-2 Bearer')).toBe('[redacted] [redacted] [redacted] Bearer');
	});

	it('a credential that cannot be read again changes nothing', async () => {
		const redactor = new Redactor(['old-access-token-1']);
		await learnCurrentSecrets(ctx(new Error('gone')), { credentialType: 'paymentRevertQontoOAuth2Api', provider: qonto, redactor });
		expect(redactor.text('old-access-token-1 other')).toBe('[redacted] other');
	});

	it('credentials n8n does not refresh are not read again', async () => {
		const getCredentials = jest.fn();
		await learnCurrentSecrets({ getCredentials } as unknown as IExecuteFunctions, { credentialType: 'paymentRevertWethodApi', provider: qonto, redactor: new Redactor([]) });
		expect(getCredentials).not.toHaveBeenCalled();
	});

	it('Qonto: the API key as sent (login:secret), the staging token, the client secret and every token', () => {
		const secrets = qonto.secrets({
			login: 'acme-1234',
			secretKey: 'the-secret-key',
			stagingToken: 'the-staging-token',
			clientSecret: 'the-client-secret',
			oauthTokenData: { access_token: 'a-token', refresh_token: 'r-token', id_token: 'i-token', token_type: 'Bearer', scope: 'offline_access' },
		});
		expect(secrets.filter(Boolean).sort()).toEqual(
			['a-token', 'acme-1234:the-secret-key', 'i-token', 'r-token', 'the-client-secret', 'the-secret-key', 'the-staging-token'].sort(),
		);
	});
});
