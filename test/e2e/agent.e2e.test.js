'use strict';
/**
 * End to end in real n8n 2.x: an AI Agent with an OpenAI Chat Model whose credential's base URL is a
 * local fake of the chat-completions API (test/fakes/chat.js), and "Payment Revert Tool" (node
 * version 2, the packed package installed as a community package). The fake model calls the tool
 * with an invoice ID of its choosing, then answers. Asserts: the tool ran with that invoice; without
 * "Let the Agent Write" the invoice stays paid and the tool answered would_revert; with it, the
 * invoice is reverted; no secret reached the model (every request it got) or the run data. Also
 * imports the human-approval example (examples/ai-agent-revert-with-approval.json).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureLine } = require('../../scripts/runtime');
const { N8n, packPackage, freePort, NODE_TYPE, ROOT } = require('../../scripts/lib/n8n');
const { CREDENTIAL_IDS, FAKE_SECRETS, credentials, fakesConfig } = require('../../scripts/lib/demo-data');
const { startChatFake } = require('../fakes/chat');
const { startFakes } = require('../fakes/server');

const APPROVAL = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'ai-agent-revert-with-approval.json'), 'utf8'));
/** Invoices only the fake model knows of: it picks them, the workflows never name them. */
const READ_ONLY_PICK = '7301';
const WRITE_PICK = '7302';
const OPENAI_KEY = 'sk-local-fake-model-key-0001';
const OPENAI_CREDENTIAL = 'e2eOpenAiFake001';

/** Manual Trigger -> AI Agent, with the fake model and Payment Revert Tool (Wethod) plugged in. */
function agentWorkflow(id, toolParameters) {
	return {
		id,
		name: `e2e ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: `${id}-a`,
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3.1,
				position: [240, 0],
				parameters: { promptType: 'define', text: 'Invoice 7301 bounced: revert its payment.', options: {} },
			},
			{
				id: `${id}-m`,
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.2,
				position: [160, 220],
				parameters: { model: { __rl: true, mode: 'id', value: 'gpt-local-fake' }, options: {} },
				credentials: { openAiApi: { id: OPENAI_CREDENTIAL, name: 'Local fake model' } },
			},
			{
				id: `${id}-p`,
				name: 'Payment Revert Tool',
				type: `${NODE_TYPE}Tool`,
				typeVersion: 2,
				position: [400, 220],
				// No Invoice ID: the tool's default, the $fromAI placeholder the model fills.
				parameters: { provider: 'wethod', operation: 'revertPayment', options: {}, ...toolParameters },
				credentials: { paymentRevertWethodApi: { id: CREDENTIAL_IDS.paymentRevertWethodApi, name: 'Wethod (local fake)' } },
			},
		],
		connections: {
			Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Payment Revert Tool': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

const secretsIn = (text) => [...Object.values(FAKE_SECRETS), OPENAI_KEY].filter((s) => s.length >= 12 && text.includes(s));

describe('n8n 2.x: an AI Agent calls Payment Revert Tool (a local fake chat model)', () => {
	let fakes;
	let chat;
	let n8n;
	let work;

	beforeAll(async () => {
		work = fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-agent-'));
		const runtime = await ensureLine(2);
		const tarball = await packPackage(path.join(work, 'pack'));
		fakes = await startFakes({ config: fakesConfig() });
		for (const id of [READ_ONLY_PICK, WRITE_PICK]) fakes.seed('wethod', id, { payment_date: '2026-09-01' });
		chat = await startChatFake({ args: { invoiceId: READ_ONLY_PICK } });
		// Tool use by community nodes: 1.x needs this; 2.41.1 allows it without (it reads no such setting).
		n8n = new N8n({ runtime, home: path.join(work, 'home'), brokerPort: await freePort(), env: { N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true' } });
		fs.mkdirSync(n8n.home, { recursive: true });
		await n8n.installPackage(tarball);
		const openAi = { id: OPENAI_CREDENTIAL, name: 'Local fake model', type: 'openAiApi', data: { apiKey: OPENAI_KEY, url: chat.url } };
		await n8n.importCredentials([...credentials(fakes.url), openAi]);
		await n8n.importWorkflows([agentWorkflow('e2eAgentReadOnly', {}), agentWorkflow('e2eAgentMayWrite', { agentCanWrite: true }), APPROVAL]);
	}, 10 * 60 * 1000);

	afterAll(async () => {
		if (chat) await chat.close();
		if (fakes) await fakes.close();
		if (work) fs.rmSync(work, { recursive: true, force: true });
	});

	/** The run, the tool's answer(s) as n8n recorded them, and the model's requests of this run. */
	async function runAgent(id, invoiceId) {
		chat.choose({ invoiceId });
		const from = chat.requests.length;
		const { code, run, output } = await n8n.execute(id);
		if (!run) throw new Error(`no run printed:\n${output.slice(-3000)}`);
		const toolRuns = run.data.resultData.runData['Payment Revert Tool'] || [];
		// Per call: the arguments the tool got from the agent, and its items (what the model is sent back).
		const calls = toolRuns.map((r) => (r.inputOverride ? r.inputOverride.ai_tool[0].map((i) => i.json) : []));
		const answers = toolRuns.map((r) => (r.data && r.data.ai_tool ? r.data.ai_tool[0].map((i) => i.json) : r.error));
		return { code, run, output, calls, answers, requests: chat.requests.slice(from) };
	}

	test('without "Let the Agent Write": the tool ran with the model\'s invoice, answered would_revert, and the invoice stays paid', async () => {
		const { code, run, output, calls, answers, requests } = await runAgent('e2eAgentReadOnly', READ_ONLY_PICK);
		expect(code).toBe(0);
		expect(calls).toEqual([[{ invoiceId: READ_ONLY_PICK }]]);
		expect(answers).toHaveLength(1);
		expect(answers[0]).toEqual([expect.objectContaining({ provider: 'wethod', operation: 'revertPayment', invoiceId: READ_ONLY_PICK, outcome: 'would_revert', paid: true })]);
		expect(answers[0][0].message).toMatch(/Nothing was changed.*"Let the Agent Write"/);
		expect(answers[0][0]).not.toHaveProperty('invoice');
		expect(fakes.state.wethod.get(READ_ONLY_PICK)).toMatchObject({ status: 'paid' });
		expect(fakes.log.filter((r) => r.vendor === 'wethod' && r.method !== 'GET')).toEqual([]);
		// The model was offered the tool with its description and the $fromAI argument, then got the result.
		expect(requests).toHaveLength(2);
		const tool = requests[0].body.tools.find((t) => /Payment_Revert/i.test(t.function.name)).function;
		expect(tool.description).toMatch(/CHANGES an accounting record.*"Let the Agent Write"/);
		expect(Object.keys(tool.parameters.properties)).toEqual(['invoiceId']);
		expect(tool.parameters.properties.invoiceId.description).toMatch(/Wethod/);
		expect(JSON.stringify(requests[1].body.messages)).toContain('would_revert');
		expect(run.data.resultData.runData['AI Agent'][0].data.main[0][0].json.output).toContain('would_revert');
		expect(secretsIn(JSON.stringify(chat.requests.map((r) => r.body)))).toEqual([]);
		expect(secretsIn(JSON.stringify(run))).toEqual([]);
		expect(secretsIn(output)).toEqual([]);
	});

	test('with "Let the Agent Write" on: the invoice the model chose is reverted', async () => {
		const { code, run, output, calls, answers, requests } = await runAgent('e2eAgentMayWrite', WRITE_PICK);
		expect(code).toBe(0);
		expect(calls).toEqual([[{ invoiceId: WRITE_PICK }]]);
		expect(answers).toEqual([[expect.objectContaining({ invoiceId: WRITE_PICK, outcome: 'reverted', paid: false })]]);
		expect(fakes.state.wethod.get(WRITE_PICK)).toMatchObject({ status: 'sent', payment_date: null });
		expect(fakes.state.wethod.get(READ_ONLY_PICK)).toMatchObject({ status: 'paid' });
		const writes = fakes.log.filter((r) => r.vendor === 'wethod' && r.method !== 'GET');
		expect(writes.map((r) => r.path)).toEqual([`/api/invoices/${WRITE_PICK}:set-unpaid`]);
		expect(JSON.stringify(requests[1].body.messages)).toContain('reverted');
		expect(secretsIn(JSON.stringify(chat.requests.map((r) => r.body)))).toEqual([]);
		expect(secretsIn(JSON.stringify(run))).toEqual([]);
		expect(secretsIn(output)).toEqual([]);
	});

	test('the human-approval example imports, with the tool behind a human review', async () => {
		const listed = await n8n.cli(['export:workflow', `--id=${APPROVAL.id}`]);
		expect(listed.output).toContain(APPROVAL.name);
		const tool = APPROVAL.nodes.find((n) => n.type === `${NODE_TYPE}Tool` && n.parameters.operation === 'revertPayment');
		expect(tool.parameters.agentCanWrite).toBe(true);
		const review = APPROVAL.connections[tool.name].ai_tool[0][0].node;
		expect(APPROVAL.nodes.find((n) => n.name === review).type).toMatch(/HitlTool$/);
	});
});
