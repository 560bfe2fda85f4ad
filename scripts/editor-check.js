'use strict';
/**
 * npm run test:editor: the node in a real n8n editor, in a real browser.
 *
 * Builds and packs this package, starts n8n 2.41.1 (or 1.123.81 with --line 1; scripts/runtime.js) with the package installed
 * in ~/.n8n/nodes, the demo credentials and the example workflows imported, logs in with Debian's
 * Chromium driven by playwright-core, opens the Payment Revert node of the nightly reconciliation
 * example, switches the Provider to Qonto, Contazen and Wethod, and checks that the parameters and
 * the credential shown follow the provider. Then, in a workflow with a node of the current version (2),
 * it checks the operations offered per provider and opens the Invoice picker ("From List"): it must
 * list the paid invoices seeded in the fakes and narrow them by the search text. Then it runs a
 * Contazen revert from the editor and checks the node's execution hints in the output pane. Last, it opens
 * the AI agent example's Revert Payment tool: the "Let the Agent Write" switch, the Invoice the agent
 * fills ($fromAI) and the Tool Description. Screenshots go to
 * docs/ (shown in the README).
 *
 *   node scripts/editor-check.js [--line 2|1] [--out DIR]   (screenshots: docs/ for 2.x, a temp folder for 1.x)
 *
 * Chromium: CHROMIUM_PATH, else /usr/bin/chromium; when missing and running as root, it is
 * installed with apt-get (Debian's package "chromium"), otherwise the check stops and says how.
 * Prints one line per check and "Tests: N passed, M failed"; exits 1 on any failure.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('./runtime');
const { run } = require('./lib/spawn');
const { N8n, RestClient, packPackage, freePort, ROOT } = require('./lib/n8n');
const { SEEDS, CREDENTIAL_IDS, credentials, fakesConfig } = require('./lib/demo-data');
const { startFakes } = require('../test/fakes/server');

const args = process.argv.slice(2);
const LINE = Number(args.includes('--line') ? args[args.indexOf('--line') + 1] : 2);
// The README shows the 2.x screenshots (docs/); a 1.x run keeps its own out of the repo.
const OUT = args.includes('--out') ? path.resolve(args[args.indexOf('--out') + 1]) : LINE === 2 ? path.join(ROOT, 'docs') : path.join(os.tmpdir(), 'payment-revert-editor-n8n1');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Known to work here: no sandbox as root, and no background networking (the network is closed).
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OWNER = { email: 'editor-check@example.com', password: 'PaymentRevert-editor-1' };
const WORKFLOW = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'nightly-reconciliation-qonto.json'), 'utf8'));
const NODE = WORKFLOW.nodes.find((n) => n.name === 'Payment Revert');
const TIMEOUT_MS = 30000;

/**
 * A workflow with a Payment Revert node of the current version as the editor adds it (Invoice in
 * "From List" mode, nothing picked yet), on the demo's Qonto OAuth2 credential: its access token
 * is expired, so the picker's first search also goes through n8n's token refresh.
 */
const PICKER_WORKFLOW = {
	id: 'editorPicker0001',
	name: 'Editor check: invoice picker (node version 2)',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{ id: 'e1b2c3d4-0001-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'e1b2c3d4-0001-4000-8000-000000000002',
			name: 'Payment Revert',
			type: 'n8n-nodes-payment-revert.paymentRevert',
			typeVersion: 2,
			position: [220, 0],
			parameters: { provider: 'qonto', operation: 'revertPayment', invoiceId: { __rl: true, mode: 'list', value: '' }, options: {} },
			credentials: { paymentRevertQontoOAuth2Api: { id: CREDENTIAL_IDS.paymentRevertQontoOAuth2Api, name: 'Qonto OAuth2 (local fake)' } },
		},
	],
	connections: { Start: { main: [[{ node: 'Payment Revert', type: 'main', index: 0 }]] } },
	pinData: {},
};

/** A version-2 revert of the fakes' paid Contazen bill, run from the editor: its execution hints. */
const HINTS_WORKFLOW = {
	id: 'editorHints00001',
	name: 'Editor check: execution hints (node version 2)',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{ id: 'e1b2c3d4-0002-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'e1b2c3d4-0002-4000-8000-000000000002',
			name: 'Payment Revert',
			type: 'n8n-nodes-payment-revert.paymentRevert',
			typeVersion: 2,
			position: [220, 0],
			parameters: { provider: 'contazen', operation: 'revertPayment', invoiceId: { __rl: true, mode: 'id', value: 'sbill_demo0001' }, options: {} },
			credentials: { paymentRevertContazenApi: { id: CREDENTIAL_IDS.paymentRevertContazenApi, name: 'Contazen (local fake)' } },
		},
	],
	connections: { Start: { main: [[{ node: 'Payment Revert', type: 'main', index: 0 }]] } },
	pinData: {},
};
/** What the hints of that run say (nodes/PaymentRevert/hints.ts). */
const HINTS_SHOWN = [
	'Revert Payment: reverted 1 supplier bill',
	'1 item: Contazen documents no way to read a single supplier bill',
];

/** The picker's label of each paid Qonto invoice seeded in the fakes: "number · supplier · amount". */
const QONTO_PAID_LABELS = SEEDS.filter((s) => s.vendor === 'qonto' && (s.overrides.status ?? 'paid') === 'paid')
	.map(({ overrides: o }) => `${o.invoice_number} · ${o.supplier_name ?? 'ACME Supplies'} · ${Number(o.total_amount?.value ?? '120.50')} ${o.total_amount?.currency ?? 'EUR'}`)
	.sort();
/** Narrows the list to the one supplier whose name contains it. */
const PICKER_SEARCH = 'cloudhost';

/**
 * What the editor must show for each provider. n8n's editor never lists the Authentication
 * parameter: it is the "main auth field", chosen through the credential (Qonto's list offers both
 * Qonto credential types). The credential label names the type when there is only one.
 */
const PROVIDERS = [
	{ id: 'qonto', option: 'Qonto (Supplier Invoice)', label: /^Credential( to connect with)?$/, offered: ['Qonto API key (local fake): Qonto API', 'Qonto OAuth2 (local fake): Qonto OAuth2 API'], credential: 'Qonto OAuth2 (local fake)', shot: 'editor-qonto.png' },
	{ id: 'contazen', option: 'Contazen (Supplier Bill)', label: /^Credential for Contazen API$/, offered: ['Contazen (local fake): Contazen API'], credential: 'Contazen (local fake)', shot: 'editor-contazen.png' },
	{ id: 'wethod', option: 'Wethod (Invoice)', label: /^Credential for Wethod API$/, offered: ['Wethod (local fake): Wethod API'], credential: 'Wethod (local fake)', shot: 'editor-wethod.png' },
];

const say = (line = '') => process.stdout.write(`${line}\n`);
const results = [];

function check(name, ok, detail = '') {
	results.push({ name, ok });
	say(`  ${ok ? '✓' : '✕'} ${name}${ok || !detail ? '' : `\n      ${detail}`}`);
}

/** /usr/bin/chromium, installed from Debian's packages when missing and we may (root). */
async function ensureChromium() {
	if (fs.existsSync(CHROMIUM)) return CHROMIUM;
	if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${CHROMIUM} does not exist`);
	if (typeof process.getuid !== 'function' || process.getuid() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
		throw new Error(
			`Chromium is not installed (${CHROMIUM}). Install it first, e.g. "sudo apt-get install -y chromium" on Debian/Ubuntu, or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
		);
	}
	say(`Chromium is missing: installing Debian's "chromium" package with apt-get (once)`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	await run('apt-get', ['update'], { env, timeoutMs: 10 * 60000 });
	await run('apt-get', ['install', '-y', 'chromium'], { env, timeoutMs: 20 * 60000 });
	if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
	return CHROMIUM;
}

const inNdv = (testId) => `[data-test-id="ndv"] [data-test-id="${testId}"]`;

/** Text of every visible element with this data-test-id inside the node's panel. */
async function texts(page, testId) {
	return page.locator(`${inNdv(testId)}:visible`).allInnerTexts();
}

async function selectProvider(page, option) {
	await page.locator(inNdv('parameter-input-provider')).click();
	await page.locator('[data-test-id="parameter-input-item"]:visible', { hasText: option }).first().click();
	await page.waitForFunction(
		([selector, text]) => document.querySelector(selector)?.value === text,
		[`${inNdv('parameter-input-provider')} input`, option],
		{ timeout: TIMEOUT_MS },
	);
	await page.waitForTimeout(500); // parameters and credential re-render after the change
}

/** Opens the credential list: "name: credential type" of each one offered (not "Create new"). */
async function offeredCredentials(page) {
	await page.locator(inNdv('node-credentials-select')).click();
	const items = page.locator('[data-test-id^="node-credentials-select-item-"]:visible:not([data-test-id$="-new"])');
	await page.locator('[data-test-id="node-credentials-select-item-new"]:visible').waitFor();
	return (await items.allInnerTexts()).map((t) => t.trim().split(/\s*\n\s*/).join(': ')).sort();
}

async function selectedCredential(page) {
	return page.locator(`${inNdv('node-credentials-select')} input`).first().inputValue();
}

/** A screenshot of the node panel's parameter column (the input and output panes are empty here). */
async function shootParameters(page, name, height = 500) {
	await page.waitForTimeout(600); // let a closing dropdown fade out
	const ndv = await page.locator('[data-test-id="ndv"]').boundingBox();
	const params = await page.locator(inNdv('node-parameters')).boundingBox();
	const file = path.join(OUT, name);
	await page.screenshot({ path: file, clip: { x: params.x - 16, y: ndv.y, width: params.width + 32, height: Math.min(ndv.height, height) } });
	return file;
}

async function checkProvider(page, provider, shots) {
	say(provider.option);
	await selectProvider(page, provider.option);
	const labels = (await texts(page, 'parameter-item')).join(' | ');
	const credentialLabel = (await texts(page, 'credentials-label')).join(' ').trim();
	check('Provider, Operation, Invoice ID and Options listed', ['Provider', 'Operation', 'Invoice ID', 'Options'].every((l) => labels.includes(l)), labels);
	check('Authentication not listed as a parameter (chosen by the credential)', !/Authentication/.test(labels), labels);
	check(`credential label ${provider.label}`, provider.label.test(credentialLabel), `"${credentialLabel}"`);
	const offered = await offeredCredentials(page);
	check(`credentials offered: ${provider.offered.join(', ')}`, JSON.stringify(offered) === JSON.stringify(provider.offered), `offered: ${offered.join(', ')}`);
	await page.locator('[data-test-id^="node-credentials-select-item-"]:visible', { hasText: provider.credential }).first().click();
	const selected = await selectedCredential(page);
	check(`credential "${provider.credential}" selected`, selected === provider.credential, `selected: "${selected}"`);
	shots.push(await shootParameters(page, provider.shot));
}

/** Qonto: the new-credential dialog (OAuth2 with its redirect URL), then the API key credential. */
async function checkQontoCredentials(page, server, shots) {
	say('Qonto credentials');
	await page.locator(inNdv('node-credentials-select')).click();
	await page.locator('[data-test-id="node-credentials-select-item-new"]:visible').click();
	const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
	await dialog.waitFor();
	await page.waitForTimeout(500);
	const text = await dialog.innerText();
	check('new credential dialog: OAuth Redirect URL, Client ID, Client Secret, Environment', ['OAuth Redirect URL', 'In Qonto, use the URL above', 'Client ID', 'Client Secret', 'Environment'].every((t) => text.includes(t)), text.replace(/\s+/g, ' ').slice(0, 400));
	check('the redirect URL shown is <this n8n>/rest/oauth2-credential/callback', /https?:\/\/[^\s/]+\/rest\/oauth2-credential\/callback/.test(text), text.replace(/\s+/g, ' ').slice(0, 400));
	const file = path.join(OUT, 'credential-qonto-oauth2.png');
	await page.locator('[data-test-id="editCredential-modal"] .el-dialog').or(dialog).first().screenshot({ path: file });
	shots.push(file);
	await page.locator('[data-test-id="editCredential-modal"] button[aria-label="Close this dialog"], [data-test-id="editCredential-modal"] .el-dialog__headerbtn').first().click();
	// n8n asks "Close without connecting?"
	const confirm = page.locator('.el-message-box:visible button', { hasText: /^\s*Close\s*$/ });
	if (await confirm.count().catch(() => 0)) await confirm.first().click();
	else await page.waitForTimeout(300).then(() => confirm.first().click({ timeout: 3000 }).catch(() => {}));
	await dialog.waitFor({ state: 'hidden' });

	// choosing the API key credential switches Authentication to API Key (saved with the workflow)
	await offeredCredentials(page);
	await page.locator('[data-test-id^="node-credentials-select-item-"]:visible', { hasText: 'Qonto API key (local fake)' }).first().click();
	await page.locator('[data-test-id="ndv-close-button"], [data-test-id="back-to-canvas"]').first().click(); // 2.x, 1.x
	await page.keyboard.press('Control+s');
	const rest = new RestClient(server.url);
	await rest.setupOwner(OWNER);
	let node;
	for (let i = 0; i < 20; i++) {
		const { json } = await rest.request('GET', `/rest/workflows/${WORKFLOW.id}`);
		node = json.data.nodes.find((n) => n.name === NODE.name);
		if (node.parameters.authentication === 'apiKey') break;
		await page.waitForTimeout(250);
	}
	// (n8n leaves parameters at their default out of the saved workflow: Provider qonto is the default)
	check('choosing "Qonto API key" saves Authentication = apiKey with the paymentRevertQontoApi credential', (node.parameters.provider ?? 'qonto') === 'qonto' && node.parameters.authentication === 'apiKey' && Boolean(node.credentials.paymentRevertQontoApi), JSON.stringify({ parameters: node.parameters, credentials: node.credentials }));
}

/** The options the visible Operation dropdown offers (closed again by picking the current one). */
async function offeredOperations(page) {
	const input = page.locator(`${inNdv('parameter-input-operation')}:visible input`).first();
	const current = await input.inputValue();
	await page.locator(`${inNdv('parameter-input-operation')}:visible`).first().click();
	const items = page.locator('[data-test-id="parameter-input-item"]:visible');
	await items.first().waitFor();
	const names = (await items.allInnerTexts()).map((t) => t.trim().split(/\s*\n\s*/)[0]);
	await items.filter({ hasText: current }).first().click();
	await page.waitForTimeout(300);
	return names;
}

/** The names in the open Invoice list, once it has settled on a list that passes `until` (or timed out). */
async function pickerItems(page, until) {
	const items = page.locator('[data-test-id="rlc-item"]:visible');
	let names = [];
	for (let i = 0; i < TIMEOUT_MS / 250; i++) {
		names = (await items.allInnerTexts()).map((t) => t.trim().split(/\s*\n\s*/)[0]).sort();
		if (until(names)) break;
		await page.waitForTimeout(250);
	}
	return names;
}

/** The mode the resource locator shows (n8n names "From List" "From list"). */
async function modeShown(locator) {
	const selector = locator.locator('[data-test-id="rlc-mode-selector"]').first();
	const input = selector.locator('input');
	// 1.x: an <input> holds the mode; 2.x: the select shows it as text
	if (await input.count()) return (await input.first().inputValue()).trim();
	return (await selector.innerText()).trim();
}

/** Node version 2: operations per provider, and the Invoice picker listing the fakes' paid invoices. */
async function checkVersion2(page, server, shots) {
	say(`Workflow "${PICKER_WORKFLOW.name}"`);
	await page.goto(`${server.url}/workflow/${PICKER_WORKFLOW.id}`);
	const canvasNode = page.locator('[data-test-id="canvas-node"]', { hasText: 'Payment Revert' }).first();
	await canvasNode.waitFor();
	await page.waitForTimeout(1000);
	await canvasNode.dblclick();
	await page.locator(inNdv('parameter-input-provider')).waitFor();

	const qontoOps = await offeredOperations(page);
	check('Qonto (version 2): Operation offers Revert Payment, Get Payment Status, Mark as Paid and Get Many', ['Revert Payment', 'Get Payment Status', 'Mark as Paid', 'Get Many'].every((o) => qontoOps.includes(o)), `offered: ${qontoOps.join(', ')}`);

	const locator = page.locator(`${inNdv('resource-locator-invoiceId')}:visible`).first();
	const labels = (await texts(page, 'parameter-item')).join(' | ');
	check('Invoice is a resource locator, in "From List" mode', (await locator.count()) === 1 && /^from list$/i.test(await modeShown(locator)), labels);
	await locator.locator('[data-test-id="rlc-input"]').first().click();
	const all = await pickerItems(page, (names) => names.length >= QONTO_PAID_LABELS.length);
	check(`"From List" lists the fakes' paid Qonto invoices: ${QONTO_PAID_LABELS.join(', ')}`, JSON.stringify(all) === JSON.stringify(QONTO_PAID_LABELS), `listed: ${all.join(', ') || '(nothing)'}`);
	const file = path.join(OUT, 'editor-invoice-picker.png');
	const ndv = await page.locator('[data-test-id="ndv"]').boundingBox();
	const params = await page.locator(inNdv('node-parameters')).boundingBox();
	await page.screenshot({ path: file, clip: { x: params.x - 16, y: ndv.y, width: params.width + 32, height: Math.min(ndv.height, 560) } });
	shots.push(file);

	// the test id is on the search <input> itself in 2.x, on its wrapper in 1.x
	await page.locator('input[data-test-id="rlc-search"]:visible, [data-test-id="rlc-search"]:visible input').first().fill(PICKER_SEARCH);
	const wanted = QONTO_PAID_LABELS.filter((l) => l.toLowerCase().includes(PICKER_SEARCH));
	const narrowed = await pickerItems(page, (names) => JSON.stringify(names) === JSON.stringify(wanted));
	check(`searching "${PICKER_SEARCH}" narrows the list to ${wanted.join(', ')}`, wanted.length === 1 && JSON.stringify(narrowed) === JSON.stringify(wanted), `listed: ${narrowed.join(', ') || '(nothing)'}`);
	await page.locator('[data-test-id="rlc-item"]:visible').first().click();
	await page.waitForTimeout(300);
	const shown = await locator.locator('[data-test-id="rlc-input"]').first().inputValue();
	check('picking it shows its label in the Invoice field', shown === wanted[0], `shown: "${shown}"`);

	// saved: the invoice's ID in "From List" mode (the label is only what the editor shows)
	const picked = SEEDS.find((seed) => seed.vendor === 'qonto' && wanted[0].startsWith(`${seed.overrides.invoice_number} `));
	await page.locator('[data-test-id="ndv-close-button"], [data-test-id="back-to-canvas"]').first().click(); // 2.x, 1.x
	await page.keyboard.press('Control+s');
	const rest = new RestClient(server.url);
	await rest.setupOwner(OWNER);
	let saved;
	for (let i = 0; i < 20; i++) {
		const { json } = await rest.request('GET', `/rest/workflows/${PICKER_WORKFLOW.id}`);
		saved = json.data.nodes.find((n) => n.name === 'Payment Revert').parameters.invoiceId;
		if (saved?.value) break;
		await page.waitForTimeout(250);
	}
	check(`saved with the picked invoice's ID (${picked.id}) in "list" mode`, saved?.mode === 'list' && saved?.value === picked.id, JSON.stringify(saved));
	await canvasNode.dblclick();
	await page.locator(inNdv('parameter-input-provider')).waitFor();

	await selectProvider(page, 'Contazen (Supplier Bill)');
	const contazenOps = await offeredOperations(page);
	check('Contazen (version 2): Operation offers Revert Payment, Mark as Paid and Get Many, not Get Payment Status', ['Revert Payment', 'Mark as Paid', 'Get Many'].every((o) => contazenOps.includes(o)) && !contazenOps.includes('Get Payment Status'), `offered: ${contazenOps.join(', ')}`);
}

/** Runs the hints workflow from the editor and reads the Payment Revert node's output pane. */
async function checkHints(page, server, shots) {
	say(`Workflow "${HINTS_WORKFLOW.name}"`);
	await page.goto(`${server.url}/workflow/${HINTS_WORKFLOW.id}`);
	const canvasNode = page.locator('[data-test-id="canvas-node"]', { hasText: 'Payment Revert' }).first();
	await canvasNode.waitFor();
	await page.waitForTimeout(1000);
	await page.locator('[data-test-id="execute-workflow-button"]').first().click();
	// the run ends when the node shows its item count on the canvas
	await page.locator('[data-test-id="canvas-node"]', { hasText: 'Payment Revert' }).locator('[data-test-id="canvas-node-status-success"]').first().waitFor().catch(() => {});
	await page.waitForTimeout(1000);
	await canvasNode.dblclick();
	const output = page.locator('[data-test-id="ndv"] [data-test-id="output-panel"]').first();
	await output.waitFor();
	let text = '';
	for (let i = 0; i < TIMEOUT_MS / 250; i++) {
		text = (await output.innerText().catch(() => '')).replace(/\s+/g, ' ');
		if (HINTS_SHOWN.every((t) => text.includes(t))) break;
		await page.waitForTimeout(250);
	}
	check(`after a run from the editor, the output pane shows the hints: "${HINTS_SHOWN.join('", "')}"`, HINTS_SHOWN.every((t) => text.includes(t)), `output pane: ${text.slice(0, 400)}`);
	const file = path.join(OUT, 'editor-hints.png');
	await output.screenshot({ path: file });
	shots.push(file);
}

/** The AI agent example: its "Revert Payment" node is a Payment Revert Tool (node version 2). */
const AGENT_WORKFLOW = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'ai-agent-revert-with-approval.json'), 'utf8'));
const TOOL_NODE = AGENT_WORKFLOW.nodes.find((n) => n.name === 'Revert Payment');
/**
 * The tool's Invoice default for Wethod (tool.ts). n8n 2.41 shows it as the expression itself: its
 * "Defined automatically by the model" view is only for values it generated (with its own marker).
 */
const TOOL_INVOICE = `{{ $fromAI('invoiceId', "The ID of one invoice in Wethod (a number), e.g. 1042. Never an invoice number or an amount.", 'string') }}`;
const TOOL_DESCRIPTION_SAYS = ['This CHANGES an accounting record at the provider', 'Unless the workflow author turned on "Let the Agent Write"'];

/** The Revert Payment tool node: the author's switch, the Invoice the agent fills, the tool's description. */
async function checkTool(page, server, shots) {
	say(`Workflow "${AGENT_WORKFLOW.name}"`);
	await page.goto(`${server.url}/workflow/${AGENT_WORKFLOW.id}`);
	const canvasNode = page.locator('[data-test-id="canvas-node"]', { hasText: TOOL_NODE.name }).first();
	await canvasNode.waitFor();
	await page.waitForTimeout(1000);
	await canvasNode.dblclick();
	await page.locator(inNdv('parameter-input-provider')).waitFor();
	await page.waitForTimeout(500);
	const labels = (await texts(page, 'parameter-item')).join(' | ');

	const toggle = page.locator(`${inNdv('parameter-input-agentCanWrite')}:visible input[role="switch"]`);
	const on = (await toggle.count()) === 1 && (await toggle.first().getAttribute('aria-checked')) === 'true';
	check('the tool shows the "Let the Agent Write" switch, on as the example saves it', labels.includes('Let the Agent Write') && on, `${labels.replace(/\s+/g, ' ').slice(0, 300)}; switch on: ${on}`);

	const locator = page.locator(`${inNdv('resource-locator-invoiceId')}:visible`).first();
	const mode = (await locator.count()) ? await modeShown(locator) : '(no Invoice)';
	const invoice = (await locator.locator('[data-test-id="inline-expression-editor-input"]').first().innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
	const aiButton = await locator.locator('[data-test-id="from-ai-override-button"]').count();
	check(`the tool's Invoice is "By ID", filled by the agent: ${TOOL_INVOICE}`, mode === 'By ID' && invoice === TOOL_INVOICE && aiButton === 1, `mode: "${mode}", shown: "${invoice}", n8n's "let the model define" button: ${aiButton}`);

	const description = await page.locator(`${inNdv('parameter-input-toolDescription')}:visible textarea`).first().inputValue().catch(() => '');
	check(`the tool shows its Tool Description: "${TOOL_DESCRIPTION_SAYS.join('", "')}"`, labels.includes('Tool Description') && TOOL_DESCRIPTION_SAYS.every((t) => description.includes(t)), `description: "${description}"`);
	shots.push(await shootParameters(page, 'editor-tool.png', 660));
}

async function main() {
	const started = Date.now();
	say(`Editor check: the Payment Revert node in a real n8n ${LINE}.x editor, in Chromium`);
	const executablePath = await ensureChromium();
	const { chromium } = require('playwright-core');

	await run('npm', ['run', 'build', '--silent'], { cwd: ROOT });
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-editor-'));
	let fakes;
	let server;
	let browser;
	let page;
	const shots = [];
	try {
		const tarball = await packPackage(work);
		const runtime = await ensureLine(LINE);
		fakes = await startFakes({ config: fakesConfig() });
		for (const seed of SEEDS) fakes.seed(seed.vendor, seed.id, seed.overrides);
		const n8n = new N8n({ runtime, home: path.join(work, 'n8n-home'), brokerPort: await freePort() });
		fs.mkdirSync(n8n.home, { recursive: true });
		await n8n.installPackage(tarball);
		await n8n.importCredentials(credentials(fakes.url));
		const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
		await n8n.importWorkflows([...examples.map((f) => JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8'))), PICKER_WORKFLOW, HINTS_WORKFLOW]);
		server = await n8n.start({ port: await freePort(), env: { N8N_RUNNERS_BROKER_PORT: String(await freePort()) } });
		await new RestClient(server.url).setupOwner(OWNER);
		say(`n8n ${runtime.version} on ${server.url}, ${path.basename(tarball)} installed; Chromium ${executablePath}`);

		browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, timeout: TIMEOUT_MS });
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
		page = await context.newPage();
		page.setDefaultTimeout(TIMEOUT_MS);

		await page.goto(`${server.url}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"], input[type="email"]').first().fill(OWNER.email);
		await page.locator('input[type="password"]').first().fill(OWNER.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((url) => !/\/signin/.test(url.pathname));

		say(`Workflow "${WORKFLOW.name}"`);
		await page.goto(`${server.url}/workflow/${WORKFLOW.id}`);
		const canvasNode = page.locator('[data-test-id="canvas-node"]', { hasText: 'Payment Revert' }).first();
		await canvasNode.waitFor();
		await page.waitForTimeout(1000);
		fs.mkdirSync(OUT, { recursive: true });
		const canvasShot = path.join(OUT, 'workflow-nightly-reconciliation.png');
		await page.screenshot({ path: canvasShot });
		shots.push(canvasShot);
		const nodesShown = await page.locator('[data-test-id="canvas-node"]').count();
		check(`canvas shows the workflow's ${WORKFLOW.nodes.length} nodes`, nodesShown === WORKFLOW.nodes.length, `nodes on the canvas: ${nodesShown}`);

		await canvasNode.dblclick();
		await page.locator(inNdv('parameter-input-provider')).waitFor();
		check('the Payment Revert node opens', true);
		// start from the last provider so that selecting Qonto is a real change too
		for (const provider of [...PROVIDERS.slice(1), PROVIDERS[0]]) await checkProvider(page, provider, shots);
		await checkQontoCredentials(page, server, shots);
		await checkVersion2(page, server, shots);
		await checkHints(page, server, shots);
		await checkTool(page, server, shots);
	} catch (error) {
		check('editor check ran to the end', false, (error.stack || String(error)).split('\n').slice(0, 6).join('\n      '));
		if (page) {
			// what the page showed, to debug a changed editor
			const file = path.join(os.tmpdir(), 'payment-revert-editor-failure.png');
			await page.screenshot({ path: file }).catch(() => {});
			const ids = await page.$$eval('[data-test-id]', (els) => [...new Set(els.map((e) => e.getAttribute('data-test-id')))]).catch(() => []);
			say(`      page: ${page.url()}; screenshot ${file}\n      data-test-ids: ${ids.join(' ')}`);
		}
	} finally {
		if (browser) await browser.close().catch(() => {});
		if (server) await server.stop();
		if (fakes) await fakes.close();
		fs.rmSync(work, { recursive: true, force: true });
	}
	say();
	for (const file of shots) say(`screenshot: ${file.startsWith(ROOT) ? path.relative(ROOT, file) : file}`);
	const failed = results.filter((r) => !r.ok).length;
	say(`Tests: ${results.length - failed} passed, ${failed} failed, ${results.length} total (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	if (failed) process.exitCode = 1;
}

main().catch((error) => {
	console.error(error.stack || error.message);
	process.exit(1);
});
