'use strict';
/**
 * A burst of executions in one process, in n8n-core's engine (test/harness/engine.ts): N executions
 * of one invoice each, all started at once on one saved credential (what N webhook calls do), at
 * the node's default options, against the local fakes enforcing a fixed-window limit. Prints, per
 * vendor: failed items, answers 429 (in all and per window of the limit), double writes, invoices
 * left paid, token refreshes, and the last revert against the limit-bound minimum.
 *
 *   node bench/burst-engine.js [--n 120] [--limit 30] [--window 6] [--max-wait 60]
 *                              [--vendors qonto,contazen,wethod,qonto-oauth2] [--fifo]
 *                              [--one-execution] [--json]
 *
 * --fifo: serve requests in the order they asked (the write after its read gets no precedence),
 * to compare. --one-execution: the same invoices as the items of one execution, to compare. Also usable as a function: `burst(fakes, { vendor, n, limit, windowMs, ... })`.
 * A measurement, not a test: nothing here is part of `npm test`.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { credentials: demoCredentials, fakesConfig } = require('../scripts/lib/demo-data');

const CASES = {
	qonto: { vendor: 'qonto', authentication: 'apiKey', requestsPerInvoice: 2, id: (n) => `00000000-0000-4000-9000-${String(n + 1).padStart(12, '0')}` },
	'qonto-oauth2': { vendor: 'qonto', authentication: 'oAuth2', requestsPerInvoice: 2, id: (n) => `00000000-0000-4000-9000-${String(n + 1).padStart(12, '0')}` },
	contazen: { vendor: 'contazen', authentication: undefined, requestsPerInvoice: 1, id: (n) => `sbill_burst${String(n).padStart(6, '0')}` },
	wethod: { vendor: 'wethod', authentication: undefined, requestsPerInvoice: 2, id: (n) => String(600000 + n) },
};

let harness;
function loadHarness() {
	if (!harness) {
		require('./lib/ts');
		process.env.N8N_USER_FOLDER ??= fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-burst-'));
		process.env.N8N_LOG_LEVEL ??= 'silent';
		process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
		harness = require('../test/harness/engine.ts');
	}
	return harness;
}

/** Serve in arrival order only: drop the follow-up flag the items pass to the transport. */
function useFifo() {
	loadHarness();
	const { Connection } = require('../nodes/PaymentRevert/transport/connection.ts');
	const send = Connection.prototype.send;
	Connection.prototype.send = function (ctx, spec, options) {
		return send.call(this, ctx, spec, options, false);
	};
}

const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

/**
 * One burst on a fresh credential (a fresh pace, as after a restart or 15 idle minutes).
 * Returns the figures; `fakes` is a running test/fakes/server.js.
 */
async function burst(fakes, { vendor: name, n = 120, limit = 30, windowMs = 6000, options = {}, oneExecution = false }) {
	const c = CASES[name];
	const { runNode, CredentialStore } = loadHarness();
	fakes.reset();
	for (const v of ['qonto', 'contazen', 'wethod']) fakes.config[v].rateLimit = v === c.vendor ? { limit, windowMs } : null;
	const ids = Array.from({ length: n }, (_, i) => c.id(i));
	for (const id of ids) fakes.seed(c.vendor, id);
	const store = new CredentialStore(Object.fromEntries(demoCredentials(fakes.url).map((x) => [x.type, x.data])));
	const parameters = {
		provider: c.vendor,
		...(c.authentication ? { authentication: c.authentication } : {}),
		operation: 'revertPayment',
		invoiceId: '={{ $json.id }}',
		options,
	};
	const started = Date.now();
	const results = oneExecution
		? (await runNode({ parameters, items: ids.map((id) => ({ id })), store, onError: 'continueRegularOutput' })).output.map((item) => ({ output: [item] }))
		: await Promise.all(ids.map(async (id) => await runNode({ parameters, items: [{ id }], store, onError: 'continueRegularOutput' })));
	const wall = Date.now() - started;

	const log = fakes.log.filter((r) => r.vendor === c.vendor);
	const api = log.filter((r) => !r.path.endsWith('/oauth2/token'));
	const segments = (r) => r.path.split(/[/:]/);
	const writesOk = (id) => api.filter((r) => r.method === 'POST' && segments(r).includes(id) && r.status !== null && r.status < 300);
	const outcomes = results.map((r) => r.output[0]?.json.outcome ?? `error:${r.output[0]?.json.error?.category}`);
	const failures = outcomes.filter((o) => o !== 'reverted');
	const first = Math.min(...api.map((r) => r.at));
	const revertTimes = ids.map((id) => writesOk(id)[0]?.at).filter((t) => t !== undefined).map((t) => t - first).sort((a, b) => a - b);
	const requests = n * c.requestsPerInvoice;
	const minimumMs = (Math.ceil(requests / limit) - 1) * windowMs;
	const tooMany = api.filter((r) => r.status === 429);
	// 429s per window of the limit, counted from the first request.
	const perWindow = Array.from({ length: Math.ceil((Math.max(...api.map((r) => r.at)) - first + 1) / windowMs) }, () => 0);
	for (const r of tooMany) perWindow[Math.floor((r.at - first) / windowMs)] += 1;
	const lastRevert = revertTimes[revertTimes.length - 1] ?? NaN;
	return {
		vendor: name,
		executions: n,
		requests: api.length,
		failed: failures.length,
		failures: [...new Set(failures)],
		tooMany: tooMany.length,
		tooManyPerWindow: perWindow,
		doubleWrites: ids.filter((id) => writesOk(id).length > 1).length,
		leftPaid: ids.filter((id) => fakes.state[c.vendor].get(id)?.status === 'paid').length,
		tokenRefreshes: log.filter((r) => r.path.endsWith('/oauth2/token')).length,
		medianRevertS: quantile(revertTimes, 0.5) / 1000,
		lastRevertS: lastRevert / 1000,
		minimumS: minimumMs / 1000,
		ratio: lastRevert / minimumMs,
		wallS: wall / 1000,
	};
}

function arg(name, fallback) {
	const i = process.argv.indexOf(`--${name}`);
	return i === -1 ? fallback : process.argv[i + 1];
}

async function main() {
	const n = Number(arg('n', 120));
	const limit = Number(arg('limit', 30));
	const windowMs = Number(arg('window', 6)) * 1000;
	const maxWait = Number(arg('max-wait', 60));
	const vendors = arg('vendors', 'qonto,contazen,wethod,qonto-oauth2').split(',');
	const oneExecution = process.argv.includes('--one-execution');
	if (process.argv.includes('--fifo')) useFifo();
	const { startFakes } = require('../test/fakes/server');
	const fakes = await startFakes({ config: fakesConfig() });
	const rows = [];
	for (const vendor of vendors) {
		const r = await burst(fakes, { vendor, n, limit, windowMs, oneExecution, options: maxWait === 60 ? {} : { maxRetryWaitSeconds: maxWait } });
		rows.push(r);
		if (process.argv.includes('--json')) console.log(JSON.stringify(r));
	}
	await fakes.close();
	console.log(`\n${oneExecution ? `1 execution of ${n} invoices` : `${n} executions of 1 invoice at once`}, limit ${limit} per ${windowMs / 1000} s, Max Retry Wait ${maxWait} s${process.argv.includes('--fifo') ? ', FIFO' : ''}, n8n-core ${require('n8n-core/package.json').version}\n`);
	console.log('| vendor | requests | failed | 429 (per window) | double writes | left paid | token calls | median revert (s) | last revert (s) | minimum (s) | ratio |');
	console.log('|---|---|---|---|---|---|---|---|---|---|---|');
	for (const r of rows) {
		console.log(`| ${r.vendor} | ${r.requests} | ${r.failed}${r.failed ? ` ${r.failures.join(' ')}` : ''} | ${r.tooMany} (${r.tooManyPerWindow.join(',')}) | ${r.doubleWrites} | ${r.leftPaid} | ${r.tokenRefreshes} | ${r.medianRevertS.toFixed(1)} | ${r.lastRevertS.toFixed(1)} | ${r.minimumS.toFixed(0)} | ${r.ratio.toFixed(3)} |`);
	}
	process.exit(0); // n8n-core leaves keep-alive sockets open
}

module.exports = { burst, useFifo, CASES };

if (require.main === module) {
	main().catch((e) => {
		console.error(e);
		process.exit(1);
	});
}
