'use strict';
/**
 * Webhook bursts: many payment events at once, one n8n execution each, against the local vendor
 * fakes under a scaled-down rate limit. Shared by the e2e tests (test/e2e/bursts.js, regular mode;
 * test/queue/, queue mode) and the benchmark (bench/run.js, section "bursts"): the workflows, the
 * burst itself and what the fakes' log says about it (failed items, 429s per window, double writes,
 * token refreshes, time of the last revert against the limit-bound minimum).
 */
const { NODE_TYPE } = require('./n8n');
const { CREDENTIAL_IDS, FAKE_SECRETS, credentials } = require('./demo-data');

/** The vendors and credentials a burst runs on; `requestsPerInvoice` at the node's defaults. */
const TARGETS = {
	qontoOAuth2: {
		code: 'QO',
		label: 'Qonto (OAuth2, expired token)',
		vendor: 'qonto',
		authentication: 'oAuth2',
		credentialType: 'paymentRevertQontoOAuth2Api',
		requestsPerInvoice: 2, // GET (previous state), then POST
		id: (n) => `b0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
		writePath: (id) => `/v2/supplier_invoices/${id}/unmark_as_paid`,
		apiPath: '/qonto',
	},
	qontoApiKey: {
		code: 'QK',
		label: 'Qonto (API key)',
		vendor: 'qonto',
		authentication: 'apiKey',
		credentialType: 'paymentRevertQontoApi',
		requestsPerInvoice: 2,
		id: (n) => `b1000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
		writePath: (id) => `/v2/supplier_invoices/${id}/unmark_as_paid`,
		apiPath: '/qonto',
		// what an HTTP Request node sends instead (a Header Auth credential)
		httpAuth: { name: 'Authorization', value: `${FAKE_SECRETS.qontoLogin}:${FAKE_SECRETS.qontoSecretKey}` },
	},
	contazen: {
		code: 'CZ',
		label: 'Contazen',
		vendor: 'contazen',
		credentialType: 'paymentRevertContazenApi',
		requestsPerInvoice: 1, // Contazen cannot be read: the write alone
		id: (n) => `sbill_burst${String(n).padStart(6, '0')}`,
		writePath: (id) => `/v1/supplier-bills/${id}/mark-unpaid`,
		apiPath: '/contazen',
		httpAuth: { name: 'Authorization', value: `Bearer ${FAKE_SECRETS.contazenApiKey}` },
	},
	wethod: {
		code: 'WE',
		label: 'Wethod',
		vendor: 'wethod',
		credentialType: 'paymentRevertWethodApi',
		requestsPerInvoice: 2,
		id: (n) => String(700000 + n),
		writePath: (id) => `/api/invoices/${id}:set-unpaid`,
		apiPath: '/wethod',
		httpAuth: { name: 'Authorization', value: `Bearer ${FAKE_SECRETS.wethodToken}` },
		httpHeaders: { 'Wethod-Company': 'acme', 'Wethod-Version': '2024-06-15' },
	},
};

/** The Header Auth credentials HTTP Request contenders use, one per target that has one. */
function httpCredentials() {
	return Object.entries(TARGETS)
		.filter(([, t]) => t.httpAuth)
		.map(([key, t]) => ({ id: httpCredentialId(key), name: `${t.label} header auth (bursts)`, type: 'httpHeaderAuth', data: t.httpAuth }));
}
const httpCredentialId = (key) => `burstHttp${key}`.slice(0, 16).padEnd(16, '0');

/** Workflow IDs are 16 characters: a code per target and contender keeps them apart. */
const CONTENDER_CODES = { node: 'N', http: 'H', httpRetry: 'R' };

/** The webhook path of a target and contender, e.g. `burst-wethod-node`. */
const webhookPath = (key, contender = 'node') => `burst-${key}-${contender}`;

/**
 * Webhook (POST, answers with the last node's output) -> the contender, for one target:
 * - `node`: Payment Revert at default options; onError continueRegularOutput, as in the webhook
 *   example, so a failed item comes back as `{ error }` in the answer;
 * - `http`: n8n's HTTP Request node 4.2 sending the revert, at default settings;
 * - `httpRetry`: the same with the node setting Retry On Fail (n8n's defaults: 3 tries, 1 s apart).
 */
function burstWorkflow(key, contender = 'node', { url } = {}) {
	const t = TARGETS[key];
	const path = webhookPath(key, contender);
	const id = `burst${t.code}${CONTENDER_CODES[contender]}`.padEnd(16, '0');
	const hook = {
		id: `${id}-w`,
		name: 'Payment event',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: webhookUuid(path),
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
	};
	let node;
	if (contender === 'node') {
		node = {
			id: `${id}-n`,
			name: 'Payment Revert',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [260, 0],
			parameters: {
				provider: t.vendor,
				...(t.authentication ? { authentication: t.authentication } : {}),
				operation: 'revertPayment',
				invoiceId: '={{ $json.body.invoiceId }}',
				options: {},
			},
			onError: 'continueRegularOutput',
			credentials: { [t.credentialType]: { id: CREDENTIAL_IDS[t.credentialType], name: t.credentialType } },
		};
	} else {
		if (!t.httpAuth) throw new Error(`no HTTP Request contender for ${key}`);
		const headers = Object.entries(t.httpHeaders || {}).map(([name, value]) => ({ name, value }));
		node = {
			id: `${id}-n`,
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [260, 0],
			parameters: {
				method: 'POST',
				url: `=${url}${t.apiPath}${t.writePath('{{ $json.body.invoiceId }}')}`,
				authentication: 'genericCredentialType',
				genericAuthType: 'httpHeaderAuth',
				...(headers.length ? { sendHeaders: true, headerParameters: { parameters: headers } } : {}),
				options: {},
			},
			credentials: { httpHeaderAuth: { id: httpCredentialId(key), name: `${t.label} header auth (bursts)` } },
			...(contender === 'httpRetry' ? { retryOnFail: true } : {}),
		};
	}
	return {
		id,
		name: `Burst ${t.label} (${contender})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [hook, node],
		connections: { [hook.name]: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
	};
}

/** A stable UUID per webhook path (n8n keys production webhooks by it). */
function webhookUuid(path) {
	let h = 0;
	for (const c of path) h = (h * 31 + c.charCodeAt(0)) >>> 0;
	return `5f0c2b8e-0000-4000-8000-${h.toString(16).padStart(12, '0')}`;
}

/** The credentials a burst needs in n8n: the demo's four (pointing at the fakes) and Header Auth ones. */
function burstCredentials(url) {
	return [...credentials(url), ...httpCredentials()];
}

/**
 * Resets the fakes for a burst on one target: every vendor unlimited except the target's, which
 * gets `limit`; `invoices` paid invoices seeded. Returns their IDs.
 */
async function prepareFakes(fakes, key, { invoices, limit }) {
	const t = TARGETS[key];
	fakes.reset();
	fakes.config.qonto.rateLimit = null;
	fakes.config.contazen.rateLimit = null;
	fakes.config.wethod.rateLimit = null;
	fakes.config[t.vendor].rateLimit = limit;
	const ids = Array.from({ length: invoices }, (_, n) => t.id(n));
	for (const id of ids) fakes.seed(t.vendor, id);
	return ids;
}

/** POSTs every invoice ID to the webhook at the same moment; resolves with each answer, in order. */
async function fire(baseUrl, path, ids) {
	return await Promise.all(
		ids.map(async (invoiceId) => {
			try {
				const response = await fetch(`${baseUrl}/webhook/${path}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ invoiceId, event: 'payment.failed' }),
					signal: AbortSignal.timeout(10 * 60 * 1000),
				});
				const text = await response.text();
				let body;
				try {
					body = JSON.parse(text);
				} catch {
					body = text;
				}
				return { invoiceId, status: response.status, body };
			} catch (error) {
				return { invoiceId, status: 0, body: String(error) };
			}
		}),
	);
}

/** What one answer says: 'reverted', 'already_unpaid', an error category, or 'http <status>'. */
function answerOutcome(answer) {
	const b = answer.body;
	if (answer.status === 200 && b && typeof b === 'object') {
		if (typeof b.outcome === 'string') return b.outcome;
		if (b.error && typeof b.error === 'object' && b.error.category) return b.error.category;
		if (b.success === true || typeof b.status === 'string' || b.supplier_invoice || b.id) return 'reverted'; // an HTTP Request contender: the vendor's answer
	}
	return `http ${answer.status}`;
}

/**
 * Reconstructs the fakes' fixed windows from their log (a window starts at the first request after
 * the previous one ended, as the fakes' limiter does) and counts the 429s in each.
 */
function windows(requests, windowMs) {
	const out = [];
	let current = null;
	for (const r of requests) {
		if (!current || r.at >= current.start + windowMs) {
			current = { start: r.at, requests: 0, tooMany: 0 };
			out.push(current);
		}
		current.requests += 1;
		if (r.status === 429) current.tooMany += 1;
	}
	return out;
}

/**
 * Figures for one burst, from the answers and the fakes' log and state:
 * failed (invoices not unpaid in the end, or whose answer is not a revert), outcomes, 429s in
 * total and per window, double writes, token endpoint calls, and the last revert's time from the
 * first request against the minimum the limit allows for the requests needed (the node's at its
 * defaults unless `requestsPerInvoice` says otherwise: an HTTP Request node only writes).
 */
function analyse(fakes, key, ids, answers, limit, { requestsPerInvoice = TARGETS[key].requestsPerInvoice } = {}) {
	const t = TARGETS[key];
	const log = fakes.log.filter((r) => r.vendor === t.vendor);
	const api = log.filter((r) => r.path !== '/oauth2/token');
	const tokenCalls = log.filter((r) => r.path === '/oauth2/token');
	const outcomes = {};
	for (const a of answers) {
		const o = answerOutcome(a);
		outcomes[o] = (outcomes[o] || 0) + 1;
	}
	const unpaid = ids.filter((id) => fakes.state[t.vendor].get(id)?.status !== 'paid');
	const answeredOk = new Set(answers.filter((a) => answerOutcome(a) === 'reverted').map((a) => a.invoiceId));
	const failed = ids.filter((id) => !answeredOk.has(id) || fakes.state[t.vendor].get(id)?.status === 'paid');
	const writes = new Map(ids.map((id) => [t.writePath(id), 0]));
	for (const r of api) if (r.method === 'POST' && r.status >= 200 && r.status < 300 && writes.has(r.path)) writes.set(r.path, writes.get(r.path) + 1);
	const doubleWrites = [...writes.values()].filter((n) => n > 1).length;
	const missingWrites = [...writes.values()].filter((n) => n === 0).length;
	const win = limit ? windows(api, limit.windowMs) : [];
	const first = api.length ? api[0].at : 0;
	const lastWrite = api.filter((r) => r.method === 'POST' && r.status >= 200 && r.status < 300).reduce((m, r) => Math.max(m, r.at), first);
	const needed = ids.length * requestsPerInvoice;
	const minimumMs = limit ? (Math.ceil(needed / limit.limit) - 1) * limit.windowMs : 0;
	return {
		key,
		label: t.label,
		invoices: ids.length,
		failed: failed.length,
		failedIds: failed,
		outcomes,
		unpaid: unpaid.length,
		requests: api.length,
		tooMany: api.filter((r) => r.status === 429).length,
		windows: win.length,
		maxTooManyPerWindow: win.reduce((m, w) => Math.max(m, w.tooMany), 0),
		tooManyPerWindow: win.map((w) => w.tooMany),
		doubleWrites,
		missingWrites,
		tokenCalls: tokenCalls.length,
		tokenStatuses: tokenCalls.map((r) => r.status),
		lastRevertMs: lastWrite - first,
		minimumMs,
		needed,
	};
}

/**
 * "A few" 429s per window for a vendor that reports no quota (Qonto, Wethod): such a limit can
 * only be found by crossing it, so in the window where a process meets it first, the requests it
 * already had on their way meet it too; the pace's slow start keeps them to a fraction of the limit
 * (at most a third of it here). Once the window is learned, a few per window remain (at most 3):
 * the pace tries one request more now and then to find a limit that was raised. With several n8n
 * processes (queue-mode workers), each learns on its own: P processes may have P learning windows,
 * and P times as many per window. Unpaced, a burst gets a 429 for every request beyond the limit
 * in each window (about 30 per 6 s window at 30 per 6 s).
 *
 * Returns the windows (index and count) beyond those bounds; empty when the burst kept to them.
 */
const FEW_PER_WINDOW = 3;
function tooManyBeyondFew(perWindow, limit, processes = 1) {
	const learning = Math.ceil(limit.limit / 3) * processes;
	const steady = FEW_PER_WINDOW * processes;
	const above = perWindow.map((n, window) => ({ window, n })).filter((w) => w.n > steady);
	// the `processes` largest may be learning windows
	const learningWindows = [...above].sort((a, b) => b.n - a.n).slice(0, processes);
	return above.filter((w) => !learningWindows.includes(w) || w.n > learning);
}

/** One line of figures for the console. */
function summaryLine(f, { mode, limit, contender = 'Payment Revert' }) {
	const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
	const outcomes = Object.entries(f.outcomes)
		.map(([k, v]) => `${k} ${v}`)
		.join(', ');
	return (
		`[bursts, ${mode}] ${f.label}, ${contender}: ${f.invoices} webhook calls at once, ${limit ? `limit ${limit.limit}/${limit.windowMs / 1000} s` : 'no limit'} -> ` +
		`${f.failed} failed (${outcomes}); ${f.requests} requests, ${f.tooMany} answers 429 (per window: ${f.tooManyPerWindow.join(' ') || '-'}); ` +
		`${f.doubleWrites} double writes; ${f.unpaid}/${f.invoices} unpaid; token endpoint ${f.tokenCalls}×; ` +
		`last revert ${s(f.lastRevertMs)} after the first request, limit-bound minimum ${s(f.minimumMs)} (${f.needed} requests)`
	);
}

module.exports = { TARGETS, burstWorkflow, burstCredentials, httpCredentials, webhookPath, prepareFakes, fire, analyse, summaryLine, answerOutcome, windows, tooManyBeyondFew, FEW_PER_WINDOW };
