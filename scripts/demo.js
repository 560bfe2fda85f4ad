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
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('./runtime');
const { N8n, RestClient, packPackage, nodeItems, ROOT } = require('./lib/n8n');
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

function npm(scriptArgs) {
	return new Promise((resolve, reject) => {
		const child = spawn('npm', scriptArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		const out = [];
		child.stdout.on('data', (c) => out.push(c));
		child.stderr.on('data', (c) => out.push(c));
		child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${scriptArgs.join(' ')} failed:\n${Buffer.concat(out)}`))));
	});
}

function example(file) {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8'));
}

/** One line per invoice: what happened, in words. */
function describe(item, input) {
	const j = item.json;
	const reason = input && input.reason ? `  (${input.reason})` : '';
	if (j.error) {
		const e = j.error;
		return `  ${String(e.invoiceId || input?.invoiceId || '').padEnd(38)} FAILED ${e.category}: ${e.message}${reason}`;
	}
	const before = j.previous ? `${j.previous.status} -> ` : '';
	const what = { reverted: 'reverted', already_unpaid: 'already unpaid, nothing changed', would_revert: 'would revert (dry run)', status: 'status' }[j.outcome] || j.outcome;
	const extra = [j.invoiceNumber, ...(j.notes || [])].filter(Boolean).join('; ');
	return `  ${String(j.invoiceId).padEnd(38)} ${what.padEnd(32)} ${before}${j.status}  ${extra}${reason}`;
}

async function main() {
	say('Payment Revert demo: a real n8n, this node, and local fakes of the Qonto, Contazen and Wethod APIs.');
	say('No vendor account is used; nothing leaves this machine except the one-time npm downloads.');
	say();
	step('building the package (npm run build) and packing it (npm pack)');
	await npm(['run', 'build', '--silent']);
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-demo-'));
	const tarball = await packPackage(work);

	step(`getting n8n (line ${LINE}); the first run installs it from the npm registry, later runs reuse it`);
	const runtime = await ensureLine(LINE);

	const fakes = await startFakes({ config: fakesConfig() });
	for (const seed of SEEDS) fakes.seed(seed.vendor, seed.id, seed.overrides);
	step(`vendor fakes listening on ${fakes.url}`);

	const n8n = new N8n({ runtime, home: path.join(work, 'n8n-home'), brokerPort: 5691 });
	fs.mkdirSync(n8n.home, { recursive: true });
	await n8n.installPackage(tarball);
	await n8n.importCredentials(credentials(fakes.url));
	const workflows = [...BATCH_EXAMPLES, WEBHOOK_EXAMPLE].map(example);
	await n8n.importWorkflows(workflows);
	const version = (await n8n.cli(['--version'])).output.trim().split('\n').pop();
	step(`n8n ${version} ready: ${path.basename(tarball)} installed in ${n8n.home}/.n8n/nodes, 4 credentials and ${workflows.length} workflows imported`);

	let failures = 0;
	for (const file of BATCH_EXAMPLES) {
		const wf = example(file);
		const logStart = fakes.log.length;
		const t0 = Date.now();
		const { code, run, output } = await n8n.execute(wf.id);
		say();
		say(`${wf.name}  [n8n execute --id=${wf.id}: ${run ? run.status : 'no result'}, ${((Date.now() - t0) / 1000).toFixed(1)} s]`);
		if (!run) {
			failures += 1;
			say(`  n8n printed no result (exit ${code}):`);
			say(output.slice(-2000));
			continue;
		}
		const inputs = nodeItems(run, 'One item per invoice').map((i) => i.json);
		for (const item of nodeItems(run, 'Payment Revert')) {
			const index = item.pairedItem && typeof item.pairedItem.item === 'number' ? item.pairedItem.item : -1;
			say(describe(item, inputs[index]));
		}
		const calls = fakes.log.slice(logStart);
		if (calls.some((c) => c.path === '/oauth2/token')) {
			say('  (the stored OAuth2 access token had expired: n8n refreshed it at the fake token endpoint and retried)');
		}
		say(`  ${calls.length} API calls to the fake`);
	}

	say();
	say('State in the fakes afterwards:');
	for (const vendor of ['qonto', 'contazen', 'wethod']) {
		const list = [...fakes.state[vendor].values()].map((i) => `${i.invoice_number || i.id}=${i.status}`);
		say(`  ${vendor.padEnd(9)} ${list.join(', ')}`);
	}
	say();
	step('done');

	if (!EDITOR) {
		await fakes.close();
		fs.rmSync(work, { recursive: true, force: true });
		say();
		say('Run `npm run demo -- --editor` to open these workflows in the n8n editor.');
		process.exitCode = failures ? 1 : 0;
		return;
	}

	await n8n.activate(example(WEBHOOK_EXAMPLE).id);
	const server = await n8n.start({ port: PORT, env: { N8N_RUNNERS_BROKER_PORT: '5692' } });
	await new RestClient(server.url).setupOwner(OWNER);
	say();
	say(`n8n editor: http://localhost:${PORT}   (log in as ${OWNER.email} / ${OWNER.password})`);
	say('Open a workflow and press "Execute workflow"; the fakes keep their state while this runs.');
	say(`Webhook: curl -X POST -H 'content-type: application/json' -d '{"invoiceId":"1044"}' http://localhost:${PORT}/webhook/payment-reverted`);
	say('Press Ctrl-C to stop n8n and the fakes.');
	const stop = async () => {
		await server.stop();
		await fakes.close();
		fs.rmSync(work, { recursive: true, force: true });
		process.exit(0);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error.stack || error.message);
	process.exit(1);
});
