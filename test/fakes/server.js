'use strict';
/**
 * Local fakes of the three vendor APIs, one process on loopback, plain Node (no dependencies).
 * Behaviour follows the vendors' documentation and the README's vendor notes (what the docs leave open);
 * where the vendor docs are silent ([?]), a switch in `config` picks the behaviour, and the
 * default is the one the node's engine tests were written against.
 *
 *   Qonto        {base}/qonto/v2/...                OAuth2 Bearer or "login:secret"; sandbox staging token
 *   Qonto OAuth  {base}/qonto-oauth/oauth2/token    authorization_code / refresh_token (form-urlencoded)
 *   Contazen     {base}/contazen/v1/...             Bearer sk_live_/sk_test_
 *   Wethod       {base}/wethod/api/...              Bearer + Wethod-Company + Wethod-Version
 *   Control      {base}/_control/...                seed, state, log, faults, config, clock, reset
 *
 * Every vendor handler is a plain function of (world, request) that returns a reply
 * { status, headers, body }: the dispatcher decides whether to send it, delay it or lose it.
 *
 * CLI: node test/fakes/server.js [PORT] [--demo] [--config patch.json]
 */
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const QONTO_SCOPE = 'offline_access supplier_invoice.read supplier_invoice.write';

const DEFAULT_CONFIG = {
	qonto: {
		// API key credentials: login -> secret ("Authorization: login:secret", no prefix)
		logins: { 'acme-1234': 'qonto-secret-key' },
		// Bearer tokens: a string, or { token, scope, expiresAt } (ms on the fake clock). The token
		// endpoint adds the tokens it issues as strings and keeps their scope and expiry itself;
		// any other string never expires and has every scope.
		accessTokens: ['qonto-access-token'],
		// refresh token -> true (scope QONTO_SCOPE), a scope string, or { scope, expiresAt };
		// issued ones are added as true (their scope and expiry are kept by the token endpoint)
		refreshTokens: { 'qonto-refresh-token': true },
		// authorization code -> granted scope; a code works once
		authorizationCodes: { 'qonto-auth-code': QONTO_SCOPE },
		clientId: 'qonto-client-id',
		clientSecret: 'qonto-client-secret',
		// client credentials on the token endpoint: 'body' as documented [V], or 'any' (also HTTP Basic)
		tokenClientAuth: 'body',
		accessTokenTtl: 3600, // seconds, "expires_in" [V]
		refreshTokenTtl: 90 * 24 * 3600, // seconds [V]
		refreshGraceSeconds: 60, // a rotated refresh token still works this long [V]
		// null: production-like; a string: the sandbox, every request needs X-Qonto-Staging-Token
		stagingToken: null,
		// how the OneLogin gate answers without the staging token [V both seen]: 'redirect' (302) or 'html' (200)
		stagingGate: 'redirect',
		// whether the gate also guards the OAuth token endpoint. The docs say it does [V]; off by
		// default because n8n's generic OAuth2 refresh cannot send the header (see the engine tests).
		oauthStagingGate: false,
		// 'bare' (the documented example) or 'wrapped' ({ supplier_invoice }) write responses [?]
		unmarkResponse: 'bare',
		// whether "login:secret" may call unmark/mark/reject [?]; false: 403
		apiKeyCanWrite: true,
		// per IP [V]; a list of fixed windows, a single window, or null (no limit)
		rateLimit: [
			{ limit: 1000, windowMs: 10_000 },
			{ limit: 10_000, windowMs: 10 * MINUTE },
		],
		retryAfter: true, // send Retry-After on 429 [?]
		latencyMs: 0, // delay before every answer of this vendor (benchmarks); a latency fault replaces it
		// throttling after too many 401 answers per IP [V]; null: off
		unauthorizedLimit: { limit: 200, windowMs: HOUR },
	},
	contazen: {
		apiKeys: ['sk_test_contazen0000000000000001'],
		// key -> 'expired' | 'ip_restricted' | 'insufficient_permissions' (the documented auth errors)
		keyStatus: {},
		// 'ok' (200 no-op) or 'error' (400) when marking an unpaid bill unpaid [?]
		alreadyUnpaid: 'ok',
		// 'ok' (200, the payment recorded again) or 'error' (400) when marking a paid bill paid [?]
		alreadyPaid: 'ok',
		rateLimit: { limit: 100, windowMs: MINUTE }, // per API key [V]; null: off (and no X-RateLimit-*)
		retryAfter: false, // send Retry-After on 429 besides error.retry_after [?]
		errorRequestId: false, // meta.request_id on error bodies (the documented example has none) [?]
		singleGet: false, // GET /v1/supplier-bills/{id} is undocumented [?]; off: 404 like an unknown route
		latencyMs: 0, // delay before every answer of this vendor (benchmarks); a latency fault replaces it
	},
	wethod: {
		tokens: ['wethod-token-0001'],
		company: 'acme', // a slug, or a list of slugs
		versions: ['2024-06-15'],
		// token -> list of permissions; a token not listed has them all
		permissions: {},
		// 'precondition' (412) or 'ok' (200 no-op) on :set-unpaid of an invoice that is not paid [?]
		notPaid: 'precondition',
		rateLimit: { limit: 5000, windowMs: HOUR }, // per token [C]; null: off
		latencyMs: 0, // delay before every answer of this vendor (benchmarks); a latency fault replaces it
	},
};

const VENDORS = ['qonto', 'contazen', 'wethod'];
const FAULT_TYPES = ['status', 'limit', 'reset', 'hang', 'lose', 'html', 'malformed', 'text', 'latency', 'trickle', 'huge'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// ---------- replies ----------

/** A reply: objects become JSON, strings are sent as they are (text/plain unless told). */
function reply(status, body, headers = {}) {
	const isText = typeof body === 'string';
	return {
		status,
		headers: {
			'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
			...headers,
		},
		body: isText ? body : JSON.stringify(body),
	};
}

function html(status, page, headers = {}) {
	return reply(status, page, { 'content-type': 'text/html; charset=utf-8', ...headers });
}

/** Fixed windows, as a gateway counts them. Refused requests do not count. */
function createLimiter() {
	const counters = new Map();
	return {
		hit(key, windows, now) {
			if (windows.length === 0) return null;
			const states = windows.map((rule, i) => {
				const id = `${key}#${i}`;
				let state = counters.get(id);
				if (!state || now >= state.resetAt) {
					state = { count: 0, resetAt: now + rule.windowMs };
					counters.set(id, state);
				}
				return { rule, state };
			});
			const blocking = states.find(({ rule, state }) => state.count >= rule.limit);
			if (!blocking) for (const { state } of states) state.count += 1;
			const first = blocking || states[0];
			return {
				limited: Boolean(blocking),
				limit: first.rule.limit,
				remaining: Math.max(0, first.rule.limit - first.state.count),
				resetAt: first.state.resetAt,
				retryAfter: Math.max(1, Math.ceil((first.state.resetAt - now) / 1000)),
			};
		},
		clear: () => counters.clear(),
	};
}

function rateWindows(rule) {
	if (!rule) return [];
	return Array.isArray(rule) ? rule : [rule];
}

function isoDate(ms) {
	return new Date(ms).toISOString().slice(0, 10);
}

function intParam(query, name, fallback) {
	const raw = query.get(name);
	if (raw === null || raw === '') return fallback;
	return /^-?\d+$/.test(raw) ? Number(raw) : NaN;
}

function bearer(headers) {
	const m = /^Bearer\s+(.*)$/i.exec(headers.authorization || '');
	return m ? m[1].trim() : null;
}

/** Finds the route for a method and path: { route, params } or null. */
function matchRoute(routes, method, path) {
	for (const route of routes) {
		const m = route.re.exec(path);
		if (m && route.method === method) return { route, params: m.slice(1).map(decodeURIComponent) };
	}
	return null;
}

// ---------- seed builders ----------

function qontoInvoice(id, overrides = {}) {
	const status = overrides.status || 'paid';
	return {
		id,
		organization_id: '0b7a6d6e-0000-4000-8000-000000000001',
		status,
		invoice_number: `QONTO-${id.slice(0, 4).toUpperCase()}`,
		supplier_name: 'ACME Supplies',
		total_amount: { value: '120.50', currency: 'EUR' },
		issue_date: '2026-10-01',
		due_date: '2026-10-31',
		payment_date: status === 'paid' ? '2026-11-02' : null,
		scheduled_date: status === 'scheduled' ? '2026-11-15' : null,
		file_name: 'invoice.pdf',
		source_type: 'email',
		is_einvoice: false,
		created_at: '2026-10-01T09:00:00+02:00',
		updated_at: '2026-11-02T09:00:00+02:00',
		...overrides,
	};
}

function contazenBill(id, overrides = {}) {
	const status = overrides.status || 'paid';
	const total = 1190;
	const paid = status === 'paid' ? total : status === 'partial' ? 500 : 0;
	return {
		id,
		object: 'supplier_bill',
		invoice_number: `CZ-${id.slice(-4)}`,
		invoice_type_code: '380',
		invoice_type: 'invoice',
		issue_date: '2026-10-05',
		due_date: '2026-11-05',
		currency: 'RON',
		amounts: { tax_exclusive: 1000, tax: 190, tax_inclusive: total, paid, unpaid: total - paid },
		status,
		payment_date: paid ? '2026-11-03' : null,
		payment_amount: paid || null,
		supplier: { id: 'sup_demo0001', name: 'Furnizor SRL', vat_id: 'RO123456' },
		supplier_id: 'sup_demo0001',
		expense_id: `exp_${id.slice(-6)}`,
		client_id: null,
		efactura_message_id: null,
		note: null,
		created_at: 1790000000,
		updated_at: 1790000000,
		...overrides,
	};
}

function wethodInvoice(id, overrides = {}) {
	const status = overrides.status || 'paid';
	return {
		id: Number(id),
		created_at: '2026-10-01T10:00:00.000Z',
		updated_at: '2026-11-01T10:00:00.000Z',
		status,
		invoice_number: `INV-2026-${String(id).padStart(3, '0')}`,
		purchase_order: null,
		value: 2500,
		exchange_rate: null,
		issue_date: '2026-10-01',
		payment_date: status === 'paid' ? '2026-11-01' : null,
		notes: null,
		project_id: 1,
		budget_area_uid: null,
		vat_rate_id: null,
		payment_term_id: null,
		...overrides,
	};
}

const BUILDERS = { qonto: qontoInvoice, contazen: contazenBill, wethod: wethodInvoice };

/** A vendor's invoice as the fakes hold it (paid unless `overrides` say otherwise), not stored anywhere. */
function invoiceOf(vendor, id, overrides = {}) {
	if (!BUILDERS[vendor]) throw new Error(`unknown vendor ${vendor}`);
	return BUILDERS[vendor](String(id), overrides);
}

// ---------- Qonto ----------

const QONTO_STATUSES = ['to_review', 'to_approve', 'pending', 'awaiting_payment', 'to_pay', 'scheduled', 'paid', 'archived', 'rejected'];
const QONTO_MARK_FROM = ['to_review', 'to_approve', 'pending', 'awaiting_payment', 'to_pay', 'archived'];
const QONTO_REJECT_FROM = ['to_review', 'to_approve', 'awaiting_payment'];
const ONELOGIN_PAGE =
	'<!doctype html><html><head><title>Sign in - OneLogin</title></head><body><form action="https://qonto.onelogin.com/login">Please sign in</form></body></html>';

/** JSON:API errors; trace_id always equals the X-Tyk-Trace-Id header [V]. */
function qontoError(status, errors, headers = {}) {
	const traceId = crypto.randomBytes(16).toString('hex');
	return reply(status, { errors, trace_id: traceId }, { 'x-tyk-trace-id': traceId, ...headers });
}

function qontoFail(status, code, detail, source) {
	return qontoError(status, [{ code, detail, ...(source ? { source } : {}) }]);
}

/** The sandbox's OneLogin gate: without the staging token, HTML instead of the API. */
function qontoGate(w, ctx) {
	const cfg = w.config.qonto;
	if (!cfg.stagingToken || ctx.headers['x-qonto-staging-token'] === cfg.stagingToken) return null;
	if (cfg.stagingGate === 'html') return html(200, ONELOGIN_PAGE);
	return html(302, '<html><head><title>Redirecting to OneLogin</title></head></html>', {
		location: 'https://qonto.onelogin.com/login',
	});
}

/** Who is calling: { kind: 'oauth', scopes } or { kind: 'apiKey' }, or { error } (a 401). */
function qontoCaller(w, ctx) {
	const cfg = w.config.qonto;
	const token = bearer(ctx.headers);
	if (token !== null) {
		const entry = cfg.accessTokens.find((t) => (typeof t === 'string' ? t : t.token) === token);
		if (!entry) return { error: qontoFail(401, 'unauthorized', 'Invalid access token') };
		const meta = typeof entry === 'string' ? w.issuedAccess.get(entry) || {} : entry;
		if (meta.expiresAt != null && w.now() >= meta.expiresAt) {
			return { error: qontoFail(401, 'unauthorized', 'The access token expired') };
		}
		return { kind: 'oauth', scopes: meta.scope == null ? null : meta.scope.split(/\s+/) }; // null: every scope
	}
	const auth = ctx.headers.authorization || '';
	const colon = auth.indexOf(':');
	const login = auth.slice(0, colon);
	if (colon > 0 && Object.hasOwn(cfg.logins, login) && cfg.logins[login] === auth.slice(colon + 1)) {
		return { kind: 'apiKey' };
	}
	return { error: qontoFail(401, 'unauthorized', auth ? 'Invalid credentials' : 'Missing authorization') };
}

/** Write endpoints answer with the invoice, bare or wrapped (the docs' example is bare) [?]. */
function qontoWriteReply(w, invoice) {
	return reply(200, w.config.qonto.unmarkResponse === 'wrapped' ? { supplier_invoice: invoice } : invoice);
}

function qontoFind(w, id) {
	return w.state.qonto.get(id) || null;
}

const qontoNotFound = () => qontoFail(404, 'not_found', 'Not found');

const QONTO_ROUTES = [
	{ method: 'GET', re: /^\/v2\/organization$/, scope: 'organization.read', handle: qontoOrganization },
	{ method: 'GET', re: /^\/v2\/supplier_invoices$/, scope: 'supplier_invoice.read', handle: qontoList },
	{ method: 'GET', re: /^\/v2\/supplier_invoices\/([^/]+)$/, scope: 'supplier_invoice.read', handle: qontoGet },
	{ method: 'POST', re: /^\/v2\/supplier_invoices\/([^/]+)\/unmark_as_paid$/, scope: 'supplier_invoice.write', write: true, handle: qontoUnmark },
	{ method: 'POST', re: /^\/v2\/supplier_invoices\/([^/]+)\/mark_as_paid$/, scope: 'supplier_invoice.write', write: true, handle: qontoMarkPaid },
	{ method: 'POST', re: /^\/v2\/supplier_invoices\/([^/]+)\/reject$/, scope: 'supplier_invoice.write', write: true, handle: qontoReject },
];

function qontoOrganization() {
	return reply(200, {
		organization: {
			id: '0b7a6d6e-0000-4000-8000-000000000001',
			name: 'ACME',
			slug: 'acme-1234',
			legal_name: 'ACME SAS',
			locale: 'fr',
			bank_accounts: [
				{
					id: '0b7a6d6e-0000-4000-8000-0000000000ba',
					slug: 'acme-1234-bank-account-1',
					iban: 'FR7616958000011234567890123',
					currency: 'EUR',
					balance: 1000.5,
				},
			],
		},
	});
}

function qontoList(w, ctx) {
	const statuses = ctx.query.getAll('filter[status][]');
	const bad = statuses.find((s) => !QONTO_STATUSES.includes(s));
	if (bad) {
		return qontoFail(400, 'not_in_list', `status must be one of: ${QONTO_STATUSES.join(', ')}`, { parameter: 'filter[status][]' });
	}
	const page = intParam(ctx.query, 'page', 1);
	const perPage = intParam(ctx.query, 'per_page', 100);
	if (!(page >= 1)) return qontoFail(400, 'invalid', 'page must be greater than or equal to 1', { parameter: 'page' });
	if (!(perPage >= 1 && perPage <= 100)) {
		return qontoFail(400, 'invalid', 'per_page must be between 1 and 100', { parameter: 'per_page' });
	}
	const all = [...w.state.qonto.values()].filter((i) => statuses.length === 0 || statuses.includes(i.status));
	const totalPages = Math.ceil(all.length / perPage);
	return reply(200, {
		supplier_invoices: all.slice((page - 1) * perPage, page * perPage),
		meta: {
			current_page: page,
			next_page: page < totalPages ? page + 1 : null,
			prev_page: page > 1 ? page - 1 : null,
			total_pages: totalPages,
			total_count: all.length,
			per_page: perPage,
		},
	});
}

function qontoGet(w, ctx, [id]) {
	const invoice = qontoFind(w, id);
	return invoice ? reply(200, { supplier_invoice: invoice }) : qontoNotFound();
}

function qontoUnmark(w, ctx, [id]) {
	const invoice = qontoFind(w, id);
	if (!invoice) return qontoNotFound();
	if (invoice.status !== 'paid') {
		// 400 is documented [V]; the code string is a guess [?].
		return qontoFail(400, 'invalid_transition', `Cannot unmark as paid a supplier invoice with status ${invoice.status}`);
	}
	Object.assign(invoice, { status: 'to_review', payment_date: null, updated_at: new Date(w.now()).toISOString() });
	return qontoWriteReply(w, invoice);
}

function qontoMarkPaid(w, ctx, [id]) {
	const invoice = qontoFind(w, id);
	if (!invoice) return qontoNotFound();
	const body = ctx.json && typeof ctx.json.supplier_invoice === 'object' ? ctx.json.supplier_invoice : {};
	const date = body && body.payment_date;
	if (date != null && !DATE.test(String(date))) {
		return qontoFail(400, 'invalid', 'payment_date must be a date (YYYY-MM-DD)', { pointer: '/supplier_invoice/payment_date' });
	}
	if (invoice.status === 'paid') return qontoWriteReply(w, invoice); // 200, no side effects [V]
	if (!QONTO_MARK_FROM.includes(invoice.status)) {
		return qontoFail(400, 'invalid_transition', `Cannot mark as paid a supplier invoice with status ${invoice.status}`);
	}
	// Whether payment_date is required is undocumented [?]: today when absent.
	Object.assign(invoice, { status: 'paid', payment_date: date || isoDate(w.now()), updated_at: new Date(w.now()).toISOString() });
	return qontoWriteReply(w, invoice);
}

function qontoReject(w, ctx, [id]) {
	const invoice = qontoFind(w, id);
	if (!invoice) return qontoNotFound();
	if (!QONTO_REJECT_FROM.includes(invoice.status)) {
		return qontoFail(400, 'invalid_transition', `Cannot reject a supplier invoice with status ${invoice.status}`);
	}
	const json = ctx.json || {};
	const note = json.declined_note ?? (json.supplier_invoice && json.supplier_invoice.declined_note) ?? null;
	Object.assign(invoice, { status: 'rejected', declined_note: note, updated_at: new Date(w.now()).toISOString() });
	return qontoWriteReply(w, invoice);
}

/** Too many 401 answers from one IP within the window: throttled [V]. */
function qontoUnauthorizedThrottle(w, ip) {
	const rule = w.config.qonto.unauthorizedLimit;
	if (!rule) return null;
	const since = w.now() - rule.windowMs;
	const recent = (w.unauthorized.get(ip) || []).filter((t) => t > since);
	w.unauthorized.set(ip, recent);
	if (recent.length < rule.limit) return null;
	// Free again when enough of the recorded 401s have left the window.
	const freeAt = recent[recent.length - rule.limit] + rule.windowMs;
	return { retryAfter: Math.max(1, Math.ceil((freeAt - w.now()) / 1000)) };
}

function qontoTooMany(w, retryAfter) {
	const headers = w.config.qonto.retryAfter ? { 'retry-after': String(retryAfter) } : {};
	return qontoError(429, [{ code: 'too_many_requests', detail: 'Too Many Requests' }], headers);
}

function qontoApi(w, ctx) {
	const cfg = w.config.qonto;
	if (ctx.path === '/oauth2/token' || ctx.path === '/v2/oauth2/token') return qontoToken(w, ctx); // old mount point
	const gate = qontoGate(w, ctx);
	if (gate) return gate;
	// The gateway's work first (per-IP limits, routing), then the application's (auth, state).
	const throttle = qontoUnauthorizedThrottle(w, ctx.ip);
	if (throttle) return qontoTooMany(w, throttle.retryAfter);
	const rate = w.limiter.hit(`qonto:${ctx.ip}`, rateWindows(cfg.rateLimit), w.now());
	if (rate && rate.limited) return qontoTooMany(w, rate.retryAfter);
	const found = matchRoute(QONTO_ROUTES, ctx.method, ctx.path);
	if (!found) {
		// Tyk answers unknown routes itself: text/plain, no x-request-id [C, observed].
		return reply(404, 'Not Found', { 'x-tyk-trace-id': crypto.randomBytes(16).toString('hex') });
	}
	const out = qontoAuthorised(w, ctx, found);
	if (out.status === 401) w.unauthorized.set(ctx.ip, [...(w.unauthorized.get(ctx.ip) || []), w.now()]);
	out.headers['x-request-id'] = crypto.randomUUID(); // Rails answers carry one [C]
	return out;
}

function qontoAuthorised(w, ctx, { route, params }) {
	const caller = qontoCaller(w, ctx);
	if (caller.error) return caller.error;
	if (caller.kind === 'oauth' && caller.scopes && !caller.scopes.includes(route.scope)) {
		return qontoFail(403, 'forbidden', 'missing required oauth scope');
	}
	if (caller.kind === 'apiKey' && route.write && w.config.qonto.apiKeyCanWrite === false) {
		return qontoFail(403, 'forbidden', 'This action requires OAuth 2.0 authentication');
	}
	return route.handle(w, ctx, params);
}

// ---------- Qonto OAuth ----------

function oauthError(status, error, description, headers = {}) {
	return reply(status, { error, error_description: description }, headers);
}

function qontoToken(w, ctx) {
	const cfg = w.config.qonto;
	if (ctx.path !== '/oauth2/token' && ctx.path !== '/v2/oauth2/token') return oauthError(404, 'not_found', 'Unknown OAuth path');
	if (cfg.oauthStagingGate) {
		const gate = qontoGate(w, ctx);
		if (gate) return gate;
	}
	if (ctx.method !== 'POST') return oauthError(405, 'invalid_request', 'The token endpoint only accepts POST');
	if (!(ctx.headers['content-type'] || '').includes('application/x-www-form-urlencoded')) {
		return oauthError(400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded');
	}
	const form = new URLSearchParams(ctx.raw);
	// Client credentials: in the body as Qonto documents [V]; HTTP Basic only if switched on.
	let clientId = form.get('client_id');
	let clientSecret = form.get('client_secret');
	const basic = cfg.tokenClientAuth === 'any' ? /^Basic\s+(.+)$/i.exec(ctx.headers.authorization || '') : null;
	if (basic) {
		const decoded = Buffer.from(basic[1], 'base64').toString();
		const colon = decoded.indexOf(':');
		clientId = decodeURIComponent(decoded.slice(0, colon));
		clientSecret = decodeURIComponent(decoded.slice(colon + 1));
	}
	if (clientId !== cfg.clientId || clientSecret !== cfg.clientSecret) {
		return oauthError(401, 'invalid_client', 'Client authentication failed', basic ? { 'www-authenticate': 'Basic realm="oauth"' } : {});
	}
	const grant = form.get('grant_type');
	let scope;
	if (grant === 'authorization_code') {
		scope = redeemCode(cfg, form.get('code'));
	} else if (grant === 'refresh_token') {
		scope = redeemRefreshToken(w, form.get('refresh_token'));
	} else {
		return oauthError(400, 'unsupported_grant_type', `Unsupported grant_type ${grant}`);
	}
	if (scope == null) {
		return oauthError(400, 'invalid_grant', 'The provided authorization grant or refresh token is invalid, expired or revoked');
	}
	return reply(200, issueTokens(w, scope), { 'cache-control': 'no-store' });
}

/** A configured authorization code, once. */
function redeemCode(cfg, code) {
	if (!code || !Object.hasOwn(cfg.authorizationCodes || {}, code)) return null;
	const scope = cfg.authorizationCodes[code];
	delete cfg.authorizationCodes[code];
	return scope === true ? QONTO_SCOPE : scope;
}

/** Refresh tokens rotate: the old one keeps working for the grace period, then invalid_grant [V]. */
function redeemRefreshToken(w, token) {
	const cfg = w.config.qonto;
	const now = w.now();
	if (token && Object.hasOwn(cfg.refreshTokens, token)) {
		const entry = cfg.refreshTokens[token];
		const meta = w.issuedRefresh.get(token) || (entry && typeof entry === 'object' ? entry : {});
		const scope = meta.scope || (typeof entry === 'string' ? entry : QONTO_SCOPE);
		if (meta.expiresAt != null && now >= meta.expiresAt) return null;
		delete cfg.refreshTokens[token];
		w.rotated.set(token, { scope, graceUntil: now + cfg.refreshGraceSeconds * 1000 });
		return scope;
	}
	const rotated = token && w.rotated.get(token);
	return rotated && now < rotated.graceUntil ? rotated.scope : null;
}

function issueTokens(w, scope) {
	const cfg = w.config.qonto;
	w.tokenCounter += 1;
	const access = `qonto-access-${w.tokenCounter}-${crypto.randomBytes(6).toString('hex')}`;
	cfg.accessTokens.push(access);
	w.issuedAccess.set(access, { scope, expiresAt: w.now() + cfg.accessTokenTtl * 1000 });
	const body = { access_token: access, token_type: 'bearer', expires_in: cfg.accessTokenTtl, scope };
	if (scope.split(/\s+/).includes('offline_access')) {
		// Refresh tokens only come with offline_access [V].
		const refresh = `qonto-refresh-${w.tokenCounter}-${crypto.randomBytes(6).toString('hex')}`;
		cfg.refreshTokens[refresh] = true;
		w.issuedRefresh.set(refresh, { scope, expiresAt: w.now() + cfg.refreshTokenTtl * 1000 });
		body.refresh_token = refresh;
	}
	return body;
}

// ---------- Contazen ----------

const CONTAZEN_STATUSES = ['unpaid', 'paid', 'partial'];
const CONTAZEN_KEY_ERRORS = {
	expired: [401, 'expired_api_key', 'API key has expired'],
	ip_restricted: [401, 'ip_restricted', 'Requests from this IP address are not allowed for this API key'],
	insufficient_permissions: [403, 'insufficient_permissions', 'This API key does not have permission for this action'],
};

function contazenMeta(withRequestId = true, requestId = crypto.randomUUID()) {
	return { version: 'v1', ...(withRequestId ? { request_id: requestId } : {}), response_time: '3.1ms' };
}

/** Contazen's success envelope [V] around `data`. */
function contazenSuccess(data, requestId) {
	return { success: true, data, meta: contazenMeta(true, requestId) };
}

function contazenOk(w, data) {
	return reply(200, contazenSuccess(data));
}

function contazenError(w, status, type, code, message, extra = {}, headers = {}) {
	return reply(
		status,
		{ success: false, error: { message, type, code, status, ...extra }, meta: contazenMeta(w.config.contazen.errorRequestId) },
		headers,
	);
}

const contazenAuthError = (w, status, code, message) => contazenError(w, status, 'authentication_error', code, message);
const contazenInvalid = (w, code, message, errors) => contazenError(w, 400, 'validation_error', code, message, errors ? { errors } : {});
const contazenNotFound = (w, message) => contazenError(w, 404, 'resource_error', 'resource_not_found', message);

/** The expense linked to a bill follows the bill: paid in full or not [V is_paid/paid_at; I for partial]. */
function syncExpense(w, bill) {
	if (!bill.expense_id) return;
	let expense = w.state.contazenExpenses.get(bill.expense_id);
	if (!expense) {
		expense = { id: bill.expense_id, object: 'expense', supplier_bill_id: bill.id, amount: bill.amounts.tax_inclusive, currency: bill.currency };
		w.state.contazenExpenses.set(expense.id, expense);
	}
	const paid = bill.status === 'paid';
	Object.assign(expense, { is_paid: paid, paid_at: paid ? bill.payment_date : null });
}

const CONTAZEN_ROUTES = [
	{ method: 'GET', re: /^\/v1\/settings$/, handle: contazenSettings },
	{ method: 'GET', re: /^\/v1\/supplier-bills$/, handle: contazenList },
	{ method: 'GET', re: /^\/v1\/supplier-bills\/([^/]+)$/, handle: contazenGet },
	{ method: 'POST', re: /^\/v1\/supplier-bills\/([^/]+)\/mark-unpaid$/, handle: contazenMarkUnpaid },
	{ method: 'POST', re: /^\/v1\/supplier-bills\/([^/]+)\/mark-paid$/, handle: contazenMarkPaid },
];

function contazenSettings(w) {
	const rule = rateWindows(w.config.contazen.rateLimit)[0];
	return contazenOk(w, {
		firm: { id: 'frm_demo0001', name: 'Firma Demo SRL', vat_id: 'RO12345678' },
		invoice_series: [{ id: 'yMzhgkh', name: 'FCT', next_number: 42 }],
		efactura: { enabled: true },
		bank_accounts: [{ id: 'bnk_1a2b3c', iban: 'RO49AAAA1B31007593840000', currency: 'RON' }],
		rate_limits: {
			requests_per_hour: rule ? Math.round((rule.limit * HOUR) / rule.windowMs) : null,
			creates_per_minute: null,
			current_usage: null,
			reset_at: null,
		},
	});
}

function contazenList(w, ctx) {
	const page = intParam(ctx.query, 'page', 1);
	const perPage = intParam(ctx.query, 'per_page', 50);
	const status = ctx.query.get('status');
	const errors = {};
	if (!(page >= 1)) errors.page = 'The page must be at least 1.';
	if (!(perPage >= 1 && perPage <= 100)) errors.per_page = 'The per page must be between 1 and 100.';
	if (status && !CONTAZEN_STATUSES.includes(status)) errors.status = `The status must be one of: ${CONTAZEN_STATUSES.join(', ')}.`;
	if (Object.keys(errors).length) return contazenInvalid(w, 'invalid_field_value', 'The given data was invalid.', errors);
	const all = [...w.state.contazen.values()].filter((b) => !status || b.status === status);
	const sum = (field) => all.reduce((total, b) => total + (b.amounts[field] || 0), 0);
	const byCurrency = {};
	for (const b of all) {
		const c = (byCurrency[b.currency] ||= { count: 0, tax_inclusive: 0, paid: 0, unpaid: 0 });
		c.count += 1;
		c.tax_inclusive += b.amounts.tax_inclusive;
		c.paid += b.amounts.paid;
		c.unpaid += b.amounts.unpaid;
	}
	return contazenOk(w, {
		object: 'list',
		has_more: page * perPage < all.length,
		total: all.length,
		page,
		per_page: perPage,
		total_pages: Math.ceil(all.length / perPage),
		data: all.slice((page - 1) * perPage, page * perPage),
		totals: {
			count: all.length,
			tax_exclusive: sum('tax_exclusive'),
			tax: sum('tax'),
			tax_inclusive: sum('tax_inclusive'),
			paid: sum('paid'),
			unpaid: sum('unpaid'),
			by_currency: byCurrency,
		},
	});
}

function contazenGet(w, ctx, [id]) {
	if (!w.config.contazen.singleGet) return contazenNotFound(w, 'Endpoint not found');
	const bill = w.state.contazen.get(id);
	return bill ? contazenOk(w, { supplier_bill: bill }) : contazenNotFound(w, 'Supplier bill not found');
}

/** The bill a write targets, or the error reply (404, or 423 for a locked period [I]). */
function contazenWritable(w, id) {
	const bill = w.state.contazen.get(id);
	if (!bill) return { error: contazenNotFound(w, 'Supplier bill not found') };
	if (bill.locked) return { error: contazenError(w, 423, 'resource_error', 'resource_locked', 'Supplier bill is locked (accounting period closed)') };
	return { bill };
}

function contazenMarkUnpaid(w, ctx, [id]) {
	const { bill, error } = contazenWritable(w, id);
	if (error) return error;
	if (bill.status === 'unpaid' && w.config.contazen.alreadyUnpaid === 'error') {
		return contazenInvalid(w, 'invalid_request', 'Supplier bill is not paid');
	}
	Object.assign(bill, { status: 'unpaid', payment_date: null, payment_amount: null, updated_at: Math.floor(w.now() / 1000) });
	bill.amounts = { ...bill.amounts, paid: 0, unpaid: bill.amounts.tax_inclusive };
	syncExpense(w, bill);
	return contazenOk(w, { supplier_bill: bill, message: 'Supplier bill marked as unpaid' });
}

function contazenMarkPaid(w, ctx, [id]) {
	const { bill, error } = contazenWritable(w, id);
	if (error) return error;
	if (bill.status === 'paid' && w.config.contazen.alreadyPaid === 'error') {
		return contazenInvalid(w, 'invalid_request', 'Supplier bill is already paid');
	}
	const body = ctx.json || {};
	const total = bill.amounts.tax_inclusive;
	if (body.payment_date != null && !DATE.test(String(body.payment_date))) {
		return contazenInvalid(w, 'invalid_format', 'The given data was invalid.', {
			payment_date: 'The payment date must be a date (YYYY-MM-DD).',
		});
	}
	const amount = body.payment_amount ?? total;
	if (typeof amount !== 'number' || !(amount > 0) || amount > total) {
		return contazenInvalid(w, 'invalid_field_value', 'The given data was invalid.', {
			payment_amount: `The payment amount must be a number between 0 and ${total}.`,
		});
	}
	Object.assign(bill, {
		status: amount < total ? 'partial' : 'paid',
		payment_date: body.payment_date || isoDate(w.now()),
		payment_amount: amount,
		updated_at: Math.floor(w.now() / 1000),
	});
	bill.amounts = { ...bill.amounts, paid: amount, unpaid: total - amount };
	syncExpense(w, bill);
	return contazenOk(w, { supplier_bill: bill, message: 'Supplier bill marked as paid' });
}

/** Rate limit per key: X-RateLimit-* on every answer [V], so they wrap whatever comes next. */
function contazenApi(w, ctx) {
	const cfg = w.config.contazen;
	const key = bearer(ctx.headers);
	const rate = w.limiter.hit(`contazen:${key || `ip:${ctx.ip}`}`, rateWindows(cfg.rateLimit), w.now());
	const out = rate && rate.limited ? contazenTooMany(w, rate) : contazenAuthorised(w, ctx, key);
	if (rate) {
		Object.assign(out.headers, {
			'x-ratelimit-limit': String(rate.limit),
			'x-ratelimit-remaining': String(rate.remaining),
			'x-ratelimit-reset': String(Math.ceil(rate.resetAt / 1000)),
		});
	}
	return out;
}

function contazenTooMany(w, rate) {
	const headers = w.config.contazen.retryAfter ? { 'retry-after': String(rate.retryAfter) } : {};
	return contazenError(w, 429, 'rate_limit_error', 'rate_limit_exceeded', 'Rate limit exceeded', { retry_after: rate.retryAfter }, headers);
}

function contazenAuthorised(w, ctx, key) {
	const cfg = w.config.contazen;
	if (!key) {
		return ctx.headers.authorization
			? contazenAuthError(w, 401, 'invalid_api_key', 'Invalid API key')
			: contazenAuthError(w, 401, 'missing_api_key', 'API key is required');
	}
	if (!cfg.apiKeys.includes(key)) return contazenAuthError(w, 401, 'invalid_api_key', 'Invalid API key');
	const keyError = CONTAZEN_KEY_ERRORS[(cfg.keyStatus || {})[key]];
	if (keyError) return contazenAuthError(w, ...keyError);
	if (ctx.jsonError) return contazenInvalid(w, 'invalid_request', 'The request body is not valid JSON');
	const found = matchRoute(CONTAZEN_ROUTES, ctx.method, ctx.path);
	if (!found) return contazenNotFound(w, 'Endpoint not found');
	return found.route.handle(w, ctx, found.params);
}

// ---------- Wethod ----------

const wethodError = (status, key, message, headers) => reply(status, { key, message }, headers);
const wethodNotFound = () => wethodError(404, 'not_found', 'Invoice not found');
const WETHOD_VIEW = ['invoices.view', 'invoices.view_other'];
const WETHOD_EDIT = ['invoices.edit_sent'];

const WETHOD_ROUTES = [
	{ method: 'GET', re: /^\/api\/persons\/me$/, handle: wethodMe },
	{ method: 'GET', re: /^\/api\/invoices$/, permissions: WETHOD_VIEW, handle: wethodList },
	{ method: 'GET', re: /^\/api\/invoices\/([0-9]+)$/, permissions: WETHOD_VIEW, handle: wethodGet },
	{ method: 'POST', re: /^\/api\/invoices\/([0-9]+):send$/, handle: wethodSend },
	{ method: 'POST', re: /^\/api\/invoices\/([0-9]+):set-paid$/, permissions: WETHOD_EDIT, handle: wethodSetPaid },
	{ method: 'POST', re: /^\/api\/invoices\/([0-9]+):set-unpaid$/, permissions: WETHOD_EDIT, handle: wethodSetUnpaid },
];

function wethodMe() {
	return reply(200, { id: 1, email: 'finance@acme.test', name: 'Ada', surname: 'Finance', role_id: 1, role: 'Admin' });
}

function wethodList(w, ctx) {
	const limit = intParam(ctx.query, 'limit', 100);
	const offset = intParam(ctx.query, 'offset', 0);
	if (!(limit >= 1 && limit <= 100)) return wethodError(400, 'bad_request', 'limit must be between 1 and 100');
	if (!(offset >= 0)) return wethodError(400, 'bad_request', 'offset must be 0 or more');
	const filters = ['project_id', 'issue_date', 'payment_date', 'updated_at'].filter((f) => ctx.query.has(f));
	const all = [...w.state.wethod.values()].filter((i) => filters.every((f) => String(i[f]).startsWith(ctx.query.get(f))));
	return reply(200, all.slice(offset, offset + limit));
}

function wethodGet(w, ctx, [id]) {
	const invoice = w.state.wethod.get(id);
	return invoice ? reply(200, invoice) : wethodNotFound();
}

function wethodTouch(w, invoice, changes) {
	return Object.assign(invoice, changes, { updated_at: new Date(w.now()).toISOString() });
}

function wethodSend(w, ctx, [id]) {
	const invoice = w.state.wethod.get(id);
	if (!invoice) return wethodNotFound();
	const contact = ctx.json && ctx.json.invoice_contact_id;
	if (!Number.isInteger(contact)) return wethodError(400, 'bad_request', 'invoice_contact_id is required');
	if (invoice.status !== 'draft') return wethodError(412, 'precondition_failure', 'Only draft invoices can be sent');
	return reply(200, wethodTouch(w, invoice, { status: 'sent' }));
}

function wethodSetPaid(w, ctx, [id]) {
	const invoice = w.state.wethod.get(id);
	if (!invoice) return wethodNotFound();
	const date = ctx.json && ctx.json.payment_date;
	if (date != null && !DATE.test(String(date))) return wethodError(400, 'bad_request', 'payment_date must be YYYY-MM-DD');
	if (invoice.status === 'draft') return wethodError(412, 'precondition_failure', 'A draft invoice must be sent before it is paid');
	return reply(200, wethodTouch(w, invoice, { status: 'paid', payment_date: date || isoDate(w.now()) }));
}

function wethodSetUnpaid(w, ctx, [id]) {
	const invoice = w.state.wethod.get(id);
	if (!invoice) return wethodNotFound();
	if (invoice.status !== 'paid') {
		if (w.config.wethod.notPaid === 'precondition') return wethodError(412, 'precondition_failure', 'Invoice is not paid');
		return reply(200, invoice);
	}
	return reply(200, wethodTouch(w, invoice, { status: 'sent', payment_date: null }));
}

function wethodApi(w, ctx) {
	const cfg = w.config.wethod;
	const token = bearer(ctx.headers);
	if (!token || !cfg.tokens.includes(token)) return wethodError(401, 'unauthorized', 'Invalid or missing token');
	const companies = [].concat(cfg.company);
	if (!companies.includes(ctx.headers['wethod-company'])) {
		return wethodError(412, 'precondition_failure', 'Missing or invalid Wethod-Company header');
	}
	if (!cfg.versions.includes(ctx.headers['wethod-version'])) {
		return wethodError(412, 'precondition_failure', 'Missing or invalid Wethod-Version header');
	}
	const rate = w.limiter.hit(`wethod:${token}`, rateWindows(cfg.rateLimit), w.now());
	if (rate && rate.limited) {
		return wethodError(429, 'too_many_requests', 'Rate limit exceeded', { 'x-ratelimit-retry-after': String(rate.retryAfter) });
	}
	const found = matchRoute(WETHOD_ROUTES, ctx.method, ctx.path);
	if (!found) return wethodError(404, 'not_found', 'Route not found');
	const granted = (cfg.permissions || {})[token];
	const needed = found.route.permissions;
	if (granted && needed && !needed.some((p) => granted.includes(p))) {
		return wethodError(403, 'forbidden', `Missing permission ${needed.join(' or ')}`);
	}
	return found.route.handle(w, ctx, found.params);
}

// ---------- faults ----------

function normaliseFault(f) {
	if (!FAULT_TYPES.includes(f.type)) throw new Error(`unknown fault type ${f.type}`);
	const { count, ...rest } = f;
	const latencyMs = f.latencyMs ?? (f.type === 'latency' ? 1000 : undefined);
	return { ...rest, latencyMs, remaining: f.remaining ?? count ?? 1 };
}

function takeFault(faults, vendor, method, path, headers = {}) {
	const index = faults.findIndex(
		(f) =>
			f.remaining > 0 &&
			(!f.vendor || f.vendor === vendor) &&
			(!f.method || f.method.toUpperCase() === method) &&
			(!f.path || path.includes(f.path)) &&
			(!f.authorization || (headers.authorization || '').includes(f.authorization)) &&
			(!f.authorizationPattern || new RegExp(f.authorizationPattern).test(String(headers.authorization || ''))),
	);
	if (index === -1) return null;
	const fault = faults[index];
	fault.remaining -= 1;
	if (fault.remaining === 0) faults.splice(index, 1);
	return fault;
}

/** Each vendor's own 429, asking to wait `seconds` the way it does. */
function tooMany(w, vendor, seconds) {
	if (vendor === 'qonto') return qontoTooMany(w, seconds);
	if (vendor === 'contazen') return contazenTooMany(w, { retryAfter: seconds });
	return wethodError(429, 'too_many_requests', 'Rate limit exceeded', { 'x-ratelimit-retry-after': String(seconds) });
}

/** The forms in which a vendor may echo what it was sent: `{token}`, `{token.base64}`, ... */
const ECHO_FORMS = {
	base64: (v) => Buffer.from(v).toString('base64'),
	percent: (v) => [...Buffer.from(v)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
	upper: (v) => v.toUpperCase(),
	prefix: (v) => `${v.slice(0, 16)}...`,
};

/**
 * `echoAuthorization`: the body's placeholders become what this request carried: {authorization}
 * (the header), {token} (the header without its scheme), {staging} (X-Qonto-Staging-Token),
 * each also as {name.base64}, {name.percent}, {name.upper} or {name.prefix} (16 characters and "...").
 */
function echoRequest(body, headers) {
	const authorization = String(headers.authorization || '');
	const values = {
		authorization,
		token: authorization.replace(/^(Bearer|Basic)\s+/i, ''),
		staging: String(headers['x-qonto-staging-token'] || ''),
	};
	const fill = (text) =>
		text.replace(/\{(authorization|token|staging)(?:\.(base64|percent|upper|prefix))?\}/g, (_, name, form) =>
			form ? ECHO_FORMS[form](values[name]) : values[name],
		);
	const walk = (value) => {
		if (typeof value === 'string') return fill(value);
		if (Array.isArray(value)) return value.map(walk);
		if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
		return value;
	};
	return walk(body);
}

/** The reply a fault puts in place of the vendor's, or null for "answer normally". */
function faultReply(w, vendor, fault, ctx) {
	if (fault.echoAuthorization && fault.body !== undefined) fault = { ...fault, body: echoRequest(fault.body, ctx.headers) };
	switch (fault.type) {
		case 'limit':
			return tooMany(w, vendor, fault.retryAfter ?? 1);
		case 'html':
			return html(fault.status || 200, fault.body || ONELOGIN_PAGE, fault.headers);
		case 'malformed':
			return reply(fault.status || 200, fault.body || '{"supplier_invoice": {"id": ', { 'content-type': 'application/json', ...fault.headers });
		case 'text':
			return reply(fault.status || 502, fault.body || 'Bad Gateway', fault.headers);
		case 'status':
			return reply(fault.status || 500, fault.body ?? { error: 'injected' }, fault.headers);
		case 'trickle':
		case 'huge':
			// With a status: that answer, not applied; without: the normal answer, sent their way.
			return fault.status ? reply(fault.status, fault.body ?? { error: 'injected' }, fault.headers) : null;
		default:
			return null; // latency: delay only
	}
}

// ---------- control ----------

function control(w, ctx) {
	const body = ctx.json && typeof ctx.json === 'object' ? ctx.json : {};
	const key = `${ctx.method} ${ctx.path}`;
	try {
		switch (key) {
			case 'POST /seed':
				return reply(200, { created: (body.invoices || []).map((i) => w.seed(i.vendor, i.id, i.overrides)).length });
			case 'GET /state':
				return reply(200, Object.fromEntries(Object.entries(w.state).map(([name, map]) => [name, Object.fromEntries(map)])));
			case 'GET /log':
				return reply(200, w.log);
			case 'GET /faults':
				return reply(200, w.faults);
			case 'POST /faults':
				w.addFaults(body.faults || []);
				return reply(200, { pending: w.faults.length });
			case 'GET /config':
				return reply(200, w.config);
			case 'POST /config':
				w.mergeConfig(body);
				return reply(200, w.config);
			case 'POST /clock':
				w.advanceClock(Number(body.advanceMs) || 0);
				return reply(200, { now: w.now(), offsetMs: w.clockOffset });
			case 'POST /reset':
				w.reset();
				return reply(200, { ok: true });
			default:
				return reply(404, { error: `unknown control endpoint ${key}` });
		}
	} catch (error) {
		return reply(400, { error: error.message });
	}
}

// ---------- server ----------

const HANDLERS = { qonto: qontoApi, 'qonto-oauth': qontoToken, contazen: contazenApi, wethod: wethodApi };

function parseBody(raw, contentType) {
	if (!raw || !(contentType || '').includes('json')) return { json: undefined, jsonError: false };
	try {
		return { json: JSON.parse(raw), jsonError: false };
	} catch {
		return { json: undefined, jsonError: true };
	}
}

function send(res, out) {
	res.writeHead(out.status, out.headers);
	res.end(out.body);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Until the client has taken what was written, or has gone. */
function drained(res) {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

/**
 * `trickle`: status and headers at once, then the body a few bytes at a time until `durationMs`
 * (a slow or throttling proxy). The body is padded with trailing spaces (still the same JSON) so
 * that every interval sends `chunkBytes`. Stops when the client goes away.
 */
async function sendTrickle(res, out, fault) {
	const durationMs = fault.durationMs ?? 8000;
	const intervalMs = fault.intervalMs ?? 200;
	const steps = Math.max(1, Math.floor(durationMs / intervalMs));
	const body = Buffer.from(out.body);
	const chunkBytes = Math.max(fault.chunkBytes ?? 100, Math.ceil(body.length / steps));
	const padded = Buffer.concat([body, Buffer.alloc(Math.max(0, steps * chunkBytes - body.length), ' ')]);
	res.writeHead(out.status, out.headers);
	res.flushHeaders();
	for (let offset = 0; offset < padded.length && !res.destroyed; offset += chunkBytes) {
		await pause(intervalMs);
		if (!res.destroyed) res.write(padded.subarray(offset, offset + chunkBytes));
	}
	if (!res.destroyed) res.end();
}

/**
 * `huge`: the vendor's answer with an inlined attachment of `sizeMb` MB (base64 text) as its first
 * member: still valid JSON of the vendor's shape, streamed in 64 KiB chunks with back-pressure.
 * `contentLength: true` announces the size; otherwise the body is chunked.
 */
async function sendHuge(res, out, fault) {
	const size = Math.round((fault.sizeMb ?? 50) * 1024 * 1024);
	const text = String(out.body);
	const isObject = text.trimStart().startsWith('{');
	const head = Buffer.from('{"attachment_base64":"');
	const tail = Buffer.from(isObject ? `",${text.trimStart().slice(1)}` : `","data":${JSON.stringify(text)}}`);
	const headers = { ...out.headers, 'content-type': 'application/json; charset=utf-8' };
	if (fault.contentLength) headers['content-length'] = String(head.length + size + tail.length);
	res.writeHead(out.status, headers);
	const block = Buffer.alloc(64 * 1024, 'QUJD');
	res.write(head);
	for (let sent = 0; sent < size && !res.destroyed; sent += block.length) {
		const ok = res.write(block.subarray(0, Math.min(block.length, size - sent)));
		if (!ok) await drained(res);
	}
	if (!res.destroyed) res.end(tail);
}

function startFakes(options = {}) {
	const state = { qonto: new Map(), contazen: new Map(), wethod: new Map(), contazenExpenses: new Map() };
	const w = {
		config: structuredClone(DEFAULT_CONFIG),
		state,
		log: [],
		faults: [],
		limiter: createLimiter(),
		unauthorized: new Map(), // ip -> times of Qonto 401 answers
		rotated: new Map(), // rotated Qonto refresh token -> { scope, graceUntil }
		issuedAccess: new Map(), // issued Qonto access token -> { scope, expiresAt }
		issuedRefresh: new Map(), // issued Qonto refresh token -> { scope, expiresAt }
		tokenCounter: 0,
		clockOffset: 0,
		now: () => Date.now() + w.clockOffset,
		advanceClock(ms) {
			w.clockOffset += ms;
		},
		mergeConfig(patch) {
			for (const [vendor, values] of Object.entries(patch || {})) {
				if (!VENDORS.includes(vendor)) throw new Error(`unknown vendor ${vendor}`);
				// a copy: the token endpoint changes these lists, and reset() must get the originals back
				Object.assign(w.config[vendor], structuredClone(values));
			}
		},
		seed(vendor, id, overrides) {
			const invoice = invoiceOf(vendor, id, overrides || {});
			state[vendor].set(String(id), invoice);
			if (vendor === 'contazen') syncExpense(w, invoice);
			return invoice;
		},
		addFaults(list) {
			w.faults.push(...list.map(normaliseFault));
		},
		reset() {
			Object.assign(w.config, structuredClone(DEFAULT_CONFIG));
			w.mergeConfig(options.config);
			for (const map of Object.values(state)) map.clear();
			w.log.length = 0;
			w.faults.length = 0;
			w.limiter.clear();
			w.unauthorized.clear();
			w.rotated.clear();
			w.issuedAccess.clear();
			w.issuedRefresh.clear();
			w.tokenCounter = 0;
			w.clockOffset = 0;
		},
	};
	w.mergeConfig(options.config);

	async function handle(req, res, raw) {
		const url = new URL(req.url, 'http://fake');
		const [, prefix, ...rest] = url.pathname.split('/');
		const ctx = {
			method: req.method,
			path: `/${rest.join('/')}`,
			query: url.searchParams,
			headers: req.headers,
			raw,
			ip: req.socket.remoteAddress,
			...parseBody(raw, req.headers['content-type']),
		};
		if (prefix === '_control') return send(res, control(w, ctx));
		const handler = HANDLERS[prefix];
		if (!handler) return send(res, reply(404, 'unknown vendor'));
		const vendor = prefix === 'qonto-oauth' ? 'qonto' : prefix;
		const entry = {
			at: w.now(),
			vendor,
			method: req.method,
			path: ctx.path,
			query: url.search,
			headers: req.headers,
			body: ctx.json ?? (raw || null),
			status: null,
		};
		w.log.push(entry);

		const fault = takeFault(w.faults, vendor, req.method, ctx.path, req.headers);
		if (fault) entry.fault = fault.type;
		// The client gave up (its timeout, a cancelled execution, a body it refused to read).
		let droppedByUs = false;
		res.on('close', () => {
			if (!res.writableFinished && !droppedByUs) entry.aborted = true;
		});
		const latencyMs = fault && fault.latencyMs !== undefined ? fault.latencyMs : w.config[vendor].latencyMs;
		if (latencyMs) await new Promise((resolve) => setTimeout(resolve, latencyMs));
		if (fault && fault.type === 'reset') {
			droppedByUs = true;
			return req.socket.destroy();
		}
		if (fault && fault.type === 'hang') return; // never answers: the client's timeout fires
		const injected = fault && faultReply(w, vendor, fault, ctx);
		const out = injected || handler(w, ctx);
		if (fault && fault.type === 'lose') {
			// Applied by the vendor, answer lost on the way back: the ambiguous write.
			entry.status = out.status;
			droppedByUs = true;
			return req.socket.destroy();
		}
		entry.status = out.status;
		// Applied by the vendor too; only the way the answer travels differs.
		if (fault && fault.type === 'trickle') return await sendTrickle(res, out, fault);
		if (fault && fault.type === 'huge') return await sendHuge(res, out, fault);
		send(res, out);
	}

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			handle(req, res, Buffer.concat(chunks).toString()).catch((error) => {
				if (!res.headersSent) send(res, reply(500, `fake crashed: ${error.stack}`));
			});
		});
	});

	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port || 0, '127.0.0.1', () => {
			const { port } = server.address();
			resolve({
				url: `http://127.0.0.1:${port}`,
				port,
				config: w.config,
				state,
				log: w.log,
				seed: w.seed,
				addFaults: w.addFaults,
				advanceClock: w.advanceClock,
				now: w.now,
				reset: w.reset,
				close: () =>
					new Promise((done) => {
						server.closeAllConnections?.();
						server.close(() => done());
					}),
			});
		});
	});
}

// ---------- CLI ----------

function cliOptions(argv, readFile) {
	const options = { port: 18080, demo: false, config: undefined };
	for (let i = 0; i < argv.length; i += 1) {
		if (argv[i] === '--demo') options.demo = true;
		else if (argv[i] === '--config') options.config = JSON.parse(readFile(argv[(i += 1)]));
		else if (/^\d+$/.test(argv[i])) options.port = Number(argv[i]);
		else throw new Error(`unknown argument ${argv[i]} (usage: server.js [PORT] [--demo] [--config patch.json])`);
	}
	return options;
}

/** `node server.js [PORT] [--demo] [--config patch.json]`; io is replaceable for the tests. */
async function runCli(argv, io = {}) {
	const print = io.print || console.log;
	const readFile = io.readFile || ((file) => fs.readFileSync(file, 'utf8'));
	const options = cliOptions(argv, readFile);
	const fakes = await startFakes({ port: options.port, config: options.config });
	if (options.demo) {
		fakes.seed('qonto', '4d5418bb-bd0d-4df4-865c-c07afab8bb48');
		fakes.seed('qonto', '9a1c5c2e-7c55-4c3b-9d6b-2f0e8f1d2a11', { status: 'to_review', payment_date: null });
		fakes.seed('contazen', 'sbill_demo0001');
		fakes.seed('wethod', '1042');
		fakes.seed('wethod', '1043', { status: 'sent', payment_date: null });
	}
	print(`fakes listening on ${fakes.url}`);
	return fakes;
}

module.exports = { startFakes, runCli, invoiceOf, contazenSuccess, DEFAULT_CONFIG };

if (require.main === module) {
	runCli(process.argv.slice(2)).catch((error) => {
		console.error(error.message);
		process.exit(1);
	});
}
