'use strict';
/**
 * npm run demo: the node in a real n8n, reverting payments on the local vendor fakes.
 *
 * Builds and packs this package, installs n8n 2.41.1 on Node 24 once (cached outside the repo, see
 * scripts/runtime.js), installs the package into a fresh n8n user folder the way the Community
 * Nodes panel does, imports one credential per type (pointing at the fakes) and the example
 * workflows in examples/, runs them with `n8n execute` and prints what happened to each invoice.
 *
 *   node scripts/demo.js [--editor] [--port 5678] [--line 2|1]
 *
 * --editor keeps n8n running with the editor on http://localhost:<port> (and the fakes behind it)
 * until Ctrl-C, with the example workflows and credentials in place.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('./runtime');
const { run } = require('./lib/spawn');
const { N8n, RestClient, packPackage, nodeItems, freePort, ROOT } = require('./lib/n8n');
const { SEEDS, credentials, fakesConfig } = require('./lib/demo-data');
const { startFakes } = require('../test/fakes/server');

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
	const i = args.indexOf(name);
	return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const EDITOR = flag('--editor');
const PORT = Number(option('--port', process.env.N8N_DEMO_PORT || 5678));
const LINE = Number(option('--line', 2));
const OWNER = { email: 'demo@example.com', password: 'PaymentRevert-demo-1' };
const BATCH_EXAMPLES = ['qonto-revert-bounced-transfers.json', 'contazen-revert-chargebacks.json', 'wethod-revert-wrong-invoice.json'];
const WEBHOOK_EXAMPLE = 'webhook-revert-wethod-invoice.json';

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (line = '') => process.stdout.write(`${line}\n`);

function step(text) {
	say(`[${elapsed().padStart(7)}] ${text}`);
}

function example(file) {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8'));
}

/** One line per invoice: what happened, in words. */
function describe(json, input) {
	const reason = input && input.reason ? `  (${input.reason})` : '';
	if (json.error) {
		const e = json.error;
		return `  ${String(e.invoiceId || (input && input.invoiceId) || '').padEnd(38)} FAILED ${e.category}: ${e.message}${reason}`;
	}
	const words = { reverted: 'reverted', already_unpaid: 'already unpaid, nothing changed', would_revert: 'would revert (dry run)' };
	const what = words[json.outcome] || String(json.outcome);
	const before = json.previous ? `${json.previous.status} -> ` : '';
	const extra = [json.invoiceNumber, ...(json.notes || [])].filter(Boolean).join('; ');
	return `  ${String(json.invoiceId).padEnd(38)} ${what.padEnd(32)} ${before}${json.status}  ${extra}${reason}`;
}

/** Runs one batch example with `n8n execute` and prints it; false when n8n did not run it through. */
async function runBatch(n8n, fakes, file) {
	const wf = example(file);
	const logStart = fakes.log.length;
	const t0 = Date.now();
	const { code, run, output } = await n8n.execute(wf.id);
	say();
	say(`${wf.name}  [n8n execute --id=${wf.id}: ${run ? run.status : 'no result'}, ${((Date.now() - t0) / 1000).toFixed(1)} s]`);
	const items = run ? nodeItems(run, 'Payment Revert') : [];
	if (!run || run.status !== 'success' || items.length === 0) {
		say(`  n8n did not run the workflow through (exit ${code}):`);
		say(output.slice(-2000));
		return false;
	}
	const inputs = nodeItems(run, 'One item per invoice').map((i) => i.json);
	for (const item of items) say(describe(item.json, inputs[item.pairedItem ? item.pairedItem.item : -1]));
	const calls = fakes.log.slice(logStart);
	if (calls.some((c) => c.path === '/oauth2/token')) {
		say('  (the stored OAuth2 access token had expired: n8n refreshed it at the fake token endpoint and retried)');
	}
	say(`  ${calls.length} API calls to the fake`);
	return true;
}

/** The webhook example under `n8n start`: the same payment event delivered twice. */
async function runWebhook(server) {
	const wf = example(WEBHOOK_EXAMPLE);
	await server.waitForWebhook('payment-reverted');
	say();
	say(`${wf.name}  [n8n start, POST /webhook/payment-reverted twice with {"invoiceId":"1044"}]`);
	let ok = true;
	for (const delivery of ['first delivery ', 'second delivery']) {
		const response = await fetch(`${server.url}/webhook/payment-reverted`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ invoiceId: '1044', event: 'payment.failed' }),
		});
		const text = await response.text();
		let body = {};
		try {
			body = JSON.parse(text);
		} catch {
			// reported below
		}
		if (response.status !== 200 || !(body.outcome || body.error)) {
			ok = false;
			say(`  ${delivery}: HTTP ${response.status} ${text.slice(0, 300)}`);
			continue;
		}
		say(`  ${delivery}: ${describe(body, null).trim()}`);
	}
	return ok;
}

async function main() {
	say('Payment Revert demo: a real n8n, this node, and local fakes of the Qonto, Contazen and Wethod APIs.');
	say('No vendor account is used; nothing leaves this machine except the one-time npm downloads.');
	say();
	step('building the package (npm run build) and packing it (npm pack)');
	await run('npm', ['run', 'build', '--silent'], { cwd: ROOT });
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-demo-'));
	let fakes;
	let server;
	const cleanup = async () => {
		if (server) await server.stop();
		if (fakes) await fakes.close();
		fs.rmSync(work, { recursive: true, force: true }); // holds the credentials file
	};
	try {
		const tarball = await packPackage(work);
		step(`getting n8n (line ${LINE}); the first run installs it from the npm registry, later runs reuse it`);
		const runtime = await ensureLine(LINE);

		fakes = await startFakes({ config: fakesConfig() });
		for (const seed of SEEDS) fakes.seed(seed.vendor, seed.id, seed.overrides);
		step(`vendor fakes listening on ${fakes.url}`);

		const n8n = new N8n({ runtime, home: path.join(work, 'n8n-home'), brokerPort: await freePort() });
		fs.mkdirSync(n8n.home, { recursive: true });
		await n8n.installPackage(tarball);
		await n8n.importCredentials(credentials(fakes.url));
		// every example, so that `--editor` shows them all (the nightly one is run by the e2e suite)
		const workflows = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json')).map(example);
		await n8n.importWorkflows(workflows);
		await n8n.activate(example(WEBHOOK_EXAMPLE).id);
		const version = (await n8n.cli(['--version'])).output.trim().split('\n').pop();
		step(`n8n ${version} ready: ${path.basename(tarball)} installed in ~/.n8n/nodes of a fresh user folder, 4 credentials and ${workflows.length} workflows imported`);

		let ok = true;
		for (const file of BATCH_EXAMPLES) ok = (await runBatch(n8n, fakes, file)) && ok;

		server = await n8n.start({ port: EDITOR ? PORT : await freePort(), env: { N8N_RUNNERS_BROKER_PORT: String(await freePort()) } });
		ok = (await runWebhook(server)) && ok;

		say();
		say('State in the fakes afterwards:');
		for (const vendor of ['qonto', 'contazen', 'wethod']) {
			const list = [...fakes.state[vendor].values()].map((i) => `${i.invoice_number || i.id}=${i.status}`);
			say(`  ${vendor.padEnd(9)} ${list.join(', ')}`);
		}
		say();
		step(ok ? 'done' : 'done, but n8n did not run every example through (see above)');
		if (!ok) process.exitCode = 1;

		if (!EDITOR) {
			say();
			say('Run `npm run demo -- --editor` to open these workflows in the n8n editor.');
			return await cleanup();
		}
		await new RestClient(server.url).setupOwner(OWNER);
		say();
		say(`n8n editor: http://localhost:${PORT}   (log in as ${OWNER.email} / ${OWNER.password}, a local demo login)`);
		say('Open a workflow and press "Execute workflow"; the fakes keep their state while this runs.');
		say(`Webhook: curl -X POST -H 'content-type: application/json' -d '{"invoiceId":"1044"}' http://localhost:${PORT}/webhook/payment-reverted`);
		say('Press Ctrl-C to stop n8n and the fakes.');
		const stop = () => cleanup().then(() => process.exit(0));
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
	} catch (error) {
		await cleanup().catch(() => {});
		throw error;
	}
}

main().catch((error) => {
	console.error(error.stack || error.message);
	process.exit(1);
});
