/**
 * No secret in anything a run produces, in any form a vendor echoes it, including the token n8n
 * obtained by refreshing during the run. The vendors are the local fakes: their `echoAuthorization`
 * faults put what the request carried (the current token, the API key, the staging token) into
 * the answer, whole, base64, percent-encoded, upper-cased or cut short.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startFakes, type FakeFault, type Fakes, type Vendor } from '../fakes/server';
import { runNode, type RunResult } from '../harness/engine';
import { FAKES_CONFIG, fakeCredentials, QONTO_ID, SECRETS, STAGING_TOKEN } from '../helpers';

let fakes: Fakes;

beforeAll(async () => (fakes = await startFakes({ config: FAKES_CONFIG })));
afterAll(async () => await fakes.close());
beforeEach(() => fakes.reset());

const LOGIN = 'acme-1234';
/** A token the fakes issued (never the fixtures' expired one). */
const ISSUED = '^Bearer qonto-access-\\d+-';
const ECHO = 'sent {authorization} | token {token} | b64 {token.base64} | auth b64 {authorization.base64} | pct {token.percent} | up {token.upper} | cut {token.prefix} | staging {staging} {staging.base64} {staging.prefix}';

// The forms written out here, independently of the node's redactor.
const bytes = (s: string) => Buffer.from(s, 'utf8');
const base64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/**
 * What must not show: the secret, its first 12 characters, its last 12 (what is left when only a
 * prefix it shares with another secret went), percent-encoded, base64 at each of the three offsets
 * a longer base64 text may hold it.
 */
function forms(secret: string): string[] {
	const b = bytes(secret);
	const aligned = [0, 1, 2].map((k) => base64(b.subarray(k, k + 3 * Math.floor((b.length - k) / 3))));
	const percent = [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
	const ends = secret.length >= 16 ? [secret.slice(0, 12), secret.slice(-12)] : [];
	return [secret, ...ends, encodeURIComponent(secret), percent, base64(b), ...aligned].filter((f) => f.length >= 8);
}

/** Everything the run produced and everything printed meanwhile, checked case-insensitively. */
function expectNoSecretForms(result: RunResult, printed: string[], secrets: string[]): void {
	const text = `${result.everything}\n${printed.join('\n')}`.toLowerCase();
	const leaked = secrets.flatMap((secret, i) => forms(secret).filter((f) => text.includes(f.toLowerCase())).map((f) => `secret #${i} as ${f.length} chars`));
	expect(leaked).toEqual([]);
}

/** The run, with whatever it printed to the console. */
async function run(parameters: INodeParameters, ids: string[], onError?: 'continueRegularOutput'): Promise<{ result: RunResult; printed: string[] }> {
	const printed: string[] = [];
	const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
		jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' '))),
	);
	try {
		const result = await runNode({
			parameters: { operation: 'revertPayment', invoiceId: '={{ $json.id }}', options: { concurrency: 1 }, ...parameters },
			items: ids.map((id) => ({ id })),
			credentials: fakeCredentials(fakes.url),
			onError,
		});
		return { result, printed };
	} finally {
		for (const spy of spies) spy.mockRestore();
	}
}

/** A vendor refusing a read or a write and echoing the request in its error. */
function echoError(vendor: Vendor, path: string, status: number, extra: Partial<FakeFault> = {}): FakeFault {
	const body =
		vendor === 'qonto'
			? { errors: [{ code: 'x', detail: `token ${ECHO}` }] }
			: vendor === 'contazen'
				? { success: false, error: { message: ECHO, type: 'invalid_request', code: 'x', status } }
				: { key: 'x', message: ECHO };
	return { vendor, path, type: 'status', status, body, echoAuthorization: true, ...extra };
}

const qontoId = (n: number) => `4d5418bb-bd0d-4df4-865c-c07afab8bb${String(n).padStart(2, '0')}`;
const errorsOf = (result: RunResult) => result.output.map((i) => (i.json.error as IDataObject | undefined)?.category ?? i.json.outcome);

describe('Qonto OAuth2: a token n8n refreshed during the run', () => {
	beforeEach(() => {
		// The credential's access token has expired at the fakes: the first request gets a 401,
		// n8n refreshes at the token endpoint, saves the new token and sends again.
		Object.assign(fakes.config.qonto, {
			accessTokens: [{ token: SECRETS[1], expiresAt: 0 }],
			refreshTokens: { [SECRETS[2]]: true },
			clientId: 'qonto-client-id',
			clientSecret: SECRETS[0],
		});
	});

	/** The fixtures' secrets, the tokens the fakes issued in this run, the staging token. */
	const allSecrets = (result: RunResult) => {
		const issued = result.credentialUpdates.flatMap((u) => Object.values((u.data.oauthTokenData ?? {}) as IDataObject)).filter((v): v is string => typeof v === 'string' && /^qonto-(access|refresh)-\d/.test(v));
		expect(issued).toHaveLength(2);
		return [...SECRETS, ...issued];
	};

	it('echoed by the vendor in later answers (errors and a success) is redacted in every form', async () => {
		const ids = [1, 2, 3].map(qontoId);
		for (const id of ids) fakes.seed('qonto', id);
		fakes.addFaults([
			// a read refused, echoing the request
			echoError('qonto', ids[1], 422, { method: 'GET', authorizationPattern: ISSUED }),
			// a write that succeeds, with the vendor's invoice echoing the request in a field
			{
				vendor: 'qonto',
				path: `${ids[2]}/unmark_as_paid`,
				type: 'status',
				status: 200,
				echoAuthorization: true,
				authorizationPattern: ISSUED,
				body: { id: ids[2], status: 'to_review', payment_date: null, invoice_number: 'Q-3', note: ECHO },
			},
		]);
		const { result, printed } = await run({ provider: 'qonto' }, ids, 'continueRegularOutput');

		expect(errorsOf(result)).toEqual(['reverted', 'validation', 'reverted']);
		// the refresh happened once, and the echoing answers went to requests with the new token
		expect(fakes.log.filter((r) => r.path === '/oauth2/token').map((r) => r.status)).toEqual([200]);
		expect(fakes.log.filter((r) => r.fault === 'status')).toHaveLength(2);
		const error = result.output[1].json.error as IDataObject;
		expect(error.vendorMessage).toMatch(/^token sent Bearer \[redacted\]/);
		expect(JSON.stringify(result.output[2].json.invoice)).toContain('[redacted]');
		expectNoSecretForms(result, printed, allSecrets(result));
	});

	it('echoed in the answer to the very request n8n resent after refreshing, with the run stopping on it', async () => {
		fakes.seed('qonto', QONTO_ID);
		fakes.addFaults([echoError('qonto', QONTO_ID, 400, { method: 'GET', authorizationPattern: ISSUED })]);
		const { result, printed } = await run({ provider: 'qonto' }, [QONTO_ID]);

		expect(result.error).toBeDefined();
		expect(fakes.log.filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
		expectNoSecretForms(result, printed, allSecrets(result));
	});

	it('the token endpoint refusing the refresh and echoing the refresh token and client secret', async () => {
		fakes.seed('qonto', QONTO_ID);
		const clientBasic = Buffer.from(`qonto-client-id:${SECRETS[0]}`).toString('base64');
		fakes.addFaults([
			{
				vendor: 'qonto',
				path: '/oauth2/token',
				type: 'status',
				status: 400,
				body: {
					error: 'invalid_grant',
					error_description: `refresh token ${SECRETS[2]} (${Buffer.from(SECRETS[2]).toString('base64')}) of client Basic ${clientBasic}, secret ${encodeURIComponent(SECRETS[0]).toUpperCase()} ${SECRETS[0].slice(0, 14)}...`,
				},
			},
		]);
		const { result, printed } = await run({ provider: 'qonto' }, [QONTO_ID], 'continueRegularOutput');

		expect(errorsOf(result)).toEqual(['authentication']);
		expect(fakes.log.filter((r) => r.path === '/oauth2/token').map((r) => r.fault)).toEqual(['status']);
		expectNoSecretForms(result, printed, [...SECRETS]);
	});
});

describe.each([
	['qonto', { provider: 'qonto', authentication: 'apiKey' }, 'GET', [SECRETS[3], `${LOGIN}:${SECRETS[3]}`, STAGING_TOKEN]],
	['contazen', { provider: 'contazen' }, 'POST', [SECRETS[4]]],
	['wethod', { provider: 'wethod' }, 'GET', [SECRETS[5]]],
] as Array<[Vendor, INodeParameters, string, string[]]>)('%s: the key or token the request carried', (vendor, parameters, method, secrets) => {
	const ids = vendor === 'qonto' ? [qontoId(1), qontoId(2)] : vendor === 'contazen' ? ['sbill_echo01', 'sbill_echo02'] : ['1042', '1043'];

	it('echoed in an error, whole, base64 (a Basic header), percent-encoded, upper-cased or cut short, is redacted', async () => {
		for (const id of ids) fakes.seed(vendor, id);
		fakes.addFaults([echoError(vendor, ids[0], 422, { method }), echoError(vendor, ids[1], 400, { method })]);
		const { result, printed } = await run(parameters, ids, 'continueRegularOutput');

		expect(fakes.log.filter((r) => r.fault === 'status')).toHaveLength(2);
		expect(result.output).toHaveLength(2);
		expect((result.output[0].json.error as IDataObject).vendorMessage).toContain('[redacted]');
		expectNoSecretForms(result, printed, [...SECRETS, ...secrets]);
	});

	it('echoed when the run stops on the error: the thrown message and description', async () => {
		fakes.seed(vendor, ids[0]);
		fakes.addFaults([echoError(vendor, ids[0], 422, { method })]);
		const { result, printed } = await run(parameters, ids.slice(0, 1));

		expect(result.error?.message).toMatch(/^(Qonto|Contazen|Wethod):/);
		expect(`${result.error?.description}`).toContain('[redacted]');
		expectNoSecretForms(result, printed, [...SECRETS, ...secrets]);
	});
});
