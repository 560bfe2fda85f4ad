'use strict';
/**
 * Local fakes of the three vendor APIs, one process on loopback, plain Node (no dependencies).
 * Behaviour follows ../../../shared/vendor-apis.md (see that file's [V]/[C]/[?] marks); where the
 * vendor docs are silent, a switch in `config` picks the behaviour.
 *
 *   Qonto     {base}/qonto/v2/...           OAuth2 Bearer or "login:secret"; sandbox staging token
 *   Qonto OAuth {base}/qonto-oauth/oauth2/token   authorization_code / refresh_token
 *   Contazen  {base}/contazen/v1/...        Bearer sk_live_/sk_test_
 *   Wethod    {base}/wethod/api/...         Bearer + Wethod-Company + Wethod-Version
 *   Control   {base}/_control/...           seed, state, log, faults, config, reset
 */
const http = require('node:http');
const crypto = require('node:crypto');

const DEFAULT_CONFIG = {
	qonto: {
		logins: { 'acme-1234': 'qonto-secret-key' },
		accessTokens: ['qonto-access-token'],
		refreshTokens: { 'qonto-refresh-token': true },
		clientId: 'qonto-client-id',
		clientSecret: 'qonto-client-secret',
		// null: staging token not required (production-like); a string: required on every request
		stagingToken: null,
		// 'bare' (documented example) or 'wrapped' ({ supplier_invoice }) unmark response
		unmarkResponse: 'bare',
		rateLimit: null, // { limit, windowMs }
	},
	contazen: {
		apiKeys: ['sk_test_contazen0000000000000001'],
		// 'ok' (200 no-op) or 'error' (400) when marking an unpaid bill unpaid
		alreadyUnpaid: 'ok',
		rateLimit: { limit: 100, windowMs: 60_000 },
	},
	wethod: {
		tokens: ['wethod-token-0001'],
		company: 'acme',
		versions: ['2024-06-15'],
		// 'precondition' (412) or 'ok' (200 no-op) when the invoice is not paid
		notPaid: 'precondition',
		rateLimit: null,
	},
};

function createState() {
	return { qonto: new Map(), contazen: new Map(), wethod: new Map() };
}

function json(res, status, body, headers = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
	res.end(text);
}

function today() {
	return new Date().toISOString().slice(0, 10);
}

function qontoInvoice(id, overrides = {}) {
	return {
		id,
		organization_id: '0b7a6d6e-0000-4000-8000-000000000001',
		status: 'paid',
		invoice_number: `QONTO-${id.slice(0, 4).toUpperCase()}`,
		supplier_name: 'ACME Supplies',
		total_amount: { value: '120.50', currency: 'EUR' },
		issue_date: '2026-10-01',
		due_date: '2026-10-31',
		payment_date: '2026-11-02',
		scheduled_date: null,
		created_at: '2026-10-01T09:00:00+02:00',
		updated_at: '2026-11-02T09:00:00+02:00',
		...overrides,
	};
}

function contazenBill(id, overrides = {}) {
	return {
		id,
		object: 'supplier_bill',
		invoice_number: `CZ-${id.slice(-4)}`,
		invoice_type_code: '380',
		issue_date: '2026-10-05',
		due_date: '2026-11-05',
		currency: 'RON',
		amounts: { tax_exclusive: 1000, tax: 190, tax_inclusive: 1190, paid: 1190, unpaid: 0 },
		status: 'paid',
		payment_date: '2026-11-03',
		payment_amount: 1190,
		supplier: { id: 'sup_demo0001', name: 'Furnizor SRL', vat_id: 'RO123456' },
		supplier_id: 'sup_demo0001',
		expense_id: `exp_${id.slice(-6)}`,
		created_at: 1790000000,
		updated_at: 1790000000,
		...overrides,
	};
}

function wethodInvoice(id, overrides = {}) {
	return {
		id: Number(id),
		created_at: '2026-10-01T10:00:00.000Z',
		updated_at: '2026-11-01T10:00:00.000Z',
		status: 'paid',
		invoice_number: `INV-2026-${String(id).padStart(3, '0')}`,
		purchase_order: null,
		value: 2500,
		exchange_rate: null,
		issue_date: '2026-10-01',
		payment_date: '2026-11-01',
		notes: null,
		project_id: 1,
		budget_area_uid: null,
		vat_rate_id: null,
		payment_term_id: null,
		...overrides,
	};
}

const BUILDERS = { qonto: qontoInvoice, contazen: contazenBill, wethod: wethodInvoice };

/** A fixed-window limiter that reports what the vendor would report. */
function checkRate(limits, key, rule, now) {
	if (!rule) return null;
	let window = limits.get(key);
	if (!window || now >= window.resetAt) {
		window = { count: 0, resetAt: now + rule.windowMs };
		limits.set(key, window);
	}
	window.count += 1;
	return {
		limited: window.count > rule.limit,
		limit: rule.limit,
		remaining: Math.max(0, rule.limit - window.count),
		resetAt: window.resetAt,
	};
}

function startFakes(options = {}) {
	const config = structuredClone(DEFAULT_CONFIG);
	const state = createState();
	const log = [];
	let faults = [];
	const limits = new Map();
	let tokenCounter = 0;

	function mergeConfig(patch) {
		for (const [vendor, values] of Object.entries(patch || {})) Object.assign(config[vendor], values);
	}
	mergeConfig(options.config);

	function seed(vendor, id, overrides) {
		const invoice = BUILDERS[vendor](String(id), overrides);
		state[vendor].set(String(id), invoice);
		return invoice;
	}

	function takeFault(vendor, path) {
		const index = faults.findIndex(
			(f) => f.remaining > 0 && (!f.vendor || f.vendor === vendor) && (!f.path || path.includes(f.path)),
		);
		if (index === -1) return null;
		const fault = faults[index];
		fault.remaining -= 1;
		if (fault.remaining === 0) faults.splice(index, 1);
		return fault;
	}

	async function applyFault(fault, req, res) {
		if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
		switch (fault.type) {
			case 'reset':
				req.socket.destroy();
				return true;
			case 'hang':
				return true; // never answers: the client's timeout fires
			case 'html':
				res.writeHead(fault.status || 200, { 'content-type': 'text/html' });
				res.end('<!doctype html><html><head><title>Sign in - OneLogin</title></head><body>Please sign in</body></html>');
				return true;
			case 'malformed':
				res.writeHead(fault.status || 200, { 'content-type': 'application/json' });
				res.end('{"supplier_invoice": {"id": ');
				return true;
			case 'text':
				res.writeHead(fault.status || 502, { 'content-type': 'text/plain' });
				res.end(fault.body || 'Bad Gateway');
				return true;
			case 'status':
				json(res, fault.status || 500, fault.body || { error: 'injected' }, fault.headers || {});
				return true;
			case 'latency':
				return false; // delay only, then answer normally
			default:
				return false;
		}
	}

	// ---------- Qonto ----------
	function qontoError(res, status, code, detail, extraHeaders = {}) {
		const traceId = crypto.randomBytes(8).toString('hex');
		json(res, status, { errors: [{ code, detail }], trace_id: traceId }, { 'x-tyk-trace-id': traceId, ...extraHeaders });
	}

	function qonto(req, res, path, body) {
		const cfg = config.qonto;
		if (path === '/oauth2/token') return qontoToken(req, res, body);
		if (cfg.stagingToken && req.headers['x-qonto-staging-token'] !== cfg.stagingToken) {
			// The OneLogin gate: HTML, not JSON.
			res.writeHead(302, { location: 'https://qonto.onelogin.com/login', 'content-type': 'text/html' });
			return res.end('<html><head><title>Redirecting to OneLogin</title></head></html>');
		}
		const auth = req.headers.authorization || '';
		const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : null;
		const [login, secret] = bearer ? [] : auth.split(':');
		const authorised = bearer ? cfg.accessTokens.includes(bearer) : cfg.logins[login] && cfg.logins[login] === secret;
		if (!authorised) return qontoError(res, 401, 'unauthorized', 'Invalid credentials');
		const rate = checkRate(limits, `qonto`, cfg.rateLimit, Date.now());
		if (rate && rate.limited) {
			return qontoError(res, 429, 'too_many_requests', 'Too Many Requests', {
				'retry-after': String(Math.ceil((rate.resetAt - Date.now()) / 1000)),
			});
		}
		const requestId = crypto.randomUUID();
		res.setHeader('x-request-id', requestId);
		if (req.method === 'GET' && path === '/v2/organization') {
			return json(res, 200, { organization: { id: 'org-1', name: 'ACME', slug: 'acme-1234', bank_accounts: [] } });
		}
		if (req.method === 'GET' && path === '/v2/supplier_invoices') {
			return json(res, 200, { supplier_invoices: [...state.qonto.values()], meta: { current_page: 1, total_count: state.qonto.size } });
		}
		let m = /^\/v2\/supplier_invoices\/([^/]+)$/.exec(path);
		if (m && req.method === 'GET') {
			const invoice = state.qonto.get(m[1]);
			if (!invoice) return qontoError(res, 404, 'not_found', 'Not found');
			return json(res, 200, { supplier_invoice: invoice });
		}
		m = /^\/v2\/supplier_invoices\/([^/]+)\/(unmark_as_paid|mark_as_paid)$/.exec(path);
		if (m && req.method === 'POST') {
			if (bearer === null && m[2] === 'unmark_as_paid' && cfg.apiKeyCanWrite === false) {
				return qontoError(res, 403, 'forbidden', 'This endpoint requires OAuth');
			}
			const invoice = state.qonto.get(m[1]);
			if (!invoice) return qontoError(res, 404, 'not_found', 'Not found');
			if (m[2] === 'unmark_as_paid') {
				if (invoice.status !== 'paid') {
					return qontoError(res, 400, 'invalid_transition', `Cannot transition from ${invoice.status} to to_review`);
				}
				Object.assign(invoice, { status: 'to_review', payment_date: null, updated_at: new Date().toISOString() });
			} else {
				if (invoice.status === 'scheduled') return qontoError(res, 400, 'invalid_transition', 'Scheduled invoices cannot be marked as paid');
				const date = body && body.supplier_invoice && body.supplier_invoice.payment_date;
				Object.assign(invoice, { status: 'paid', payment_date: date || invoice.payment_date || today() });
			}
			return json(res, 200, cfg.unmarkResponse === 'wrapped' ? { supplier_invoice: invoice } : invoice);
		}
		res.writeHead(404, { 'content-type': 'text/plain', 'x-tyk-trace-id': 'route-missing' });
		return res.end('Not Found');
	}

	function qontoToken(req, res, form) {
		const cfg = config.qonto;
		const params = new URLSearchParams(form || '');
		let clientId = params.get('client_id');
		let clientSecret = params.get('client_secret');
		const basic = /^Basic (.+)$/.exec(req.headers.authorization || '');
		if (basic) [clientId, clientSecret] = Buffer.from(basic[1], 'base64').toString().split(':');
		if (clientId !== cfg.clientId || clientSecret !== cfg.clientSecret) {
			return json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
		}
		const grant = params.get('grant_type');
		if (grant === 'refresh_token' && cfg.refreshTokens[params.get('refresh_token')]) {
			delete cfg.refreshTokens[params.get('refresh_token')]; // refresh tokens rotate
		} else if (grant !== 'authorization_code') {
			return json(res, 400, { error: 'invalid_grant', error_description: 'The refresh token is invalid' });
		}
		tokenCounter += 1;
		const access = `qonto-access-${tokenCounter}-${crypto.randomBytes(4).toString('hex')}`;
		const refresh = `qonto-refresh-${tokenCounter}-${crypto.randomBytes(4).toString('hex')}`;
		cfg.accessTokens.push(access);
		cfg.refreshTokens[refresh] = true;
		return json(res, 200, { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: 3600, scope: 'offline_access supplier_invoice.read supplier_invoice.write' });
	}

	// ---------- Contazen ----------
	function contazenError(res, status, type, code, message, extra = {}, headers = {}) {
		json(res, status, { success: false, error: { message, type, code, status, ...extra }, meta: { version: 'v1', response_time: '1.2ms' } }, headers);
	}

	function contazen(req, res, path) {
		const cfg = config.contazen;
		const auth = req.headers.authorization || '';
		if (!auth) return contazenError(res, 401, 'authentication_error', 'missing_api_key', 'API key is required');
		const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
		if (!cfg.apiKeys.includes(key)) return contazenError(res, 401, 'authentication_error', 'invalid_api_key', 'Invalid API key');
		const rate = checkRate(limits, `contazen:${key}`, cfg.rateLimit, Date.now());
		const rateHeaders = rate
			? { 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': String(rate.remaining), 'x-ratelimit-reset': String(Math.ceil(rate.resetAt / 1000)) }
			: {};
		for (const [k, v] of Object.entries(rateHeaders)) res.setHeader(k, v);
		if (rate && rate.limited) {
			return contazenError(res, 429, 'rate_limit_error', 'rate_limit_exceeded', 'Rate limit exceeded', { retry_after: Math.max(1, Math.ceil((rate.resetAt - Date.now()) / 1000)) });
		}
		const meta = () => ({ version: 'v1', request_id: crypto.randomUUID(), response_time: '3.1ms' });
		if (req.method === 'GET' && path === '/v1/settings') {
			return json(res, 200, { success: true, data: { firm: { name: 'Firma Demo SRL' }, rate_limits: { requests_per_hour: 6000 } }, meta: meta() });
		}
		const m = /^\/v1\/supplier-bills\/([^/]+)\/(mark-unpaid|mark-paid)$/.exec(path);
		if (m && req.method === 'POST') {
			const bill = state.contazen.get(m[1]);
			if (!bill) return contazenError(res, 404, 'resource_error', 'resource_not_found', 'Supplier bill not found');
			if (bill.locked) return contazenError(res, 423, 'resource_error', 'resource_locked', 'Supplier bill is locked (accounting period closed)');
			if (m[2] === 'mark-unpaid') {
				if (bill.status === 'unpaid' && cfg.alreadyUnpaid === 'error') {
					return contazenError(res, 400, 'validation_error', 'invalid_request', 'Supplier bill is not paid');
				}
				Object.assign(bill, { status: 'unpaid', payment_date: null, payment_amount: null, updated_at: Math.floor(Date.now() / 1000) });
				bill.amounts = { ...bill.amounts, paid: 0, unpaid: bill.amounts.tax_inclusive };
				return json(res, 200, { success: true, data: { supplier_bill: bill, message: 'Supplier bill marked as unpaid' }, meta: meta() });
			}
			return json(res, 200, { success: true, data: { supplier_bill: Object.assign(bill, { status: 'paid', payment_date: today(), payment_amount: bill.amounts.tax_inclusive }) }, meta: meta() });
		}
		return contazenError(res, 404, 'resource_error', 'resource_not_found', 'Endpoint not found');
	}

	// ---------- Wethod ----------
	function wethod(req, res, path) {
		const cfg = config.wethod;
		const auth = req.headers.authorization || '';
		const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
		if (!cfg.tokens.includes(token)) return json(res, 401, { key: 'unauthorized', message: 'Invalid or missing token' });
		if (req.headers['wethod-company'] !== cfg.company || !cfg.versions.includes(req.headers['wethod-version'])) {
			return json(res, 412, { key: 'precondition_failure', message: 'Missing or invalid Wethod-Company or Wethod-Version header' });
		}
		const rate = checkRate(limits, `wethod:${token}`, cfg.rateLimit, Date.now());
		if (rate && rate.limited) {
			return json(res, 429, { key: 'too_many_requests', message: 'Rate limit exceeded' }, { 'x-ratelimit-retry-after': String(Math.ceil((rate.resetAt - Date.now()) / 1000)) });
		}
		if (req.method === 'GET' && path === '/api/persons/me') {
			return json(res, 200, { id: 1, email: 'finance@acme.test', name: 'Ada', surname: 'Finance', role_id: 1, role: 'Admin' });
		}
		let m = /^\/api\/invoices\/([0-9]+)$/.exec(path);
		if (m && req.method === 'GET') {
			const invoice = state.wethod.get(m[1]);
			return invoice ? json(res, 200, invoice) : json(res, 404, { key: 'not_found', message: 'Invoice not found' });
		}
		m = /^\/api\/invoices\/([0-9]+):(set-unpaid|set-paid)$/.exec(path);
		if (m && req.method === 'POST') {
			const invoice = state.wethod.get(m[1]);
			if (!invoice) return json(res, 404, { key: 'not_found', message: 'Invoice not found' });
			if (m[2] === 'set-unpaid') {
				if (invoice.status !== 'paid') {
					if (cfg.notPaid === 'precondition') return json(res, 412, { key: 'precondition_failure', message: 'Invoice is not paid' });
					return json(res, 200, invoice);
				}
				Object.assign(invoice, { status: 'sent', payment_date: null, updated_at: new Date().toISOString() });
			} else {
				Object.assign(invoice, { status: 'paid', payment_date: today() });
			}
			return json(res, 200, invoice);
		}
		return json(res, 404, { key: 'not_found', message: 'Route not found' });
	}

	// ---------- control ----------
	function control(req, res, path, body) {
		if (path === '/seed' && req.method === 'POST') {
			const created = (body.invoices || []).map((i) => seed(i.vendor, i.id, i.overrides));
			return json(res, 200, { created: created.length });
		}
		if (path === '/state') return json(res, 200, Object.fromEntries(Object.entries(state).map(([v, m]) => [v, Object.fromEntries(m)])));
		if (path === '/log') return json(res, 200, log);
		if (path === '/faults' && req.method === 'POST') {
			faults.push(...(body.faults || []).map((f) => ({ remaining: 1, ...f })));
			return json(res, 200, { pending: faults.length });
		}
		if (path === '/config' && req.method === 'POST') {
			mergeConfig(body);
			return json(res, 200, config);
		}
		if (path === '/reset' && req.method === 'POST') {
			Object.assign(config, structuredClone(DEFAULT_CONFIG));
			mergeConfig(options.config);
			for (const map of Object.values(state)) map.clear();
			log.length = 0;
			faults = [];
			limits.clear();
			return json(res, 200, { ok: true });
		}
		return json(res, 404, { error: 'unknown control path' });
	}

	function route(vendor, req, res, path, body) {
		if (vendor === 'qonto') return qonto(req, res, path, body);
		if (vendor === 'contazen') return contazen(req, res, path);
		if (vendor === 'wethod') return wethod(req, res, path);
		res.writeHead(404, { 'content-type': 'text/plain' });
		res.end('unknown vendor');
	}

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const raw = Buffer.concat(chunks).toString();
			const url = new URL(req.url, 'http://fake');
			const [, prefix, ...rest] = url.pathname.split('/');
			const path = `/${rest.join('/')}`;
			let body = raw;
			if ((req.headers['content-type'] || '').includes('json') && raw) {
				try {
					body = JSON.parse(raw);
				} catch {
					body = raw;
				}
			}
			if (prefix === '_control') return control(req, res, path, typeof body === 'object' ? body : {});
			const vendor = prefix === 'qonto-oauth' ? 'qonto' : prefix;
			log.push({ at: Date.now(), vendor, method: req.method, path, headers: req.headers });
			const fault = takeFault(vendor, path);
			if (fault && fault.type === 'lose') {
				// Applied by the vendor, answer lost on the way back: the ambiguous write.
				const sink = { setHeader() {}, writeHead() {}, end() {} };
				route(vendor, req, sink, path, body);
				return req.socket.destroy();
			}
			if (fault && (await applyFault(fault, req, res))) return;
			route(vendor, req, res, path, body);
		});
	});

	return new Promise((resolve) => {
		server.listen(options.port || 0, '127.0.0.1', () => {
			const { port } = server.address();
			const url = `http://127.0.0.1:${port}`;
			resolve({
				url,
				port,
				config,
				state,
				log,
				seed,
				addFaults: (list) => faults.push(...list.map((f) => ({ remaining: 1, ...f }))),
				close: () =>
					new Promise((done) => {
						server.closeAllConnections?.();
						server.close(() => done());
					}),
			});
		});
	});
}

module.exports = { startFakes, DEFAULT_CONFIG };

if (require.main === module) {
	const port = Number(process.argv[2] || 18080);
	startFakes({ port }).then((fakes) => {
		if (process.argv.includes('--demo')) {
			fakes.seed('qonto', '4d5418bb-bd0d-4df4-865c-c07afab8bb48');
			fakes.seed('qonto', '9a1c5c2e-7c55-4c3b-9d6b-2f0e8f1d2a11', { status: 'to_review', payment_date: null });
			fakes.seed('contazen', 'sbill_demo0001');
			fakes.seed('wethod', '1042');
			fakes.seed('wethod', '1043', { status: 'sent', payment_date: null });
		}
		console.log(`fakes listening on ${fakes.url}`);
	});
}
