'use strict';
/**
 * `npm run bench`: the Payment Revert node against the raw-HTTP floor and n8n's HTTP Request node,
 * on the local vendor fakes (test/fakes/server.js), all in one run on this machine. Prints a table
 * per section and writes bench/results.md and bench/chart.svg.
 *
 *   node bench/run.js [--quick] [--reps N] [--skip-n8n] [--only overhead,latency,limited,n8n,bursts,memory]
 *
 * Sections 1-3 and 5 run the node inside n8n-core's real WorkflowExecute (test/harness/engine.ts,
 * transpiled on load); sections 4 and 6 run the packed package in a real n8n 2.41.1
 * (scripts/runtime.js), section 6 also in queue mode (scripts/lib/queue.js: PostgreSQL, Redis, a
 * main and two workers). `--only` runs the named sections and prints them without rewriting
 * bench/results.md and bench/chart.svg. Benchmarks are not tests: nothing here is part of `npm test`.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { summary, fmt } = require('./lib/stats');
const { chart } = require('./lib/chart');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const SKIP_N8N = args.includes('--skip-n8n');
const REPS = Number(args[args.indexOf('--reps') + 1]) || (QUICK ? 1 : 3);
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const runs = (section) => !ONLY || ONLY.includes(section);

/** Sizes; --quick shrinks everything for a smoke run (its figures are not meaningful). */
const SIZE = QUICK
	? { overhead: 100, latency: 100, latencyC1: 20, limited: 35, n8nLatency: 100, n8nLimited: 35, memory: 1000, burst: 35 }
	: { overhead: 1000, latency: 1000, latencyC1: 200, limited: 120, n8nLatency: 1000, n8nLimited: 120, memory: 10000, burst: 120 };
const LATENCY_MS = 50;
const LIMIT = { limit: 30, windowMs: 6000 };

const { FAKE_SECRETS, credentials: demoCredentials, fakesConfig } = require('../scripts/lib/demo-data');
// Temp folders of the real n8n runs (sections 4 and 6) are removed when the bench exits.
const { removeOnExit } = require('../scripts/lib/queue');

const contazenId = (n) => `sbill_bench${String(n).padStart(6, '0')}`;
const wethodId = (n) => String(500000 + n);
const ids = (n, of) => Array.from({ length: n }, (_, i) => of(i));

function credentialData(url) {
	return Object.fromEntries(demoCredentials(url).map((c) => [c.type, c.data]));
}

/** Resets the fakes: no rate limit, the given latency, `n` paid bills/invoices seeded. */
function prepare(fakes, { vendor = 'contazen', n, latencyMs = 0, rateLimit = null }) {
	fakes.reset();
	fakes.config.contazen.rateLimit = vendor === 'contazen' ? rateLimit : null;
	fakes.config.wethod.rateLimit = vendor === 'wethod' ? rateLimit : null;
	fakes.config[vendor].latencyMs = latencyMs;
	const list = ids(n, vendor === 'contazen' ? contazenId : wethodId);
	for (const id of list) fakes.seed(vendor, id);
	return list;
}

/** What the fakes saw: reverts applied (distinct IDs answered 2xx on the write), 429s, requests. */
function fakeCounts(fakes, vendor, list) {
	const log = fakes.log.filter((r) => r.vendor === vendor);
	const writes = log.filter((r) => r.method === 'POST');
	const done = new Set(writes.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.path.split('/').find((p) => list.includes(p.replace(/:.*$/, '')))?.replace(/:.*$/, '')));
	const times = log.map((r) => r.at);
	return {
		requests: log.length,
		tooMany: log.filter((r) => r.status === 429).length,
		failed: list.length - done.size,
		spanMs: times.length ? Math.max(...times) - Math.min(...times) : 0,
	};
}

let harness;
function loadHarness() {
	if (!harness) {
		require('./lib/ts');
		process.env.N8N_USER_FOLDER ??= fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-bench-'));
		process.env.N8N_LOG_LEVEL ??= 'silent';
		process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
		harness = require('../test/harness/engine.ts');
	}
	return harness;
}

/** The node in n8n-core's WorkflowExecute over `list`; returns { ms, output }. */
async function runHarness(url, vendor, list, options) {
	const { runNode } = loadHarness();
	const started = performance.now();
	const result = await runNode({
		parameters: { provider: vendor, operation: 'revertPayment', invoiceId: '={{ $json.invoiceId }}', options },
		items: list.map((invoiceId) => ({ invoiceId })),
		credentials: credentialData(url),
		onError: 'continueRegularOutput',
	});
	return { ms: performance.now() - started, output: result.output };
}

/** The request the node sent for one ID, replayed by the floor: same method, path, headers, body. */
function requestTemplate(fakes, vendor) {
	const entry = fakes.log.find((r) => r.vendor === vendor && r.method === 'POST');
	if (!entry) throw new Error('the node sent no write to copy');
	const headers = { ...entry.headers };
	for (const h of ['host', 'content-length', 'connection']) delete headers[h];
	return { method: entry.method, path: entry.path, body: entry.body, headers };
}

/** A bare axios loop: `concurrency` workers, each sending the node's request for the next ID. */
async function runFloor(url, vendor, list, template, concurrency) {
	const axios = require('axios');
	const prefix = `/${vendor}`; // the log's path is after the vendor prefix
	const [sample] = template.path.match(/sbill_bench\d+|\d{6}/) || [];
	let next = 0;
	const results = [];
	const started = performance.now();
	const worker = async () => {
		while (next < list.length) {
			const i = next++;
			const response = await axios({
				method: template.method,
				url: `${url}${prefix}${template.path.replace(sample, list[i])}`,
				headers: template.headers,
				data: template.body === null ? undefined : template.body,
				validateStatus: () => true,
				maxRedirects: 0,
			});
			results[i] = response.data;
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return { ms: performance.now() - started, results };
}

/** Runs `fn` REPS times, alternating with the other contenders by the caller. */
async function repeat(n, fn) {
	const out = [];
	for (let i = 0; i < n; i++) out.push(await fn(i));
	return out;
}

const report = { sections: [], chart: [] };
function table(title, note, head, rows) {
	report.sections.push({ title, note, head, rows });
	console.log(`\n## ${title}\n${note ? `${note}\n` : ''}`);
	console.log(`| ${head.join(' | ')} |`);
	for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

// ---------------------------------------------------------------------------------------------
// 1. Overhead

async function overhead(fakes) {
	const n = SIZE.overhead;
	// warm-up (JIT, module loading, keep-alive) and the request to copy
	let list = prepare(fakes, { n: 20 });
	await runHarness(fakes.url, 'contazen', list, { concurrency: 1 });
	const template = requestTemplate(fakes, 'contazen');
	list = prepare(fakes, { n: 20 });
	await runFloor(fakes.url, 'contazen', list, template, 1);

	const node = [];
	const floor = [];
	const ratio = [];
	for (let r = 0; r < REPS; r++) {
		list = prepare(fakes, { n });
		const f = await runFloor(fakes.url, 'contazen', list, template, 1);
		if (fakeCounts(fakes, 'contazen', list).failed) throw new Error('floor: not every revert applied');
		list = prepare(fakes, { n });
		const m = await runHarness(fakes.url, 'contazen', list, { concurrency: 1 });
		const c = fakeCounts(fakes, 'contazen', list);
		if (c.failed) throw new Error(`node: ${c.failed} reverts not applied`);
		floor.push(f.ms);
		node.push(m.ms);
		ratio.push(m.ms / f.ms);
	}
	const s = { node: summary(node), floor: summary(floor), ratio: summary(ratio) };
	table(
		'1. Overhead: node in n8n-core vs bare axios loop',
		`${n} Contazen reverts, fake latency 0, concurrency 1, ${REPS} runs each (median (min–max)). The floor replays the node's exact request (method, URL, headers, body) with axios, one at a time. Target: ratio ≤ 1.15.`,
		['', 'wall time (ms)', 'per revert (ms)', 'ratio to floor'],
		[
			['bare axios loop (floor)', fmt(s.floor, 0), (s.floor.median / n).toFixed(2), '1.00'],
			['Payment Revert, n8n-core engine', fmt(s.node, 0), (s.node.median / n).toFixed(2), fmt(s.ratio)],
		],
	);
	report.chart.push({ group: 'Overhead (latency 0, c=1)', label: 'node / axios floor', value: s.ratio.median, min: s.ratio.min, max: s.ratio.max, target: 1.15, better: 'lower' });
	return s;
}

// ---------------------------------------------------------------------------------------------
// 2. Latency-bound

async function latencyBound(fakes) {
	const rows = [];
	const out = {};
	let list = prepare(fakes, { n: 5 });
	await runHarness(fakes.url, 'contazen', list, { concurrency: 1 });
	const template = requestTemplate(fakes, 'contazen');
	for (const concurrency of [1, 5, 20]) {
		const n = concurrency === 1 ? SIZE.latencyC1 : SIZE.latency;
		const ideal = concurrency / (LATENCY_MS / 1000); // reverts per second
		const node = [];
		const floor = [];
		for (let r = 0; r < REPS; r++) {
			list = prepare(fakes, { n, latencyMs: LATENCY_MS });
			const f = await runFloor(fakes.url, 'contazen', list, template, concurrency);
			floor.push(n / (f.ms / 1000) / ideal);
			list = prepare(fakes, { n, latencyMs: LATENCY_MS });
			const m = await runHarness(fakes.url, 'contazen', list, { concurrency });
			const c = fakeCounts(fakes, 'contazen', list);
			if (c.failed) throw new Error(`node: ${c.failed} reverts not applied`);
			node.push(n / (m.ms / 1000) / ideal);
		}
		const sn = summary(node);
		const sf = summary(floor);
		out[concurrency] = { node: sn, floor: sf };
		rows.push([
			String(concurrency),
			String(n),
			ideal.toFixed(0),
			`${(sf.median * ideal).toFixed(1)}, ${fmt(summary(floor.map((x) => x * 100)), 1, ' %')}`,
			`${(sn.median * ideal).toFixed(1)}, ${fmt(summary(node.map((x) => x * 100)), 1, ' %')}`,
		]);
		report.chart.push({ group: `Latency 50 ms: share of ideal`, label: `node c=${concurrency}`, value: sn.median, min: sn.min, max: sn.max, target: concurrency === 20 ? 0.9 : undefined, better: 'higher' });
	}
	table(
		'2. Latency-bound: throughput vs ideal (concurrency ÷ latency)',
		`Contazen reverts (1 request each), fake latency ${LATENCY_MS} ms on every answer, ${REPS} runs each. Throughput in reverts/s, then the share of the ideal as median (min–max). Concurrency 1 uses ${SIZE.latencyC1} reverts instead of ${SIZE.latency} (the ideal alone is then ${(SIZE.latencyC1 * LATENCY_MS) / 1000} s; 1,000 would be 50 s a run). The floor is the same axios loop with that many workers. Target at concurrency 20: ≥ 90 %.`,
		['concurrency', 'reverts', 'ideal (/s)', 'axios floor: /s, share of ideal', 'Payment Revert: /s, share of ideal'],
		rows,
	);
	return out;
}

// ---------------------------------------------------------------------------------------------
// 3. Rate-limited

async function rateLimited(fakes) {
	const rows = [];
	const out = {};
	const cases = [
		{ vendor: 'contazen', label: 'Contazen (X-RateLimit-Remaining/Reset on every answer)', options: {} },
		{ vendor: 'wethod', label: "Wethod (429 with x-ratelimit-retry-after only)", options: { capturePreviousState: false } },
	];
	for (const k of cases) {
		const n = SIZE.limited;
		const minMs = (n * LIMIT.windowMs) / LIMIT.limit; // at the limit's average rate
		const ratios = [];
		const spans = [];
		const tooMany = [];
		const failed = [];
		for (let r = 0; r < REPS; r++) {
			const list = prepare(fakes, { vendor: k.vendor, n, rateLimit: LIMIT });
			const m = await runHarness(fakes.url, k.vendor, list, { ...k.options, maxRetryWaitSeconds: 60 });
			const c = fakeCounts(fakes, k.vendor, list);
			const notReverted = m.output.filter((i) => i.json.outcome !== 'reverted').length;
			ratios.push(minMs / m.ms);
			spans.push(m.ms / 1000);
			tooMany.push(c.tooMany);
			failed.push(Math.max(notReverted, c.failed));
		}
		const s = { throughput: summary(ratios), seconds: summary(spans), tooMany: summary(tooMany), failed: summary(failed) };
		out[k.vendor] = s;
		rows.push([k.label, String(n), (minMs / 1000).toFixed(1), fmt(s.seconds, 1), fmt(summary(ratios.map((x) => x * 100)), 1, ' %'), fmt(s.tooMany, 0), fmt(s.failed, 0)]);
		report.chart.push({ group: 'Rate limit 30/6 s: share of limit', label: `node ${k.vendor}`, value: s.throughput.median, min: s.throughput.min, max: s.throughput.max, target: 0.9, better: 'higher' });
	}
	table(
		'3. Rate-limited: time vs the theoretical minimum',
		`The fakes enforce a scaled-down limit of ${LIMIT.limit} requests per ${LIMIT.windowMs / 1000} s (fixed windows; Contazen's real one is 100 per minute), no latency, ${SIZE.limited} reverts, default node options (concurrency 5) with Max Retry Wait 60 s, ${REPS} runs each. Minimum = reverts ÷ the limit's average rate. Wethod runs with Capture Previous State off (1 request per revert, like Contazen; with it on, each revert also reads). Target: ≥ 90 % of the limit's throughput, 0 failed items.`,
		['vendor', 'reverts', 'minimum (s)', 'wall time (s)', 'share of limit throughput', '429 answers', 'failed items'],
		rows,
	);
	return out;
}

// ---------------------------------------------------------------------------------------------
// 4. Against the HTTP Request node in a real n8n 2.x

const HEADER_CRED = { id: 'benchHttpHeader1', name: 'Contazen header auth (bench)', type: 'httpHeaderAuth' };

function n8nWorkflows(url) {
	const { workflow, cred } = require('../test/e2e/workflows');
	const httpNode = (wfId, { batching, retry }) => ({
		id: `${wfId}-pr`,
		name: 'HTTP Request',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [660, 0],
		parameters: {
			method: 'POST',
			url: `=${url}/contazen/v1/supplier-bills/{{ $json.invoiceId }}/mark-unpaid`,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			options: batching ? { batching: { batch: batching } } : {},
		},
		credentials: { httpHeaderAuth: { id: HEADER_CRED.id, name: HEADER_CRED.name } },
		...(retry ? { retryOnFail: true, maxTries: retry.maxTries, waitBetweenTries: retry.waitBetweenTries } : {}),
	});
	const make = (id, n, kind) => {
		const list = ids(n, contazenId);
		if (kind.node === 'pr') return workflow({ id, provider: 'contazen', credential: cred('paymentRevertContazenApi'), ids: list, options: kind.options || {} });
		const wf = workflow({ id, provider: 'contazen', credential: cred('paymentRevertContazenApi'), ids: list });
		const node = httpNode(id, kind);
		wf.nodes = wf.nodes.map((x) => (x.name === 'Payment Revert' ? node : x));
		wf.connections.Split.main[0][0].node = node.name;
		wf.connections[node.name] = wf.connections['Payment Revert'];
		delete wf.connections['Payment Revert'];
		return wf;
	};
	return make;
}

async function versusHttpNode(fakes) {
	const { ensureLine } = require('../scripts/runtime');
	const { N8n, packPackage, freePort } = require('../scripts/lib/n8n');
	const runtime = await ensureLine(2);
	const n8n = new N8n({ runtime, home: removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-bench-bursts-'))), brokerPort: await freePort() });
	const tarball = await packPackage(fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-bench-pack-')));
	await n8n.installPackage(tarball);
	await n8n.importCredentials([...demoCredentials(fakes.url), { ...HEADER_CRED, data: { name: 'Authorization', value: `Bearer ${FAKE_SECRETS.contazenApiKey}` } }]);
	const make = n8nWorkflows(fakes.url);

	const contenders = [
		{ key: 'pr', label: 'Payment Revert, defaults (concurrency 5)', node: 'pr' },
		{ key: 'pr20', label: 'Payment Revert, concurrency 20', node: 'pr', options: { concurrency: 20 } },
		{ key: 'http', label: 'HTTP Request 4.2, default settings', node: 'http' },
		// "sensible": n8n's own batching defaults (50 items per 1 s) without a limit; under the limit,
		// 5 per 1 s (the limit's average rate) — plus retry on fail, 3 tries 5 s apart (n8n's maximum wait)
		{ key: 'httpTuned', label: 'HTTP Request 4.2, batching + retry on fail (3 tries, 5 s apart)', node: 'http', retry: { maxTries: 3, waitBetweenTries: 5000 } },
	];
	const scenarios = [
		{ key: 'latency', label: `${SIZE.n8nLatency} reverts, ${LATENCY_MS} ms latency, no limit`, n: SIZE.n8nLatency, latencyMs: LATENCY_MS, rateLimit: null, batching: { batchSize: 50, batchInterval: 1000 }, skip: [] },
		// concurrency 20 paces exactly like the default under a limit: not run there
		{ key: 'limited', label: `${SIZE.n8nLimited} reverts, limit ${LIMIT.limit}/${LIMIT.windowMs / 1000} s`, n: SIZE.n8nLimited, latencyMs: 0, rateLimit: LIMIT, batching: { batchSize: 5, batchInterval: 1000 }, skip: ['pr20'] },
	];
	const wfs = [];
	for (const s of scenarios) {
		s.contenders = contenders.filter((c) => !s.skip.includes(c.key)).map((c) => (c.retry ? { ...c, batching: s.batching, label: `HTTP Request 4.2, batching ${s.batching.batchSize} per ${s.batching.batchInterval / 1000} s + retry on fail (3 tries, 5 s apart)` } : c));
		s.first = wfs.length;
		for (const c of s.contenders) wfs.push(make(`bench${s.key === 'latency' ? 'Lat' : 'Lim'}${c.key.padEnd(9, '0')}`.slice(0, 16), s.n, c));
	}
	await n8n.importWorkflows(wfs);

	// warm-up, untimed: the first `n8n execute` of a user folder does more (and once printed no run)
	prepare(fakes, { n: SIZE.n8nLimited });
	await n8n.execute(wfs[scenarios[1].first + scenarios[1].contenders.findIndex((c) => c.key === 'http')].id);

	const results = {};
	for (const s of scenarios) {
		for (const c of s.contenders) results[`${s.key}:${c.key}`] = { ms: [], failed: [], tooMany: [], execMs: [] };
		for (let r = 0; r < REPS; r++) {
			for (const [ci, c] of s.contenders.entries()) {
				const wf = wfs[s.first + ci];
				const list = prepare(fakes, { n: s.n, latencyMs: s.latencyMs, rateLimit: s.rateLimit });
				const started = Date.now();
				const { run } = await n8n.execute(wf.id);
				const execMs = Date.now() - started;
				const nodeName = c.node === 'pr' ? 'Payment Revert' : 'HTTP Request';
				const task = run && run.data.resultData.runData[nodeName];
				const counts = fakeCounts(fakes, 'contazen', list);
				// no parsable run (seen once): the fakes' first to last request, plus one answer's latency
				const ms = task ? task.reduce((t, x) => t + (x.executionTime || 0), 0) : counts.spanMs + s.latencyMs;
				const res = results[`${s.key}:${c.key}`];
				res.ms.push(ms);
				res.execMs.push(execMs);
				res.failed.push(counts.failed);
				res.tooMany.push(counts.tooMany);
				console.log(`  [n8n 2.x] ${s.key} ${c.key} run ${r + 1}: node ${ms} ms, execute ${execMs} ms, ${counts.failed} not reverted, ${counts.tooMany} × 429, status ${run ? run.status : 'no run data printed: node time from the fakes log'}`);
			}
		}
	}
	n8n.cleanup();
	fs.rmSync(path.dirname(tarball), { recursive: true, force: true });

	const rows = [];
	const out = {};
	for (const s of scenarios) {
		const base = results[`${s.key}:http`];
		for (const c of s.contenders) {
			const res = results[`${s.key}:${c.key}`];
			const speedup = res.ms.map((ms, i) => base.ms[i] / ms);
			const st = { ms: summary(res.ms), exec: summary(res.execMs), failed: summary(res.failed), tooMany: summary(res.tooMany), speedup: summary(speedup) };
			out[`${s.key}:${c.key}`] = st;
			rows.push([s.label, c.label, fmt(summary(res.ms.map((x) => x / 1000)), 1), fmt(summary(res.execMs.map((x) => x / 1000)), 1), fmt(st.failed, 0), fmt(st.tooMany, 0), c.key === 'http' ? '1.00' : base.failed.some((f) => f > 0) ? 'n/a (the baseline failed items)' : fmt(st.speedup)]);
			if (s.key === 'latency' && c.key !== 'http') report.chart.push({ group: 'Real n8n 2.x, 50 ms: throughput vs HTTP Request default', label: c.key === 'pr' ? 'node default' : c.key === 'pr20' ? 'node c=20' : 'HTTP tuned', value: st.speedup.median, min: st.speedup.min, max: st.speedup.max, target: c.key === 'pr' ? 3 : undefined, better: 'higher' });
		}
	}
	table(
		'4. Against the HTTP Request node, real n8n 2.41.1',
		`Manual Trigger → Set → Split Out → the node, run with \`n8n execute\`, ${REPS} runs each, interleaved. "node time" is the revert node's own executionTime from the run data (what the comparison uses); "execute" is the whole \`n8n execute\` process, about 3 s of which is n8n starting. Failed items = invoices the fakes did not mark unpaid (with default settings a 429 stops the workflow, so all of its items count as failed). If \`n8n execute\` printed no parsable run data, that run's node time is the fakes' first-to-last request span plus one latency (the console log says so). HTTP Request 4.2 with default settings sends every item's request at once (no batching); "throughput vs HTTP default" = its node time ÷ this node time, per run.`,
		['scenario', 'node', 'node time (s)', 'execute (s)', 'failed items', '429 answers', 'throughput vs HTTP default'],
		rows,
	);
	return out;
}

// ---------------------------------------------------------------------------------------------
// 6. Webhook bursts: one execution per payment event, regular and queue mode

async function webhookBursts(fakes) {
	const { ensureLine } = require('../scripts/runtime');
	const { N8n, packPackage, freePort } = require('../scripts/lib/n8n');
	const { startQueue, createApiKey, publishWorkflows, track } = require('../scripts/lib/queue');
	const { TARGETS, burstWorkflow, burstCredentials, webhookPath, prepareFakes, fire, analyse, summaryLine } = require('../scripts/lib/bursts');
	const runtime = await ensureLine(2);
	const tarball = await packPackage(removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-bench-pack-'))));
	const n = SIZE.burst;
	// Payment Revert on every target; HTTP Request where a Header Auth credential can stand in
	// (not Qonto OAuth2)
	const contenders = Object.keys(TARGETS).flatMap((key) => ['node', ...(TARGETS[key].httpAuth ? ['http', 'httpRetry'] : [])].map((contender) => ({ key, contender })));
	const CONTENDER = { node: 'Payment Revert, defaults', http: 'HTTP Request 4.2, defaults', httpRetry: 'HTTP Request 4.2, Retry On Fail (3 tries, 1 s apart)' };
	const workflows = contenders.map((c) => burstWorkflow(c.key, c.contender, { url: fakes.url }));
	const oauth = burstCredentials(fakes.url).filter((c) => c.type === TARGETS.qontoOAuth2.credentialType);

	/** One round of every contender against a started n8n (`url`); `reimport` restores the expired OAuth2 token. */
	async function round(mode, url, reimport, results) {
		for (const c of contenders) {
			if (c.key === 'qontoOAuth2') await reimport(oauth);
			const ids = await prepareFakes(fakes, c.key, { invoices: n, limit: LIMIT });
			const answers = await fire(url, webhookPath(c.key, c.contender), ids);
			const f = analyse(fakes, c.key, ids, answers, LIMIT, c.contender === 'node' ? {} : { requestsPerInvoice: 1 });
			console.log(`  ${summaryLine(f, { mode, limit: LIMIT, contender: CONTENDER[c.contender] })}`);
			const id = `${mode}|${c.key}|${c.contender}`;
			results[id] ??= { mode, ...c, failed: [], tooMany: [], doubles: [], lastS: [], minimumS: f.minimumMs / 1000, maxPerWindow: [] };
			results[id].failed.push(f.failed);
			results[id].tooMany.push(f.tooMany);
			results[id].maxPerWindow.push(f.maxTooManyPerWindow);
			results[id].doubles.push(f.doubleWrites);
			results[id].lastS.push(f.lastRevertMs / 1000);
		}
	}

	const results = {};
	// regular mode: every execution in the one `n8n start` process
	const n8n = new N8n({ runtime, home: removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-bench-bursts-'))), brokerPort: await freePort() });
	await n8n.installPackage(tarball);
	await n8n.importCredentials(burstCredentials(fakes.url));
	await n8n.importWorkflows(workflows);
	const server = await n8n.start({ port: await freePort(), env: { N8N_RUNNERS_BROKER_PORT: String(await freePort()) }, onSpawn: track });
	try {
		const { RestClient } = require('../scripts/lib/n8n');
		const rest = new RestClient(server.url);
		await rest.setupOwner({ email: 'bench@example.com', password: 'PaymentRevert-bench-1' });
		await publishWorkflows(server.url, await createApiKey(rest), workflows.map((w) => w.id));
		for (const c of contenders) await server.waitForWebhook(webhookPath(c.key, c.contender));
		for (let r = 0; r < REPS; r++) await round('regular', server.url, (creds) => n8n.importCredentials(creds), results);
	} finally {
		await server.stop();
		n8n.cleanup();
	}
	// queue mode: a main and two workers (concurrency 10 each)
	const cluster = await startQueue({ runtime, tarball, workers: 2, concurrency: 10, credentials: burstCredentials(fakes.url), workflows, publish: workflows.map((w) => w.id) });
	try {
		for (const c of contenders) await cluster.main.server.waitForWebhook(webhookPath(c.key, c.contender));
		for (let r = 0; r < REPS; r++) await round('queue, 2 workers', cluster.url, (creds) => cluster.main.n8n.importCredentials(creds), results);
	} finally {
		await cluster.stop();
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}

	const rows = [];
	const out = {};
	for (const res of Object.values(results)) {
		const st = { failed: summary(res.failed), tooMany: summary(res.tooMany), maxPerWindow: summary(res.maxPerWindow), doubles: summary(res.doubles), last: summary(res.lastS) };
		out[`${res.mode}|${res.key}|${res.contender}`] = st;
		rows.push([res.mode, TARGETS[res.key].label, CONTENDER[res.contender], fmt(st.failed, 0), fmt(st.tooMany, 0), fmt(st.maxPerWindow, 0), fmt(st.doubles, 0), fmt(st.last, 1), res.minimumS.toFixed(1)]);
		if (res.contender === 'node') report.chart.push({ group: `Webhook bursts, ${n} events, ${LIMIT.limit}/${LIMIT.windowMs / 1000} s: reverted share`, label: `${res.mode === 'regular' ? 'regular' : 'queue'} ${res.key}`, value: 1 - st.failed.median / n, min: 1 - st.failed.max / n, max: 1 - st.failed.min / n, target: 1, better: 'higher' });
	}
	table(
		'6. Webhook bursts: one n8n execution per payment event',
		`${n} webhook calls at the same moment, one paid invoice each, to a Webhook (Respond: when last node finishes) → contender workflow, against the fakes enforcing ${LIMIT.limit} requests per ${LIMIT.windowMs / 1000} s for that vendor; real n8n 2.41.1 in regular mode (one \`n8n start\`) and in queue mode (PostgreSQL, Redis, a main and 2 workers, concurrency 10 each), ${REPS} runs each, median (min–max). Failed items = invoices not unpaid in the fakes, or whose webhook answer is not a revert. "429 per window, max" = the most 429s in one of the fakes' fixed windows. Double writes = invoices with more than one successful write. Last revert = from the first request to the last successful write; the limit-bound minimum is (⌈requests ÷ ${LIMIT.limit}⌉ − 1) × ${LIMIT.windowMs / 1000} s for the requests the node needs (2 per invoice for Qonto and Wethod at defaults: it reads, then writes; 1 for Contazen and for the HTTP Request node, which only writes). The HTTP Request node has no Qonto OAuth2 contender here (it would need its own OAuth2 credential).`,
		['mode', 'vendor', 'node', 'failed items', '429 answers', '429 per window, max', 'double writes', 'last revert (s)', 'limit-bound minimum (s)'],
		rows,
	);
	return out;
}

// ---------------------------------------------------------------------------------------------
// 5. Memory

function child(mode, url, n) {
	return new Promise((resolve, reject) => {
		const proc = spawn(process.execPath, [__filename, '--child-memory', mode, url, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
		let text = '';
		proc.stdout.on('data', (c) => (text += c));
		proc.on('error', reject);
		proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text.trim().split('\n').pop())) : reject(new Error(`memory child ${mode} exited ${code}`))));
	});
}

async function childMemory(mode, url, n) {
	const list = ids(n, contazenId);
	let template;
	if (mode === 'floor') {
		template = JSON.parse(process.env.BENCH_TEMPLATE);
		require('axios');
	} else {
		loadHarness();
	}
	global.gc?.();
	const idle = process.memoryUsage();
	let peakHeap = idle.heapUsed;
	let peakRss = idle.rss;
	const timer = setInterval(() => {
		const m = process.memoryUsage();
		peakHeap = Math.max(peakHeap, m.heapUsed);
		peakRss = Math.max(peakRss, m.rss);
	}, 10);
	const started = performance.now();
	let kept;
	if (mode === 'floor') kept = (await runFloor(url, 'contazen', list, template, 5)).results;
	else kept = (await runHarness(url, 'contazen', list, {})).output;
	const ms = performance.now() - started;
	clearInterval(timer);
	const m = process.memoryUsage();
	peakHeap = Math.max(peakHeap, m.heapUsed);
	peakRss = Math.max(peakRss, m.rss);
	process.stdout.write(`${JSON.stringify({ items: kept.length, ms, idleHeap: idle.heapUsed, idleRss: idle.rss, peakHeap, peakRss })}\n`);
	process.exit(0);
}

async function memory(fakes) {
	const n = SIZE.memory;
	let list = prepare(fakes, { n: 1 });
	await runHarness(fakes.url, 'contazen', list, {});
	process.env.BENCH_TEMPLATE = JSON.stringify(requestTemplate(fakes, 'contazen'));
	const res = { node: [], floor: [] };
	for (let r = 0; r < REPS; r++) {
		for (const mode of ['floor', 'node']) {
			list = prepare(fakes, { n });
			const m = await child(mode, fakes.url, n);
			if (m.items !== n) throw new Error(`${mode}: ${m.items} results for ${n} items`);
			res[mode].push(m);
		}
	}
	const MB = 1024 * 1024;
	const s = (mode, k) => summary(res[mode].map((m) => m[k] / MB));
	const ratio = (k) => summary(res.node.map((m, i) => m[k] / res.floor[i][k]));
	const growth = (mode, peak, idle) => summary(res[mode].map((m) => (m[peak] - m[idle]) / MB));
	const rows = [
		['bare axios loop, concurrency 5 (floor)', fmt(s('floor', 'idleHeap'), 0), fmt(s('floor', 'peakHeap'), 0), fmt(growth('floor', 'peakHeap', 'idleHeap'), 0), fmt(s('floor', 'peakRss'), 0), '1.00', '1.00'],
		['Payment Revert, n8n-core engine, defaults', fmt(s('node', 'idleHeap'), 0), fmt(s('node', 'peakHeap'), 0), fmt(growth('node', 'peakHeap', 'idleHeap'), 0), fmt(s('node', 'peakRss'), 0), fmt(ratio('peakHeap')), fmt(ratio('peakRss'))],
	];
	table(
		'5. Memory: 10,000 items',
		`${n} Contazen reverts, latency 0, each contender in its own fresh Node process (sampled every 10 ms), ${REPS} runs each; MB as median (min–max). "idle" is the process after loading its modules, before the run (n8n-core and n8n-workflow are loaded for the node, axios only for the floor). The floor keeps every response body, as the node keeps every output item.`,
		['', 'idle heap (MB)', 'peak heap (MB)', 'heap growth (MB)', 'peak RSS (MB)', 'peak heap ratio', 'peak RSS ratio'],
		rows,
	);
	report.chart.push({ group: '10,000 items: peak vs axios floor', label: 'heap ratio', value: ratio('peakHeap').median, min: ratio('peakHeap').min, max: ratio('peakHeap').max, better: 'lower' });
	report.chart.push({ group: '10,000 items: peak vs axios floor', label: 'RSS ratio', value: ratio('peakRss').median, min: ratio('peakRss').min, max: ratio('peakRss').max, better: 'lower' });
	return { heapRatio: ratio('peakHeap'), rssRatio: ratio('peakRss') };
}

// ---------------------------------------------------------------------------------------------

function machine() {
	const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0]?.model || 'unknown';
	return { nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length, cpu, node: process.version, date: new Date().toISOString(), os: `${os.type()} ${os.release()}`, memGb: (os.totalmem() / 1024 ** 3).toFixed(1) };
}

function writeResults(m, verdicts, startedAt) {
	const lines = [
		'# Benchmark results',
		'',
		`Generated by \`npm run bench\`${QUICK ? ' --quick (smoke run: sizes shrunk, figures not meaningful)' : ''} on ${m.date}, in ${((Date.now() - startedAt) / 60000).toFixed(1)} min.`,
		'',
		`Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.memGb} GB RAM, ${m.os}; Node ${m.node} for the bench, the fakes and n8n-core; real n8n 2.41.1 on Node 24 for sections 4 and 6 (section 6 in queue mode also runs PostgreSQL and Redis). Everything (fakes, node, n8n) shares these ${m.nproc} CPUs.`,
		'',
		'Every figure is a median over the repeated runs, with (min–max), and a ratio to a baseline measured in the same run.',
		'',
		'![Benchmark chart](chart.svg)',
		'',
		'## Targets',
		'',
		...verdicts.map((v) => `- ${v}`),
	];
	for (const s of report.sections) {
		lines.push('', `## ${s.title}`, '', s.note, '', `| ${s.head.join(' | ')} |`, `|${s.head.map(() => '---').join('|')}|`, ...s.rows.map((r) => `| ${r.join(' | ')} |`));
	}
	fs.writeFileSync(path.join(__dirname, 'results.md'), `${lines.join('\n')}\n`);
	fs.writeFileSync(path.join(__dirname, 'chart.svg'), chart(report.chart, `Payment Revert benchmark, ${m.nproc} CPUs, Node ${m.node}, ${m.date.slice(0, 10)}`));
}

async function main() {
	const startedAt = Date.now();
	const { startFakes } = require('../test/fakes/server');
	const fakes = await startFakes({ config: fakesConfig() });
	const m = machine();
	console.log(`Payment Revert benchmark: ${m.nproc} CPUs, ${m.cpu}, Node ${m.node}, ${REPS} runs per figure${QUICK ? ' (quick)' : ''}`);
	const verdicts = [];
	const pct = (x) => `${(x * 100).toFixed(1)} %`;

	if (runs('overhead')) {
		const o = await overhead(fakes);
		verdicts.push(`Overhead ≤ 1.15× the floor: **${o.ratio.median <= 1.15 ? 'met' : 'not met'}**, ${o.ratio.median.toFixed(2)}× (${o.ratio.min.toFixed(2)}–${o.ratio.max.toFixed(2)}).`);
	}
	if (runs('latency')) {
		const l = await latencyBound(fakes);
		verdicts.push(`≥ 90 % of ideal throughput at concurrency 20: **${l[20].node.median >= 0.9 ? 'met' : 'not met'}**, ${pct(l[20].node.median)} (the axios floor with 20 workers: ${pct(l[20].floor.median)}).`);
	}
	if (runs('limited')) {
		const r = await rateLimited(fakes);
		for (const [vendor, s] of Object.entries(r)) {
			verdicts.push(`${vendor}: ≥ 90 % of the enforced limit's throughput with 0 failed items: **${s.throughput.median >= 0.9 && s.failed.max === 0 ? 'met' : 'not met'}**, ${pct(s.throughput.median)}, ${s.failed.max} failed items at most, ${s.tooMany.median} answers 429 (median).`);
		}
	}
	if (SKIP_N8N) {
		verdicts.push('Sections 4 and 6 (real n8n) skipped with --skip-n8n.');
	} else if (runs('n8n')) {
		const v = await versusHttpNode(fakes);
		const sp = v['latency:pr'].speedup;
		verdicts.push(`≥ 3× the HTTP Request node's default throughput at 50 ms latency: **${sp.median >= 3 ? 'met' : 'not met'}**, ${sp.median.toFixed(2)}× with the node's defaults, ${v['latency:pr20'].speedup.median.toFixed(2)}× at concurrency 20.`);
		verdicts.push(`Under the limit in real n8n: Payment Revert ${v['limited:pr'].failed.max} failed items at most, HTTP Request default ${v['limited:http'].failed.median}, HTTP Request tuned ${v['limited:httpTuned'].failed.median} (medians).`);
	}
	if (runs('memory')) await memory(fakes);
	if (runs('bursts') && !SKIP_N8N) {
		const b = await webhookBursts(fakes);
		for (const mode of ['regular', 'queue, 2 workers']) {
			const of = (contender) => Object.entries(b).filter(([k]) => k.startsWith(`${mode}|`) && k.endsWith(`|${contender}`));
			const most = (list, field) => Math.max(...list.map(([, st]) => st[field].max));
			verdicts.push(`Webhook bursts (${SIZE.burst} events at once per vendor), ${mode}: 0 failed items and 0 double writes with Payment Revert: **${most(of('node'), 'failed') === 0 && most(of('node'), 'doubles') === 0 ? 'met' : 'not met'}**, at most ${most(of('node'), 'failed')} failed items and ${most(of('node'), 'tooMany')} answers 429 in a run of one vendor; HTTP Request at defaults at most ${most(of('http'), 'failed')} failed items, with Retry On Fail ${most(of('httpRetry'), 'failed')}.`);
		}
	}
	await fakes.close();
	console.log('\n## Targets');
	for (const v of verdicts) console.log(`- ${v}`);
	if (ONLY) {
		console.log(`\n--only ${ONLY.join(',')}: bench/results.md and bench/chart.svg left as they were (${((Date.now() - startedAt) / 60000).toFixed(1)} min).`);
	} else {
		writeResults(m, verdicts, startedAt);
		console.log(`\nWrote bench/results.md and bench/chart.svg (${((Date.now() - startedAt) / 60000).toFixed(1)} min).`);
	}
	process.exit(0); // n8n-core leaves keep-alive sockets open
}

if (args[0] === '--child-memory') {
	childMemory(args[1], args[2], Number(args[3])).catch((e) => {
		console.error(e);
		process.exit(1);
	});
} else {
	main().catch((e) => {
		console.error(e);
		process.exit(1);
	});
}
