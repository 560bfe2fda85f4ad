/**
 * The vendor fakes themselves, over HTTP: they must behave the way the vendors document (README: "The local vendor fakes" and the vendor notes), or the
 * engine and e2e tests that run against them prove nothing. Where the notes say [?], the switch
 * is tested both ways.
 */
import axios from 'axios';
import { sleep } from 'n8n-workflow';

import { DEFAULT_CONFIG, runCli, startFakes, type Fakes } from './server';

const QID = '4d5418bb-bd0d-4df4-865c-c07afab8bb48';
const QID_2 = '9a1c5c2e-7c55-4c3b-9d6b-2f0e8f1d2a11';
const API_KEY = 'acme-1234:qonto-secret-key';
const BEARER = 'Bearer qonto-access-token';
const CZ_KEY = DEFAULT_CONFIG.contazen.apiKeys[0];
const WETHOD_TOKEN = DEFAULT_CONFIG.wethod.tokens[0];
const WETHOD = { authorization: `Bearer ${WETHOD_TOKEN}`, 'wethod-company': 'acme', 'wethod-version': '2024-06-15' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

let fakes: Fakes;

beforeAll(async () => {
	fakes = await startFakes();
});
afterAll(async () => await fakes.close());
beforeEach(() => fakes.reset());

interface Answer {
	status: number;
	headers: Headers;
	text: string;
	json: unknown;
}

interface CallOptions {
	method?: string;
	headers?: Record<string, string>;
	json?: unknown;
	form?: Record<string, string>;
	body?: string;
	signal?: AbortSignal;
}

async function call(path: string, options: CallOptions = {}): Promise<Answer> {
	const headers: Record<string, string> = { ...options.headers };
	let body = options.body;
	if (options.json !== undefined) {
		headers['content-type'] = 'application/json';
		body = JSON.stringify(options.json);
	}
	if (options.form) {
		headers['content-type'] = 'application/x-www-form-urlencoded';
		body = new URLSearchParams(options.form).toString();
	}
	const method = options.method ?? (body === undefined ? 'GET' : 'POST');
	const response = await fetch(`${fakes.url}${path}`, { method, headers, body, signal: options.signal, redirect: 'manual' });
	const text = await response.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

/** A value at a dotted path ("errors.0.code") of an answer's JSON. */
function at(answer: Answer, path: string): unknown {
	return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], answer.json);
}

const qonto = (path: string, options: CallOptions = {}, auth = API_KEY) =>
	call(`/qonto${path}`, { ...options, headers: { authorization: auth, ...options.headers } });
const contazen = (path: string, options: CallOptions = {}, key = CZ_KEY) =>
	call(`/contazen/v1${path}`, { ...options, headers: { authorization: `Bearer ${key}`, ...options.headers } });
const wethod = (path: string, options: CallOptions = {}) =>
	call(`/wethod${path}`, { ...options, headers: { ...WETHOD, ...options.headers } });
const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
	call('/qonto-oauth/oauth2/token', {
		form: { client_id: 'qonto-client-id', client_secret: 'qonto-client-secret', ...form },
		headers,
	});
const unmark = (id = QID, auth = API_KEY) => qonto(`/v2/supplier_invoices/${id}/unmark_as_paid`, { method: 'POST' }, auth);

function expectQontoError(answer: Answer, status: number, code: string) {
	expect(answer.status).toBe(status);
	expect(answer.json).toEqual({ errors: [expect.objectContaining({ code, detail: expect.any(String) })], trace_id: expect.any(String) });
	expect(answer.headers.get('x-tyk-trace-id')).toBe(at(answer, 'trace_id'));
}

function expectContazenError(answer: Answer, status: number, type: string, code: string) {
	expect(answer.status).toBe(status);
	expect(answer.json).toEqual({
		success: false,
		error: expect.objectContaining({ message: expect.any(String), type, code, status }),
		meta: { version: 'v1', response_time: expect.any(String) },
	});
}

describe('Qonto: authentication', () => {
	beforeEach(() => fakes.seed('qonto', QID));

	it.each([
		['an API key (login:secret, no prefix)', API_KEY],
		['an OAuth2 Bearer token', BEARER],
	])('accepts %s and answers with an x-request-id', async (_name, auth) => {
		const answer = await qonto(`/v2/supplier_invoices/${QID}`, {}, auth);
		expect(answer.status).toBe(200);
		expect(at(answer, 'supplier_invoice.id')).toBe(QID);
		expect(answer.headers.get('x-request-id')).toMatch(UUID);
	});

	it.each([
		['no Authorization', undefined],
		['a wrong secret', 'acme-1234:wrong'],
		['an unknown login', 'nobody:qonto-secret-key'],
		['an unknown Bearer token', 'Bearer nope'],
		['a Basic header', 'Basic YWNtZS0xMjM0OnFvbnRvLXNlY3JldC1rZXk='],
	])('%s is a 401 in the JSON:API envelope whose trace_id is the X-Tyk-Trace-Id', async (_name, auth) => {
		const answer = await call(`/qonto/v2/supplier_invoices/${QID}`, { headers: auth ? { authorization: auth } : {} });
		expectQontoError(answer, 401, 'unauthorized');
		expect(Object.keys(at(answer, 'errors.0') as object).sort()).toEqual(['code', 'detail']);
	});

	it('every error carries the trace id header, including 404 and 400', async () => {
		expectQontoError(await qonto(`/v2/supplier_invoices/${QID_2}`), 404, 'not_found');
		await unmark();
		expectQontoError(await unmark(), 400, 'invalid_transition');
	});

	it('GET /v2/organization answers the organization (the credential test)', async () => {
		const answer = await qonto('/v2/organization');
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ organization: { slug: 'acme-1234', bank_accounts: expect.any(Array) } });
	});

	it('an unknown route is the gateway\'s text/plain 404 with x-tyk-trace-id and no x-request-id', async () => {
		for (const answer of [await qonto('/v2/nothing_here'), await qonto(`/v2/supplier_invoices/${QID}`, { method: 'DELETE' })]) {
			expect(answer.status).toBe(404);
			expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
			expect(answer.json).toBeUndefined();
			expect(answer.headers.get('x-tyk-trace-id')).toBeTruthy();
			expect(answer.headers.get('x-request-id')).toBeNull();
		}
	});

	it('API keys may write by default; with apiKeyCanWrite false a write is 403 while OAuth still works', async () => {
		fakes.seed('qonto', QID_2);
		expect((await unmark(QID)).status).toBe(200);
		fakes.config.qonto.apiKeyCanWrite = false;
		expectQontoError(await unmark(QID_2), 403, 'forbidden');
		expect((await qonto(`/v2/supplier_invoices/${QID_2}`)).status).toBe(200);
		expect((await unmark(QID_2, BEARER)).status).toBe(200);
	});
});

describe('Qonto: sandbox staging token', () => {
	beforeEach(() => {
		fakes.seed('qonto', QID);
		fakes.config.qonto.stagingToken = 'staging-1';
	});

	it('without the header the OneLogin gate redirects with HTML (302, the default)', async () => {
		const answer = await qonto(`/v2/supplier_invoices/${QID}`);
		expect(answer.status).toBe(302);
		expect(answer.headers.get('location')).toBe('https://qonto.onelogin.com/login');
		expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
		expect((await qonto(`/v2/supplier_invoices/${QID}`, { headers: { 'x-qonto-staging-token': 'wrong' } })).status).toBe(302);
	});

	it('stagingGate "html": the gate answers 200 with an HTML page', async () => {
		fakes.config.qonto.stagingGate = 'html';
		const answer = await qonto(`/v2/supplier_invoices/${QID}`);
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
		expect(answer.text).toMatch(/OneLogin/);
		expect(answer.json).toBeUndefined();
	});

	it('with the header the API answers, and writes work', async () => {
		const headers = { 'x-qonto-staging-token': 'staging-1' };
		expect((await qonto(`/v2/supplier_invoices/${QID}`, { headers })).status).toBe(200);
		expect((await qonto(`/v2/supplier_invoices/${QID}/unmark_as_paid`, { method: 'POST', headers })).status).toBe(200);
	});

	it('the token endpoint is gated too when oauthStagingGate is on; off (default) it is not', async () => {
		expect((await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' })).status).toBe(200);
		fakes.config.qonto.oauthStagingGate = true;
		fakes.config.qonto.authorizationCodes = { c1: 'offline_access', c2: 'offline_access' };
		const gated = await token({ grant_type: 'authorization_code', code: 'c1' });
		expect(gated.status).toBe(302);
		expect(gated.headers.get('location')).toBe('https://qonto.onelogin.com/login');
		expect((await token({ grant_type: 'authorization_code', code: 'c2' }, { 'x-qonto-staging-token': 'staging-1' })).status).toBe(200);
	});
});

describe('Qonto: OAuth2 token endpoint', () => {
	beforeEach(() => fakes.seed('qonto', QID));

	it('authorization_code with the client credentials in the body: a Bearer token with expires_in 3600, the code works once', async () => {
		const answer = await token({ grant_type: 'authorization_code', code: 'qonto-auth-code', redirect_uri: 'http://localhost/cb' });
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			access_token: expect.any(String),
			refresh_token: expect.any(String),
			token_type: 'bearer',
			expires_in: 3600,
			scope: 'offline_access supplier_invoice.read supplier_invoice.write',
		});
		expect((await unmark(QID, `Bearer ${at(answer, 'access_token')}`)).status).toBe(200);
		const again = await token({ grant_type: 'authorization_code', code: 'qonto-auth-code' });
		expect(again.status).toBe(400);
		expect(at(again, 'error')).toBe('invalid_grant');
	});

	it('client credentials go in the body (HTTP Basic only behind a switch); wrong ones are 401 invalid_client', async () => {
		const basic = Buffer.from('qonto-client-id:qonto-client-secret').toString('base64');
		const byBasic = () =>
			call('/qonto-oauth/oauth2/token', {
				form: { grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' },
				headers: { authorization: `Basic ${basic}` },
			});
		expect((await byBasic()).status).toBe(401);
		fakes.config.qonto.tokenClientAuth = 'any';
		expect((await byBasic()).status).toBe(200);
		const bad = await token({ grant_type: 'refresh_token', refresh_token: 'x', client_secret: 'wrong' });
		expect(bad.status).toBe(401);
		expect(bad.json).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
	});

	it('wants form-urlencoded and a known grant_type', async () => {
		const asJson = await call('/qonto-oauth/oauth2/token', {
			json: { grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token', client_id: 'qonto-client-id', client_secret: 'qonto-client-secret' },
		});
		expect(asJson.status).toBe(400);
		expect(at(asJson, 'error')).toBe('invalid_request');
		expect(at(await token({ grant_type: 'password' }), 'error')).toBe('unsupported_grant_type');
	});

	it('an issued access token expires after expires_in: 401 (the node then refreshes)', async () => {
		const issued = await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' });
		const bearer = `Bearer ${at(issued, 'access_token')}`;
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, bearer)).status).toBe(200);
		fakes.advanceClock(3600 * SECOND);
		expectQontoError(await qonto(`/v2/supplier_invoices/${QID}`, {}, bearer), 401, 'unauthorized');
	});

	it('accessTokenTtl sets expires_in, so a test can let a token expire quickly', async () => {
		fakes.config.qonto.accessTokenTtl = 5;
		const issued = await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' });
		expect(at(issued, 'expires_in')).toBe(5);
		const bearer = `Bearer ${at(issued, 'access_token')}`;
		fakes.advanceClock(4 * SECOND);
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, bearer)).status).toBe(200);
		fakes.advanceClock(1 * SECOND);
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, bearer)).status).toBe(401);
	});

	it('refresh tokens rotate: the old one works for the 60 s grace, then invalid_grant; the new one works', async () => {
		const first = await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' });
		const rotated = String(at(first, 'refresh_token'));
		expect(rotated).not.toBe('qonto-refresh-token');
		fakes.advanceClock(59 * SECOND);
		expect((await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' })).status).toBe(200);
		fakes.advanceClock(2 * SECOND);
		const late = await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' });
		expect(late.status).toBe(400);
		expect(at(late, 'error')).toBe('invalid_grant');
		expect((await token({ grant_type: 'refresh_token', refresh_token: rotated })).status).toBe(200);
	});

	it('refreshGraceSeconds 0: the old refresh token is refused at once', async () => {
		fakes.config.qonto.refreshGraceSeconds = 0;
		expect((await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' })).status).toBe(200);
		expect(at(await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' }), 'error')).toBe('invalid_grant');
	});

	it('scopes are per token: without supplier_invoice.write, unmark is 403 "missing required oauth scope"', async () => {
		fakes.config.qonto.authorizationCodes = { 'read-only': 'supplier_invoice.read' };
		const issued = await token({ grant_type: 'authorization_code', code: 'read-only' });
		expect(at(issued, 'refresh_token')).toBeUndefined(); // no offline_access, no refresh token
		const bearer = `Bearer ${at(issued, 'access_token')}`;
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, bearer)).status).toBe(200);
		const refused = await unmark(QID, bearer);
		expectQontoError(refused, 403, 'forbidden');
		expect(at(refused, 'errors.0.detail')).toBe('missing required oauth scope');
		expect(fakes.state.qonto.get(QID)).toMatchObject({ status: 'paid' });
		// GET /v2/organization needs organization.read under OAuth.
		expectQontoError(await qonto('/v2/organization', {}, bearer), 403, 'forbidden');
	});

	it('issued tokens are listed in the config as plain strings; a rotated refresh token leaves it', async () => {
		const issued = await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' });
		expect(fakes.config.qonto.accessTokens).toEqual(['qonto-access-token', at(issued, 'access_token')]);
		expect(fakes.config.qonto.refreshTokens).toEqual({ [String(at(issued, 'refresh_token'))]: true });
	});

	it('a hand-made token object has its own scope and expiry', async () => {
		fakes.config.qonto.accessTokens = [{ token: 'narrow', scope: 'supplier_invoice.read', expiresAt: fakes.now() + MINUTE }];
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, 'Bearer narrow')).status).toBe(200);
		expect((await unmark(QID, 'Bearer narrow')).status).toBe(403);
		fakes.advanceClock(MINUTE);
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, 'Bearer narrow')).status).toBe(401);
	});

	it('a refreshed token keeps the scope of the refresh token', async () => {
		fakes.config.qonto.refreshTokens = { narrow: 'offline_access supplier_invoice.read' };
		const issued = await token({ grant_type: 'refresh_token', refresh_token: 'narrow' });
		expect(at(issued, 'scope')).toBe('offline_access supplier_invoice.read');
		expect((await unmark(QID, `Bearer ${at(issued, 'access_token')}`)).status).toBe(403);
	});
});

describe('Qonto: rate limits', () => {
	it('defaults to the documented windows: 1,000 / 10 s and 10,000 / 10 min per IP, 200 401s per hour', () => {
		expect(DEFAULT_CONFIG.qonto.rateLimit).toEqual([
			{ limit: 1000, windowMs: 10 * SECOND },
			{ limit: 10000, windowMs: 10 * MINUTE },
		]);
		expect(DEFAULT_CONFIG.qonto.unauthorizedLimit).toEqual({ limit: 200, windowMs: HOUR });
	});

	it('counts every window per IP, whatever the credential: 429 with Retry-After and a trace id', async () => {
		fakes.seed('qonto', QID);
		fakes.config.qonto.rateLimit = [
			{ limit: 3, windowMs: 10 * SECOND },
			{ limit: 5, windowMs: 10 * MINUTE },
		];
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, API_KEY)).status).toBe(200);
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, BEARER)).status).toBe(200);
		expect((await qonto('/v2/organization')).status).toBe(200);
		const limited = await qonto(`/v2/supplier_invoices/${QID}`, {}, BEARER);
		expectQontoError(limited, 429, 'too_many_requests');
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(10);

		fakes.advanceClock(10 * SECOND); // the short window is over, the long one has 2 left
		expect((await qonto(`/v2/supplier_invoices/${QID}`)).status).toBe(200);
		expect((await qonto(`/v2/supplier_invoices/${QID}`)).status).toBe(200);
		const long = await qonto(`/v2/supplier_invoices/${QID}`);
		expect(long.status).toBe(429);
		expect(Number(long.headers.get('retry-after'))).toBeGreaterThan(10);
		fakes.advanceClock(10 * MINUTE);
		expect((await qonto(`/v2/supplier_invoices/${QID}`)).status).toBe(200);
	});

	it('retryAfter false: the 429 has no Retry-After header', async () => {
		Object.assign(fakes.config.qonto, { rateLimit: { limit: 1, windowMs: MINUTE }, retryAfter: false });
		await qonto('/v2/organization');
		const limited = await qonto('/v2/organization');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBeNull();
	});

	it('more 401 answers than the threshold within the hour throttle the IP, even with good credentials', async () => {
		fakes.config.qonto.unauthorizedLimit = { limit: 3, windowMs: HOUR };
		for (let i = 0; i < 3; i += 1) expect((await qonto('/v2/organization', {}, 'acme-1234:wrong')).status).toBe(401);
		const throttled = await qonto('/v2/organization');
		expectQontoError(throttled, 429, 'too_many_requests');
		fakes.advanceClock(HOUR);
		expect((await qonto('/v2/organization')).status).toBe(200);
	});

	it('rateLimit null switches the per-IP limit off', async () => {
		fakes.config.qonto.rateLimit = null;
		const answers = await Promise.all(Array.from({ length: 20 }, () => qonto('/v2/organization')));
		expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
	});
});

describe('Qonto: supplier invoice state machine', () => {
	it('unmark_as_paid: paid -> to_review with payment_date null, a bare invoice by default; the second call is 400', async () => {
		fakes.seed('qonto', QID);
		const answer = await unmark();
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ id: QID, status: 'to_review', payment_date: null });
		expect(at(answer, 'supplier_invoice')).toBeUndefined();
		expect(fakes.state.qonto.get(QID)).toMatchObject({ status: 'to_review', payment_date: null });
		const second = await unmark();
		expectQontoError(second, 400, 'invalid_transition');
	});

	it('unmarkResponse "wrapped": the write answers { supplier_invoice }', async () => {
		fakes.seed('qonto', QID);
		fakes.config.qonto.unmarkResponse = 'wrapped';
		const answer = await unmark();
		expect(answer.json).toEqual({ supplier_invoice: expect.objectContaining({ id: QID, status: 'to_review' }) });
	});

	it.each(['to_review', 'to_approve', 'pending', 'awaiting_payment', 'to_pay', 'scheduled', 'archived', 'rejected'])(
		'unmark_as_paid from %s is 400 and changes nothing',
		async (status) => {
			fakes.seed('qonto', QID, { status });
			expectQontoError(await unmark(), 400, 'invalid_transition');
			expect(fakes.state.qonto.get(QID)).toMatchObject({ status });
		},
	);

	it('unmark_as_paid of an unknown invoice is a JSON 404 not_found', async () => {
		expectQontoError(await unmark(QID_2), 404, 'not_found');
	});

	it.each(['to_review', 'to_approve', 'pending', 'awaiting_payment', 'to_pay', 'archived'])(
		'mark_as_paid from %s -> paid with the body\'s payment_date',
		async (status) => {
			fakes.seed('qonto', QID, { status });
			const answer = await qonto(`/v2/supplier_invoices/${QID}/mark_as_paid`, { json: { supplier_invoice: { payment_date: '2026-12-01' } } });
			expect(answer.status).toBe(200);
			expect(answer.json).toMatchObject({ status: 'paid', payment_date: '2026-12-01' });
		},
	);

	it('mark_as_paid on a paid invoice is a 200 no-op; without payment_date it is today', async () => {
		fakes.seed('qonto', QID);
		const before = { ...fakes.state.qonto.get(QID) };
		const noop = await qonto(`/v2/supplier_invoices/${QID}/mark_as_paid`, { json: { supplier_invoice: { payment_date: '2030-01-01' } } });
		expect(noop.status).toBe(200);
		expect(fakes.state.qonto.get(QID)).toEqual(before);
		fakes.seed('qonto', QID_2, { status: 'to_pay' });
		const today = new Date(fakes.now()).toISOString().slice(0, 10);
		expect((await qonto(`/v2/supplier_invoices/${QID_2}/mark_as_paid`, { method: 'POST' })).json).toMatchObject({ status: 'paid', payment_date: today });
	});

	it.each(['scheduled', 'rejected'])('mark_as_paid from %s is 400', async (status) => {
		fakes.seed('qonto', QID, { status });
		expectQontoError(await qonto(`/v2/supplier_invoices/${QID}/mark_as_paid`, { json: { supplier_invoice: { payment_date: '2026-12-01' } } }), 400, 'invalid_transition');
	});

	it('mark_as_paid with a malformed payment_date is a 400 pointing at the field', async () => {
		fakes.seed('qonto', QID, { status: 'to_pay' });
		const answer = await qonto(`/v2/supplier_invoices/${QID}/mark_as_paid`, { json: { supplier_invoice: { payment_date: '01/12/2026' } } });
		expect(answer.status).toBe(400);
		expect(at(answer, 'errors.0.source.pointer')).toBe('/supplier_invoice/payment_date');
	});

	it.each(['to_review', 'to_approve', 'awaiting_payment'])('reject from %s -> rejected; again is 400', async (status) => {
		fakes.seed('qonto', QID, { status });
		const answer = await qonto(`/v2/supplier_invoices/${QID}/reject`, { json: { declined_note: 'duplicate' } });
		expect(answer.json).toMatchObject({ status: 'rejected', declined_note: 'duplicate' });
		expectQontoError(await qonto(`/v2/supplier_invoices/${QID}/reject`, { method: 'POST' }), 400, 'invalid_transition');
	});

	it.each(['pending', 'to_pay', 'scheduled', 'paid', 'archived'])('reject from %s is 400', async (status) => {
		fakes.seed('qonto', QID, { status });
		expectQontoError(await qonto(`/v2/supplier_invoices/${QID}/reject`, { method: 'POST' }), 400, 'invalid_transition');
	});
});

describe('Qonto: reads', () => {
	beforeEach(() => {
		const statuses = ['paid', 'paid', 'to_review', 'paid', 'to_pay'];
		statuses.forEach((status, i) => fakes.seed('qonto', `00000000-0000-4000-8000-00000000000${i}`, { status }));
	});

	it('GET one wraps the invoice in { supplier_invoice }', async () => {
		const answer = await qonto('/v2/supplier_invoices/00000000-0000-4000-8000-000000000002');
		expect(answer.json).toEqual({ supplier_invoice: expect.objectContaining({ status: 'to_review', total_amount: { value: '120.50', currency: 'EUR' } }) });
	});

	it('the list filters by filter[status][], pages with page/per_page and reports meta', async () => {
		const answer = await qonto('/v2/supplier_invoices?filter[status][]=paid&filter[status][]=to_pay&per_page=3&page=1');
		expect(answer.status).toBe(200);
		expect((at(answer, 'supplier_invoices') as unknown[]).length).toBe(3);
		expect(at(answer, 'meta')).toEqual({ current_page: 1, next_page: 2, prev_page: null, total_pages: 2, total_count: 4, per_page: 3 });
		const second = await qonto('/v2/supplier_invoices?filter[status][]=paid&filter[status][]=to_pay&per_page=3&page=2');
		expect((at(second, 'supplier_invoices') as Array<{ status: string }>).map((i) => i.status)).toEqual(['to_pay']);
		expect(at(second, 'meta')).toMatchObject({ current_page: 2, next_page: null, prev_page: 1 });
		expect(at(await qonto('/v2/supplier_invoices'), 'meta.total_count')).toBe(5);
	});

	it('per_page above 100 and unknown statuses are 400 with source.parameter', async () => {
		const tooMany = await qonto('/v2/supplier_invoices?per_page=101');
		expectQontoError(tooMany, 400, 'invalid');
		expect(at(tooMany, 'errors.0.source.parameter')).toBe('per_page');
		const badStatus = await qonto('/v2/supplier_invoices?filter[status][]=settled');
		expectQontoError(badStatus, 400, 'not_in_list');
		expect(at(badStatus, 'errors.0.source.parameter')).toBe('filter[status][]');
	});
});

describe('Contazen: authentication and envelopes', () => {
	beforeEach(() => fakes.seed('contazen', 'sbill_cz0001'));

	it('no Authorization is 401 missing_api_key; an unknown key is 401 invalid_api_key, in the documented envelope', async () => {
		const missing = await call('/contazen/v1/settings');
		expectContazenError(missing, 401, 'authentication_error', 'missing_api_key');
		expect(Object.keys(at(missing, 'error') as object).sort()).toEqual(['code', 'message', 'status', 'type']);
		expectContazenError(await contazen('/settings', {}, 'sk_live_unknown000000000000000000'), 401, 'authentication_error', 'invalid_api_key');
		expectContazenError(await call('/contazen/v1/settings', { headers: { authorization: CZ_KEY } }), 401, 'authentication_error', 'invalid_api_key');
	});

	it.each([
		['expired', 401, 'expired_api_key'],
		['ip_restricted', 401, 'ip_restricted'],
		['insufficient_permissions', 403, 'insufficient_permissions'],
	] as const)('a key in state %s is %i %s', async (keyState, status, code) => {
		fakes.config.contazen.keyStatus = { [CZ_KEY]: keyState };
		expectContazenError(await contazen('/supplier-bills/sbill_cz0001/mark-unpaid', { method: 'POST' }), status, 'authentication_error', code);
		expect(fakes.state.contazen.get('sbill_cz0001')).toMatchObject({ status: 'paid' });
	});

	it('sk_live_ keys work like sk_test_ keys when configured', async () => {
		fakes.config.contazen.apiKeys = ['sk_live_abcdefghijklmnopqrstuvwx'];
		expect((await contazen('/settings', {}, 'sk_live_abcdefghijklmnopqrstuvwx')).status).toBe(200);
	});

	it('the success envelope is { success, data: { supplier_bill, message }, meta: { version, request_id, response_time } }', async () => {
		const answer = await contazen('/supplier-bills/sbill_cz0001/mark-unpaid', { method: 'POST' });
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			success: true,
			data: { supplier_bill: expect.objectContaining({ id: 'sbill_cz0001', object: 'supplier_bill' }), message: expect.any(String) },
			meta: { version: 'v1', request_id: expect.stringMatching(UUID), response_time: expect.any(String) },
		});
		expect(at(answer, 'data.supplier_bill.created_at')).toEqual(expect.any(Number));
	});

	it('errorRequestId: error metas carry a request_id only when switched on', async () => {
		expect(at(await contazen('/supplier-bills/nope/mark-unpaid', { method: 'POST' }), 'meta.request_id')).toBeUndefined();
		fakes.config.contazen.errorRequestId = true;
		expect(at(await contazen('/supplier-bills/nope/mark-unpaid', { method: 'POST' }), 'meta.request_id')).toMatch(UUID);
	});

	it('GET /v1/settings answers the firm and a rate_limits block', async () => {
		const answer = await contazen('/settings');
		expect(answer.json).toMatchObject({ success: true, data: { firm: expect.any(Object), rate_limits: expect.any(Object) } });
	});

	it('unknown routes and unknown bills are 404 resource_not_found', async () => {
		expectContazenError(await contazen('/nothing'), 404, 'resource_error', 'resource_not_found');
		expectContazenError(await contazen('/supplier-bills/sbill_nope/mark-unpaid', { method: 'POST' }), 404, 'resource_error', 'resource_not_found');
	});

	it('a body that is not JSON is 400 invalid_request', async () => {
		const answer = await contazen('/supplier-bills/sbill_cz0001/mark-paid', { body: '{nope', headers: { 'content-type': 'application/json' } });
		expectContazenError(answer, 400, 'validation_error', 'invalid_request');
	});
});

describe('Contazen: supplier bill state machine', () => {
	it('mark-unpaid from paid clears the payment and flips the linked expense to unpaid', async () => {
		fakes.seed('contazen', 'sbill_cz0001');
		expect(fakes.state.contazenExpenses.get('exp_cz0001')).toMatchObject({ is_paid: true, paid_at: '2026-11-03' });
		const answer = await contazen('/supplier-bills/sbill_cz0001/mark-unpaid', { method: 'POST' });
		expect(at(answer, 'data.supplier_bill')).toMatchObject({
			status: 'unpaid',
			payment_date: null,
			payment_amount: null,
			expense_id: 'exp_cz0001',
			amounts: { tax_inclusive: 1190, paid: 0, unpaid: 1190 },
		});
		expect(fakes.state.contazenExpenses.get('exp_cz0001')).toMatchObject({ is_paid: false, paid_at: null });
		const state = await call('/_control/state');
		expect(at(state, 'contazenExpenses.exp_cz0001')).toMatchObject({ is_paid: false, paid_at: null });
	});

	it('mark-unpaid from partial -> unpaid', async () => {
		fakes.seed('contazen', 'sbill_cz0002', { status: 'partial' });
		const answer = await contazen('/supplier-bills/sbill_cz0002/mark-unpaid', { method: 'POST' });
		expect(at(answer, 'data.supplier_bill')).toMatchObject({ status: 'unpaid', payment_amount: null, amounts: { paid: 0, unpaid: 1190 } });
	});

	it('mark-unpaid of an unpaid bill: 200 no-op by default, 400 with alreadyUnpaid "error"', async () => {
		fakes.seed('contazen', 'sbill_cz0003', { status: 'unpaid' });
		const before = { ...fakes.state.contazen.get('sbill_cz0003') };
		const ok = await contazen('/supplier-bills/sbill_cz0003/mark-unpaid', { method: 'POST' });
		expect(ok.status).toBe(200);
		expect(at(ok, 'data.supplier_bill')).toMatchObject({ status: 'unpaid', payment_date: null, amounts: before.amounts });
		fakes.config.contazen.alreadyUnpaid = 'error';
		expectContazenError(await contazen('/supplier-bills/sbill_cz0003/mark-unpaid', { method: 'POST' }), 400, 'validation_error', 'invalid_request');
	});

	it('mark-paid without a body pays the full amount today and marks the expense paid', async () => {
		fakes.seed('contazen', 'sbill_cz0004', { status: 'unpaid' });
		expect(fakes.state.contazenExpenses.get('exp_cz0004')).toMatchObject({ is_paid: false });
		const today = new Date(fakes.now()).toISOString().slice(0, 10);
		const answer = await contazen('/supplier-bills/sbill_cz0004/mark-paid', { method: 'POST' });
		expect(at(answer, 'data.supplier_bill')).toMatchObject({ status: 'paid', payment_date: today, payment_amount: 1190, amounts: { paid: 1190, unpaid: 0 } });
		expect(fakes.state.contazenExpenses.get('exp_cz0004')).toMatchObject({ is_paid: true, paid_at: today });
	});

	it('mark-paid with a smaller payment_amount is partial; with a date it keeps the date', async () => {
		fakes.seed('contazen', 'sbill_cz0005', { status: 'unpaid' });
		const answer = await contazen('/supplier-bills/sbill_cz0005/mark-paid', { json: { payment_date: '2026-12-02', payment_amount: 190 } });
		expect(at(answer, 'data.supplier_bill')).toMatchObject({ status: 'partial', payment_date: '2026-12-02', payment_amount: 190, amounts: { paid: 190, unpaid: 1000 } });
	});

	it('mark-paid with a bad amount or date is 400 with an errors map', async () => {
		fakes.seed('contazen', 'sbill_cz0006', { status: 'unpaid' });
		const amount = await contazen('/supplier-bills/sbill_cz0006/mark-paid', { json: { payment_amount: 5000 } });
		expectContazenError(amount, 400, 'validation_error', 'invalid_field_value');
		expect(at(amount, 'error.errors.payment_amount')).toEqual(expect.any(String));
		const date = await contazen('/supplier-bills/sbill_cz0006/mark-paid', { json: { payment_date: 'tomorrow' } });
		expectContazenError(date, 400, 'validation_error', 'invalid_format');
	});

	it('a locked bill is 423 resource_locked for both writes', async () => {
		fakes.seed('contazen', 'sbill_cz0007', { locked: true });
		expectContazenError(await contazen('/supplier-bills/sbill_cz0007/mark-unpaid', { method: 'POST' }), 423, 'resource_error', 'resource_locked');
		expectContazenError(await contazen('/supplier-bills/sbill_cz0007/mark-paid', { method: 'POST' }), 423, 'resource_error', 'resource_locked');
		expect(fakes.state.contazen.get('sbill_cz0007')).toMatchObject({ status: 'paid' });
	});

	it('a bill without a linked expense reverts without touching expenses', async () => {
		fakes.seed('contazen', 'sbill_cz0008', { expense_id: null });
		expect((await contazen('/supplier-bills/sbill_cz0008/mark-unpaid', { method: 'POST' })).status).toBe(200);
		expect(fakes.state.contazenExpenses.size).toBe(0);
	});
});

describe('Contazen: reads', () => {
	beforeEach(() => {
		['paid', 'unpaid', 'paid', 'partial', 'paid'].forEach((status, i) => fakes.seed('contazen', `sbill_r${i}`, { status }));
	});

	it('the list pages with page/per_page, filters by status and has the list envelope', async () => {
		const answer = await contazen('/supplier-bills?status=paid&per_page=2&page=1');
		expect(answer.status).toBe(200);
		expect(at(answer, 'data')).toMatchObject({ object: 'list', has_more: true, total: 3, page: 1, per_page: 2, total_pages: 2 });
		expect((at(answer, 'data.data') as Array<{ id: string }>).map((b) => b.id)).toEqual(['sbill_r0', 'sbill_r2']);
		expect(at(answer, 'data.totals')).toMatchObject({ count: 3, tax_inclusive: 3570, paid: 3570, unpaid: 0, by_currency: { RON: expect.any(Object) } });
		expect(at(answer, 'meta.request_id')).toMatch(UUID);
		const last = await contazen('/supplier-bills?status=paid&per_page=2&page=2');
		expect(at(last, 'data')).toMatchObject({ has_more: false, page: 2 });
		expect(at(await contazen('/supplier-bills'), 'data')).toMatchObject({ total: 5, per_page: 50 });
	});

	it('bad list parameters are 400 invalid_field_value with the fields named', async () => {
		const answer = await contazen('/supplier-bills?per_page=101&status=settled');
		expectContazenError(answer, 400, 'validation_error', 'invalid_field_value');
		expect(Object.keys(at(answer, 'error.errors') as object).sort()).toEqual(['per_page', 'status']);
	});

	it('GET one is undocumented: 404 like an unknown route by default, the bill with singleGet on', async () => {
		const off = await contazen('/supplier-bills/sbill_r1');
		expectContazenError(off, 404, 'resource_error', 'resource_not_found');
		expect(at(off, 'error.message')).toBe(at(await contazen('/nothing'), 'error.message'));
		fakes.config.contazen.singleGet = true;
		expect(at(await contazen('/supplier-bills/sbill_r1'), 'data.supplier_bill')).toMatchObject({ id: 'sbill_r1', status: 'unpaid' });
		expectContazenError(await contazen('/supplier-bills/sbill_nope'), 404, 'resource_error', 'resource_not_found');
	});
});

describe('Contazen: rate limit', () => {
	it('defaults to 100 requests per minute per key', () => {
		expect(DEFAULT_CONFIG.contazen.rateLimit).toEqual({ limit: 100, windowMs: MINUTE });
	});

	it('X-RateLimit-Limit/Remaining/Reset (unix seconds) are on every answer, errors included', async () => {
		const nowSeconds = Math.floor(fakes.now() / 1000);
		const answers = [await contazen('/settings'), await contazen('/nothing'), await contazen('/supplier-bills/x/mark-unpaid', { method: 'POST' })];
		answers.forEach((answer, i) => {
			expect(answer.headers.get('x-ratelimit-limit')).toBe('100');
			expect(answer.headers.get('x-ratelimit-remaining')).toBe(String(99 - i));
			const reset = Number(answer.headers.get('x-ratelimit-reset'));
			expect(reset).toBeGreaterThanOrEqual(nowSeconds + 59);
			expect(reset).toBeLessThanOrEqual(nowSeconds + 61);
		});
		expect((await call('/contazen/v1/settings')).headers.get('x-ratelimit-limit')).toBe('100');
	});

	it('over the limit: 429 rate_limit_exceeded with error.retry_after, per key, no Retry-After header by default', async () => {
		fakes.config.contazen.rateLimit = { limit: 2, windowMs: MINUTE };
		fakes.config.contazen.apiKeys = [CZ_KEY, 'sk_live_other0000000000000000000'];
		await contazen('/settings');
		await contazen('/settings');
		const limited = await contazen('/settings');
		expectContazenError(limited, 429, 'rate_limit_error', 'rate_limit_exceeded');
		expect(at(limited, 'error.retry_after')).toEqual(expect.any(Number));
		expect(Number(at(limited, 'error.retry_after'))).toBeGreaterThanOrEqual(1);
		expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(limited.headers.get('retry-after')).toBeNull();
		expect((await contazen('/settings', {}, 'sk_live_other0000000000000000000')).status).toBe(200);
		fakes.advanceClock(MINUTE);
		expect((await contazen('/settings')).status).toBe(200);
	});

	it('retryAfter true adds a Retry-After header to the 429', async () => {
		Object.assign(fakes.config.contazen, { rateLimit: { limit: 1, windowMs: MINUTE }, retryAfter: true });
		await contazen('/settings');
		const limited = await contazen('/settings');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe(String(at(limited, 'error.retry_after')));
	});

	it('rateLimit null: no limit and no X-RateLimit-* headers', async () => {
		fakes.config.contazen.rateLimit = null;
		const answer = await contazen('/settings');
		expect(answer.status).toBe(200);
		expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
	});
});

describe('Wethod', () => {
	beforeEach(() => {
		fakes.seed('wethod', '1042');
		fakes.seed('wethod', '1043', { status: 'sent' });
		fakes.seed('wethod', '1044', { status: 'draft' });
	});

	it.each([
		['no token', {}],
		['a wrong token', { authorization: 'Bearer nope' }],
		['a non-Bearer token', { authorization: WETHOD_TOKEN }],
	])('%s is 401 { key, message }', async (_name, auth) => {
		const answer = await call('/wethod/api/persons/me', { headers: { 'wethod-company': 'acme', 'wethod-version': '2024-06-15', ...auth } });
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual({ key: expect.any(String), message: expect.any(String) });
	});

	it.each([
		['a missing Wethod-Company', { 'wethod-company': '' }],
		['a wrong Wethod-Company', { 'wethod-company': 'globex' }],
		['a missing Wethod-Version', { 'wethod-version': '' }],
		['an unknown Wethod-Version', { 'wethod-version': '2025-01-01' }],
	])('%s is 412 precondition_failure, even on /persons/me', async (_name, headers) => {
		const answer = await wethod('/api/persons/me', { headers });
		expect(answer.status).toBe(412);
		expect(answer.json).toEqual({ key: 'precondition_failure', message: expect.any(String) });
	});

	it('GET /api/persons/me answers the person; GET one is the unwrapped invoice; unknown is 404 not_found', async () => {
		expect((await wethod('/api/persons/me')).json).toMatchObject({ id: 1, email: expect.any(String), role: expect.any(String) });
		expect((await wethod('/api/invoices/1042')).json).toMatchObject({ id: 1042, status: 'paid', payment_date: expect.any(String) });
		const missing = await wethod('/api/invoices/9999');
		expect(missing.status).toBe(404);
		expect(missing.json).toEqual({ key: 'not_found', message: expect.any(String) });
		expect((await wethod('/api/invoices/abc:set-unpaid', { method: 'POST' })).status).toBe(404);
	});

	it('the list is a bare array with limit (<= 100) and offset', async () => {
		const all = await wethod('/api/invoices');
		expect(Array.isArray(all.json)).toBe(true);
		expect((all.json as Array<{ id: number }>).map((i) => i.id)).toEqual([1042, 1043, 1044]);
		expect((await wethod('/api/invoices?limit=1&offset=1')).json).toEqual([expect.objectContaining({ id: 1043 })]);
		expect((await wethod('/api/invoices?limit=101')).status).toBe(400);
	});

	it('draft -> :send (invoice_contact_id) -> sent -> :set-paid -> paid -> :set-unpaid -> sent, payment_date null', async () => {
		expect((await wethod('/api/invoices/1044:send', { json: {} })).status).toBe(400);
		expect((await wethod('/api/invoices/1044:set-paid', { method: 'POST' })).status).toBe(412);
		expect((await wethod('/api/invoices/1044:send', { json: { invoice_contact_id: 7 } })).json).toMatchObject({ status: 'sent' });
		expect((await wethod('/api/invoices/1044:send', { json: { invoice_contact_id: 7 } })).status).toBe(412);
		expect((await wethod('/api/invoices/1044:set-paid', { json: { payment_date: '2026-12-03' } })).json).toMatchObject({ status: 'paid', payment_date: '2026-12-03' });
		const unpaid = await wethod('/api/invoices/1044:set-unpaid', { method: 'POST' });
		expect(unpaid.status).toBe(200);
		expect(unpaid.json).toMatchObject({ id: 1044, status: 'sent', payment_date: null });
		expect(fakes.state.wethod.get('1044')).toMatchObject({ status: 'sent', payment_date: null });
	});

	it(':set-paid without a body uses today', async () => {
		const today = new Date(fakes.now()).toISOString().slice(0, 10);
		expect((await wethod('/api/invoices/1043:set-paid', { method: 'POST' })).json).toMatchObject({ status: 'paid', payment_date: today });
	});

	it(':set-unpaid of an invoice that is not paid: 412 by default, a 200 no-op with notPaid "ok"', async () => {
		const refused = await wethod('/api/invoices/1043:set-unpaid', { method: 'POST' });
		expect(refused.status).toBe(412);
		expect(refused.json).toEqual({ key: 'precondition_failure', message: expect.any(String) });
		fakes.config.wethod.notPaid = 'ok';
		const ok = await wethod('/api/invoices/1043:set-unpaid', { method: 'POST' });
		expect(ok.status).toBe(200);
		expect(ok.json).toMatchObject({ id: 1043, status: 'sent', payment_date: null });
	});

	it('a token without invoices.edit_sent gets 403 on :set-unpaid and :set-paid but may read', async () => {
		fakes.config.wethod.permissions = { 'wethod-token-0001': ['invoices.view'] };
		for (const action of ['set-unpaid', 'set-paid']) {
			const answer = await wethod(`/api/invoices/1042:${action}`, { method: 'POST' });
			expect(answer.status).toBe(403);
			expect(answer.json).toEqual({ key: expect.any(String), message: expect.any(String) });
		}
		expect(fakes.state.wethod.get('1042')).toMatchObject({ status: 'paid' });
		expect((await wethod('/api/invoices/1042')).status).toBe(200);
		fakes.config.wethod.permissions = { 'wethod-token-0001': [] };
		expect((await wethod('/api/persons/me')).status).toBe(200); // no permission needed
		expect((await wethod('/api/invoices')).status).toBe(403);
	});

	it('defaults to 5,000 requests per hour per token', () => {
		expect(DEFAULT_CONFIG.wethod.rateLimit).toEqual({ limit: 5000, windowMs: HOUR });
	});

	it('over the limit: 429 with x-ratelimit-retry-after seconds, per token', async () => {
		fakes.config.wethod.rateLimit = { limit: 2, windowMs: HOUR };
		const tokens = ['wethod-token-0001', 'wethod-token-0002'];
		fakes.config.wethod.tokens = tokens;
		await wethod('/api/persons/me');
		await wethod('/api/persons/me');
		const limited = await wethod('/api/persons/me');
		expect(limited.status).toBe(429);
		const wait = Number(limited.headers.get('x-ratelimit-retry-after'));
		expect(wait).toBeGreaterThan(3500);
		expect(wait).toBeLessThanOrEqual(3600);
		expect((await wethod('/api/persons/me', { headers: { authorization: `Bearer ${tokens[1]}` } })).status).toBe(200);
		fakes.advanceClock(HOUR);
		expect((await wethod('/api/persons/me')).status).toBe(200);
	});
});

describe('faults', () => {
	beforeEach(() => {
		fakes.seed('qonto', QID);
		fakes.seed('wethod', '7');
	});
	const read = () => qonto(`/v2/supplier_invoices/${QID}`);

	it('status: N times the given status, body and headers, then the normal answer', async () => {
		fakes.addFaults([{ type: 'status', status: 503, body: { errors: [{ code: 'unknown' }] }, headers: { 'x-injected': 'yes' }, count: 2 }]);
		for (let i = 0; i < 2; i += 1) {
			const answer = await read();
			expect(answer.status).toBe(503);
			expect(answer.json).toEqual({ errors: [{ code: 'unknown' }] });
			expect(answer.headers.get('x-injected')).toBe('yes');
		}
		expect((await read()).status).toBe(200);
	});

	it("limit: each vendor's own 429 asking for the given wait, the way that vendor asks", async () => {
		fakes.addFaults([
			{ type: 'limit', vendor: 'qonto', retryAfter: 3 },
			{ type: 'limit', vendor: 'contazen', retryAfter: 4 },
			{ type: 'limit', vendor: 'wethod', retryAfter: 5 },
		]);
		const q = await read();
		expectQontoError(q, 429, 'too_many_requests');
		expect(q.headers.get('retry-after')).toBe('3');
		const c = await contazen('/supplier-bills');
		expectContazenError(c, 429, 'rate_limit_error', 'rate_limit_exceeded');
		expect(at(c, 'error.retry_after')).toBe(4);
		const w = await wethod('/api/invoices/7');
		expect(w.status).toBe(429);
		expect(w.headers.get('x-ratelimit-retry-after')).toBe('5');
		expect((await read()).status).toBe(200);
	});

	it('a string body is sent as it is', async () => {
		fakes.addFaults([{ type: 'status', status: 500, body: 'Internal Server Error' }]);
		const answer = await read();
		expect(answer.text).toBe('Internal Server Error');
		expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
	});

	it.each([
		['html', 200, /^text\/html/, /<html/i],
		['malformed', 200, /^application\/json/, /^\{"supplier_invoice": \{"id": $/],
		['text', 502, /^text\/plain/, /^Bad Gateway$/],
	] as const)('%s: a non-JSON body with status %i, once', async (type, status, contentType, body) => {
		fakes.addFaults([{ type }]);
		const answer = await read();
		expect(answer.status).toBe(status);
		expect(answer.headers.get('content-type')).toMatch(contentType);
		expect(answer.text).toMatch(body);
		expect(answer.json).toBeUndefined();
		expect((await read()).status).toBe(200);
	});

	it('reset: the connection is dropped without an answer', async () => {
		fakes.addFaults([{ type: 'reset', remaining: 2 }]);
		await expect(read()).rejects.toThrow();
		await expect(read()).rejects.toThrow();
		expect((await read()).status).toBe(200);
		expect(fakes.log.map((r) => r.fault ?? r.status)).toEqual(['reset', 'reset', 200]);
	});

	it('hang: no answer until the client gives up', async () => {
		fakes.addFaults([{ type: 'hang' }]);
		const started = Date.now();
		await expect(call(`/qonto/v2/supplier_invoices/${QID}`, { headers: { authorization: API_KEY }, signal: AbortSignal.timeout(300) })).rejects.toThrow();
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		expect((await read()).status).toBe(200);
	});

	it('lose: the write is applied, the answer is lost', async () => {
		fakes.addFaults([{ type: 'lose', vendor: 'qonto', path: 'unmark_as_paid' }]);
		await expect(unmark()).rejects.toThrow();
		expect(fakes.state.qonto.get(QID)).toMatchObject({ status: 'to_review' });
		expect(fakes.log[0]).toMatchObject({ fault: 'lose', status: 200 });
		expectQontoError(await unmark(), 400, 'invalid_transition');
	});

	it('latency: the normal answer, late', async () => {
		fakes.addFaults([{ type: 'latency', latencyMs: 300 }]);
		let started = Date.now();
		expect((await read()).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		started = Date.now();
		expect((await read()).status).toBe(200);
		expect(Date.now() - started).toBeLessThan(280);
	});

	it("latencyMs in a vendor's config: every answer of that vendor late, the others not delayed", async () => {
		fakes.config.qonto.latencyMs = 300;
		for (let i = 0; i < 2; i += 1) {
			const started = Date.now();
			expect((await read()).status).toBe(200);
			expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		}
		expect(fakes.config.wethod.latencyMs).toBe(0);
		fakes.reset();
		expect(fakes.config.qonto.latencyMs).toBe(0);
	});

	it('matches by vendor, path substring and method; other requests pass', async () => {
		fakes.addFaults([
			{ type: 'status', status: 500, vendor: 'wethod', path: 'set-unpaid', method: 'post' },
			{ type: 'status', status: 502, vendor: 'qonto', method: 'GET' },
		]);
		expect((await wethod('/api/invoices/7')).status).toBe(200); // GET, no set-unpaid
		expect((await unmark()).status).toBe(200); // qonto POST
		expect((await wethod('/api/invoices/7:set-unpaid', { method: 'POST' })).status).toBe(500);
		expect((await read()).status).toBe(502);
		expect((await read()).status).toBe(200);
		expect(fakes.state.wethod.get('7')).toMatchObject({ status: 'paid' }); // an injected status is not applied
	});

	it('through the control endpoint, with count; unknown types are refused', async () => {
		const added = await call('/_control/faults', { json: { faults: [{ type: 'text', status: 504, vendor: 'qonto', count: 3 }] } });
		expect(added.json).toEqual({ pending: 1 });
		expect((await call('/_control/faults')).json).toEqual([expect.objectContaining({ type: 'text', remaining: 3 })]);
		for (let i = 0; i < 3; i += 1) expect((await read()).status).toBe(504);
		expect((await read()).status).toBe(200);
		expect((await call('/_control/faults')).json).toEqual([]);
		expect((await call('/_control/faults', { json: { faults: [{ type: 'explode' }] } })).status).toBe(400);
	});

	/** Reads a body chunk by chunk: how many chunks came, and the text. */
	async function chunks(response: Response, stopAfter = Infinity): Promise<{ count: number; text: string }> {
		const reader = response.body!.getReader();
		const decoder = new TextDecoder();
		let count = 0;
		let text = '';
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			count += 1;
			text += decoder.decode(value, { stream: true });
			if (count >= stopAfter) {
				await reader.cancel();
				break;
			}
		}
		return { count, text };
	}

	/** Waits (bounded) until the fakes saw the client go away: the server learns it asynchronously. */
	async function abortedLogged(index = 0): Promise<boolean> {
		for (let i = 0; i < 100 && !fakes.log[index]?.aborted; i += 1) await sleep(20);
		return fakes.log[index]?.aborted === true;
	}

	it('trickle: the normal answer (applied), status and headers first, then the body in many small chunks', async () => {
		fakes.addFaults([{ type: 'trickle', vendor: 'qonto', path: 'unmark_as_paid', durationMs: 600, intervalMs: 50 }]);
		const response = await fetch(`${fakes.url}/qonto/v2/supplier_invoices/${QID}/unmark_as_paid`, {
			method: 'POST',
			headers: { authorization: API_KEY },
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-length')).toBeNull();
		// Applied before the body is complete: the state changed as soon as the headers came.
		expect(fakes.state.qonto.get(QID)).toMatchObject({ status: 'to_review' });
		const { count, text } = await chunks(response);
		expect(count).toBeGreaterThanOrEqual(6);
		expect(JSON.parse(text)).toMatchObject({ id: QID, status: 'to_review', payment_date: null });
		expect(text).toMatch(/\} +$/);
		expect(fakes.log[0]).toMatchObject({ fault: 'trickle', status: 200 });
		expect(fakes.log[0].aborted).toBeUndefined();
	});

	it('trickle: a client that gives up is logged as aborted', async () => {
		fakes.addFaults([{ type: 'trickle', durationMs: 5000, intervalMs: 50 }]);
		const response = await fetch(`${fakes.url}/qonto/v2/supplier_invoices/${QID}`, { headers: { authorization: API_KEY } });
		expect((await chunks(response, 2)).count).toBe(2);
		expect(await abortedLogged()).toBe(true);
	});

	it('huge: valid JSON of the vendor\'s shape with an attachment of sizeMb MB, chunked; or announced', async () => {
		fakes.addFaults([{ type: 'huge', sizeMb: 2 }, { type: 'huge', sizeMb: 1, contentLength: true }]);
		const chunked = await read();
		expect(chunked.headers.get('content-length')).toBeNull();
		expect(at(chunked, 'attachment_base64')).toHaveLength(2 * 1024 * 1024);
		expect(at(chunked, 'supplier_invoice.id')).toBe(QID);
		const announced = await fetch(`${fakes.url}/qonto/v2/supplier_invoices/${QID}`, { headers: { authorization: API_KEY } });
		const text = await announced.text();
		expect(Number(announced.headers.get('content-length'))).toBe(Buffer.byteLength(text));
		expect((JSON.parse(text) as { attachment_base64: string }).attachment_base64).toHaveLength(1024 * 1024);
		expect(fakes.log.map((r) => [r.fault, r.aborted])).toEqual([['huge', undefined], ['huge', undefined]]);
	});

	it('huge: a client that stops reading is logged as aborted, and the fakes stop sending', async () => {
		fakes.addFaults([{ type: 'huge', sizeMb: 200 }]);
		const response = await fetch(`${fakes.url}/qonto/v2/supplier_invoices/${QID}`, { headers: { authorization: API_KEY } });
		await chunks(response, 3);
		expect(await abortedLogged()).toBe(true);
		expect((await read()).status).toBe(200);
	});

	it('hang: a client that gives up is logged as aborted; a reset or a lost answer is not', async () => {
		fakes.addFaults([{ type: 'hang' }, { type: 'reset' }, { type: 'lose', vendor: 'qonto', path: 'unmark_as_paid' }]);
		const signal = AbortSignal.timeout(200);
		await expect(call(`/qonto/v2/supplier_invoices/${QID}`, { headers: { authorization: API_KEY }, signal })).rejects.toThrow();
		expect(await abortedLogged(0)).toBe(true);
		await expect(read()).rejects.toThrow();
		await expect(unmark()).rejects.toThrow();
		await sleep(100); // the fakes learn of a closed connection asynchronously
		expect(fakes.log.map((r) => [r.fault, r.aborted])).toEqual([['hang', true], ['reset', undefined], ['lose', undefined]]);
	});

	it('huge or trickle with a status: that answer (not applied), sent their way', async () => {
		fakes.addFaults([{ type: 'huge', status: 503, sizeMb: 1 }, { type: 'trickle', status: 502, body: 'Bad Gateway', durationMs: 200, intervalMs: 50 }]);
		const huge = await unmark();
		expect(huge.status).toBe(503);
		expect(huge.json).toEqual({ attachment_base64: expect.stringMatching(/^(QUJD)+$/), error: 'injected' });
		const trickled = await unmark();
		expect([trickled.status, trickled.text.trim()]).toEqual([502, 'Bad Gateway']);
		expect(fakes.state.qonto.get(QID)).toMatchObject({ status: 'paid' });
	});

	it('authorization: only requests whose Authorization header contains the text get the fault', async () => {
		fakes.addFaults([{ type: 'status', status: 500, authorization: 'qonto-access-token' }]);
		expect((await read()).status).toBe(200); // API key
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, BEARER)).status).toBe(500);
		expect((await qonto(`/v2/supplier_invoices/${QID}`, {}, BEARER)).status).toBe(200);
	});

	it('duplicated headers: a list is sent as one line per value; fetch joins them, Node\'s http client keeps the first Retry-After', async () => {
		const headers = { 'retry-after': ['5', '7'], 'x-ratelimit-retry-after': ['5', '5'] };
		fakes.addFaults([{ type: 'status', status: 429, headers, count: 2 }]);
		const viaFetch = await read();
		expect(viaFetch.headers.get('retry-after')).toBe('5, 7');
		expect(viaFetch.headers.get('x-ratelimit-retry-after')).toBe('5, 5');
		// What axios on Node's HTTP client (and so n8n) sees: a duplicated Retry-After is discarded
		// (Node keeps the first), other duplicates are joined.
		const viaNode = await axios.get(`${fakes.url}/qonto/v2/supplier_invoices/${QID}`, {
			headers: { authorization: API_KEY },
			validateStatus: () => true,
		});
		expect(viaNode.status).toBe(429);
		expect({ ...viaNode.headers }).toMatchObject({ 'retry-after': '5', 'x-ratelimit-retry-after': '5, 5' });
	});

	it('faults do not touch the control endpoints', async () => {
		fakes.addFaults([{ type: 'reset' }]);
		expect((await call('/_control/state')).status).toBe(200);
		expect(await call('/_control/faults').then((a) => (a.json as unknown[]).length)).toBe(1);
	});
});

describe('control', () => {
	it('seed, then state (with Contazen expenses)', async () => {
		const seeded = await call('/_control/seed', {
			json: {
				invoices: [
					{ vendor: 'qonto', id: QID, overrides: { status: 'to_pay' } },
					{ vendor: 'contazen', id: 'sbill_ctl001' },
					{ vendor: 'wethod', id: 5 },
				],
			},
		});
		expect(seeded.json).toEqual({ created: 3 });
		const state = await call('/_control/state');
		expect(state.json).toEqual({
			qonto: { [QID]: expect.objectContaining({ status: 'to_pay', payment_date: null }) },
			contazen: { sbill_ctl001: expect.objectContaining({ status: 'paid', expense_id: 'exp_ctl001' }) },
			wethod: { 5: expect.objectContaining({ id: 5, status: 'paid' }) },
			contazenExpenses: { exp_ctl001: expect.objectContaining({ is_paid: true, supplier_bill_id: 'sbill_ctl001' }) },
		});
		expect((await call('/_control/seed', { json: { invoices: [{ vendor: 'stripe', id: 1 }] } })).status).toBe(400);
	});

	it('the log has method, path, query, headers, body and the status answered', async () => {
		fakes.seed('qonto', QID, { status: 'to_pay' });
		await qonto(`/v2/supplier_invoices/${QID}/mark_as_paid`, { json: { supplier_invoice: { payment_date: '2026-12-01' } } });
		await qonto('/v2/supplier_invoices?per_page=5');
		await token({ grant_type: 'refresh_token', refresh_token: 'qonto-refresh-token' });
		const log = (await call('/_control/log')).json;
		expect(log).toEqual([
			expect.objectContaining({
				vendor: 'qonto',
				method: 'POST',
				path: `/v2/supplier_invoices/${QID}/mark_as_paid`,
				headers: expect.objectContaining({ authorization: API_KEY, 'content-type': 'application/json' }),
				body: { supplier_invoice: { payment_date: '2026-12-01' } },
				status: 200,
			}),
			expect.objectContaining({ method: 'GET', path: '/v2/supplier_invoices', query: '?per_page=5', body: null, status: 200 }),
			expect.objectContaining({ vendor: 'qonto', path: '/oauth2/token', body: expect.stringContaining('grant_type=refresh_token') }),
		]);
		expect(fakes.log).toHaveLength(3);
	});

	it('config patches merge per vendor; unknown vendors are refused', async () => {
		const answer = await call('/_control/config', { json: { contazen: { alreadyUnpaid: 'error' }, wethod: { notPaid: 'ok' } } });
		expect(answer.json).toMatchObject({ contazen: { alreadyUnpaid: 'error', apiKeys: [CZ_KEY] }, wethod: { notPaid: 'ok', company: 'acme' } });
		expect(fakes.config.contazen.alreadyUnpaid).toBe('error');
		expect((await call('/_control/config')).json).toMatchObject({ wethod: { notPaid: 'ok' } });
		expect((await call('/_control/config', { json: { stripe: {} } })).status).toBe(400);
	});

	it('clock: moves the fakes\' time forward', async () => {
		const before = fakes.now();
		const answer = await call('/_control/clock', { json: { advanceMs: HOUR } });
		expect(Number(at(answer, 'now'))).toBeGreaterThanOrEqual(before + HOUR);
		expect(fakes.now()).toBeGreaterThanOrEqual(before + HOUR);
	});

	it('reset: the start configuration comes back even after the token endpoint rotated and issued tokens', async () => {
		const own = await startFakes({ config: { qonto: { refreshTokens: { 'own-refresh': true }, refreshGraceSeconds: 0 } } });
		try {
			const form = { grant_type: 'refresh_token', refresh_token: 'own-refresh', client_id: 'qonto-client-id', client_secret: 'qonto-client-secret' };
			const post = () => fetch(`${own.url}/qonto-oauth/oauth2/token`, { method: 'POST', body: new URLSearchParams(form) });
			const issued = (await (await post()).json()) as { access_token: string };
			expect(own.config.qonto.accessTokens).toContain(issued.access_token);
			expect((await post()).status).toBe(400); // rotated, no grace
			own.reset();
			own.seed('qonto', QID);
			const read = await fetch(`${own.url}/qonto/v2/supplier_invoices/${QID}`, { headers: { authorization: `Bearer ${issued.access_token}` } });
			expect(read.status).toBe(401);
			expect((await post()).status).toBe(200);
		} finally {
			await own.close();
		}
	});

	it('the OAuth prefix serves only the token endpoint', async () => {
		const answer = await call('/qonto-oauth/oauth2/elsewhere', { form: { grant_type: 'refresh_token' } });
		expect(answer.status).toBe(404);
	});

	it('reset: state, expenses, log, faults, limits, clock and config back to the start', async () => {
		fakes.seed('contazen', 'sbill_ctl002');
		fakes.addFaults([{ type: 'hang', vendor: 'wethod', remaining: 5 }]);
		fakes.config.contazen.alreadyUnpaid = 'error';
		fakes.config.qonto.accessTokens = [];
		fakes.advanceClock(HOUR);
		await contazen('/settings');
		expect((await call('/_control/reset', { method: 'POST' })).json).toEqual({ ok: true });
		expect(fakes.state.contazen.size + fakes.state.contazenExpenses.size + fakes.log.length).toBe(0);
		expect((await call('/_control/faults')).json).toEqual([]);
		expect(fakes.config).toEqual(DEFAULT_CONFIG);
		expect(Math.abs(fakes.now() - Date.now())).toBeLessThan(MINUTE);
		expect((await contazen('/settings')).headers.get('x-ratelimit-remaining')).toBe('99');
	});

	it('reset keeps the config given to startFakes', async () => {
		const own = await startFakes({ config: { wethod: { company: 'globex' } } });
		try {
			own.config.wethod.company = 'other';
			own.reset();
			expect(own.config.wethod.company).toBe('globex');
			expect(own.config.wethod.versions).toEqual(['2024-06-15']);
		} finally {
			await own.close();
		}
	});

	it('unknown control endpoints are 404', async () => {
		expect((await call('/_control/nothing')).status).toBe(404);
		expect((await call('/stripe/v1/charges')).status).toBe(404);
	});
});

describe('CLI', () => {
	it('listens, prints its URL, seeds the demo data and applies --config', async () => {
		const lines: string[] = [];
		const read: string[] = [];
		const cli = await runCli(['0', '--demo', '--config', 'patch.json'], {
			print: (line) => lines.push(line),
			readFile: (file) => {
				read.push(file);
				return JSON.stringify({ contazen: { alreadyUnpaid: 'error' }, qonto: { stagingToken: 'st' } });
			},
		});
		try {
			expect(lines).toEqual([`fakes listening on http://127.0.0.1:${cli.port}`]);
			expect(read).toEqual(['patch.json']);
			expect(cli.config.contazen.alreadyUnpaid).toBe('error');
			expect([...cli.state.qonto.keys()]).toEqual([QID, QID_2]);
			expect(cli.state.wethod.get('1043')).toMatchObject({ status: 'sent' });
			const gated = await fetch(`${cli.url}/qonto/v2/organization`, { redirect: 'manual' });
			expect(gated.status).toBe(302);
		} finally {
			await cli.close();
		}
	});

	it('refuses unknown arguments', async () => {
		await expect(runCli(['--nope'], { print: () => undefined })).rejects.toThrow(/unknown argument/);
	});
});
