'use strict';
/**
 * Drives a real n8n (from scripts/runtime.js) headless: one user folder with its own SQLite DB,
 * this package installed the way the Community Nodes panel installs it (the packed tarball in
 * ~/.n8n/nodes), credentials and workflows imported through the CLI, `n8n execute` runs parsed from
 * the JSON log, and `n8n start` for webhooks and the REST API. Used by the demo and the e2e suite.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { killGroup, spawnCollect } = require('./spawn');

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = require(path.join(ROOT, 'package.json')).name;
/** The node's type once installed as a community package. */
const NODE_TYPE = `${PACKAGE_NAME}.paymentRevert`;

/** `npm pack` of the built package into `dir`; returns the tarball path. */
async function packPackage(dir) {
	fs.mkdirSync(dir, { recursive: true });
	const { code, output } = await spawnCollect('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT });
	if (code !== 0) throw new Error(`npm pack failed:\n${output}`);
	const file = output.trim().split('\n').pop().trim();
	return path.join(dir, file);
}

/** The IRun printed by `n8n execute` (N8N_LOG_FORMAT=json): the log record holding data.resultData. */
function parseRun(text) {
	let run = null;
	for (const line of text.split('\n')) {
		if (!line.startsWith('{')) continue;
		let record;
		try {
			record = JSON.parse(line);
		} catch {
			continue;
		}
		if (typeof record.message !== 'string' || !record.message.startsWith('{')) continue;
		try {
			const candidate = JSON.parse(record.message);
			if (candidate && candidate.data && candidate.data.resultData) run = candidate;
		} catch {
			// another JSON-looking message
		}
	}
	return run;
}

/** Items of one output of a node in an IRun, as plain { json, pairedItem } objects. */
function nodeItems(run, nodeName, outputIndex = 0) {
	const task = run && run.data.resultData.runData[nodeName];
	if (!task || !task[0].data) return [];
	return (task[0].data.main[outputIndex] || []).map((i) => ({ json: i.json, pairedItem: i.pairedItem }));
}

/** A TCP port free right now on loopback (task-broker and HTTP ports must not collide). */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

async function get(url) {
	const response = await fetch(url);
	return { status: response.status, body: await response.text() };
}

class N8n {
	/**
	 * @param {object} o
	 * @param {object} o.runtime   from scripts/runtime.js ensureLine()
	 * @param {string} [o.home]    user folder (a new temp folder by default)
	 * @param {number} o.brokerPort task-broker port; must differ per concurrent n8n process
	 * @param {object} [o.env]     extra environment
	 */
	constructor({ runtime, home, brokerPort, env = {} }) {
		this.runtime = runtime;
		this.home = home || fs.mkdtempSync(path.join(os.tmpdir(), `payment-revert-n8n${runtime.line}-`));
		this.brokerPort = brokerPort;
		this.extraEnv = env;
		this.logs = [];
	}

	env(extra = {}) {
		const env = {
			...this.runtime.env,
			N8N_USER_FOLDER: this.home,
			N8N_ENCRYPTION_KEY: 'payment-revert-local-encryption-key',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_PYTHON_ENABLED: 'false',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_FORMAT: 'json',
			N8N_SECURE_COOKIE: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			...this.extraEnv,
			...extra,
		};
		// runtime.env has no inherited N8N_*/DB_*/NODE_ENV (under jest NODE_ENV=test would silence
		// n8n's logger, and the result with it); never set N8N_CUSTOM_EXTENSIONS empty either.
		return env;
	}

	async cli(args, { allowFail = false, timeoutMs } = {}) {
		const result = await spawnCollect(this.runtime.bin, args, { cwd: this.home, env: this.env(), timeoutMs: timeoutMs ?? 180000 });
		this.logs.push(result.output);
		if (result.code !== 0 && !allowFail) {
			throw new Error(`n8n ${args.join(' ')} exited ${result.code}:\n${result.output.slice(-4000)}`);
		}
		return result;
	}

	/** Installs the packed package into ~/.n8n/nodes, as n8n's community-package installer does. */
	async installPackage(tarball) {
		const nodes = path.join(this.home, '.n8n', 'nodes');
		fs.mkdirSync(nodes, { recursive: true });
		fs.writeFileSync(path.join(nodes, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
		const { code, output } = await spawnCollect(
			'npm',
			['install', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', tarball],
			{ cwd: nodes, env: this.runtime.env },
		);
		if (code !== 0) throw new Error(`installing ${tarball} failed:\n${output}`);
	}

	writeTemp(name, content) {
		const file = path.join(this.home, name);
		fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
		return file;
	}

	async importCredentials(credentials) {
		const { output } = await this.cli(['import:credentials', `--input=${this.writeTemp('credentials.json', credentials)}`]);
		// A crashed import still prints a line: check it said so.
		if (!/imported \d+ credential/i.test(output)) throw new Error(`import:credentials imported nothing:\n${output.slice(-1500)}`);
	}

	async importWorkflows(workflows) {
		const dir = path.join(this.home, 'workflows-import');
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir);
		for (const wf of workflows) fs.writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify(wf));
		const { output } = await this.cli(['import:workflow', '--separate', `--input=${dir}`]);
		if (!/imported \d+ workflow/i.test(output)) throw new Error(`import:workflow imported nothing:\n${output.slice(-3000)}`);
	}

	/** Makes a webhook workflow live: `publish:workflow` on 2.x, the `active` flag on 1.x. */
	async activate(id) {
		if (this.runtime.line === 2) await this.cli(['publish:workflow', `--id=${id}`]);
		else await this.cli(['update:workflow', `--id=${id}`, '--active=true']);
	}

	/** `n8n execute --id`: { code, run (IRun or null), output (the whole log) }. */
	async execute(id) {
		for (let attempt = 1; ; attempt++) {
			const { code, output } = await this.cli(['execute', `--id=${id}`, '--rawOutput'], { allowFail: true, timeoutMs: 120000 });
			const run = parseRun(output);
			if (code !== null) return { code, run, output };
			// Killed on the timeout. n8n's CLI now and then hangs (seen about once in a few hundred
			// executes of 2.x). After the run was printed, its exit code is the run's; before, once
			// more, saying so.
			if (run) return { code: run.data.resultData.error ? 1 : 0, run, output, hung: true };
			if (attempt === 2) return { code, run, output };
			console.warn(`n8n execute --id=${id} hung without printing a run; running it once more. Last lines:\n${output.slice(-1500)}`);
		}
	}

	/**
	 * `n8n start` on a port. Ready means its "Editor is now accessible" line: n8n 1.x answers
	 * /healthz/readiness before its routes and active webhooks exist.
	 */
	async start({ port, env = {}, timeoutMs = 90000, onSpawn } = {}) {
		const child = spawn(this.runtime.bin, ['start'], {
			detached: true,
			cwd: this.home,
			env: this.env({ N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_HOST: 'localhost', ...env }),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		onSpawn?.(child); // e.g. the queue-mode launcher's watchdog, which kills it if the caller dies
		const chunks = [];
		child.stdout.on('data', (c) => chunks.push(c));
		child.stderr.on('data', (c) => chunks.push(c));
		let exited = null;
		child.on('exit', (code) => (exited = code));
		const url = `http://127.0.0.1:${port}`;
		const started = Date.now();
		for (;;) {
			if (exited !== null) throw new Error(`n8n start exited ${exited}:\n${Buffer.concat(chunks).toString().slice(-4000)}`);
			if (Date.now() - started > timeoutMs) {
				killGroup(child);
				throw new Error(`n8n start not ready after ${timeoutMs} ms:\n${Buffer.concat(chunks).toString().slice(-4000)}`);
			}
			if (/Editor is now accessible via/.test(Buffer.concat(chunks).toString())) {
				try {
					if ((await get(`${url}/healthz/readiness`)).status === 200) break;
				} catch {
					// not listening yet
				}
			}
			await new Promise((r) => setTimeout(r, 300));
		}
		const server = {
			url,
			child,
			/**
			 * n8n 2.x registers published webhooks after it says it is ready (an outbox consumer):
			 * wait until a GET names the registered method instead of "not registered".
			 */
			waitForWebhook: async (webhookPath, waitMs = 30000) => {
				const until = Date.now() + waitMs;
				for (;;) {
					const { body } = await get(`${url}/webhook/${webhookPath}`);
					if (/not registered for GET/.test(body)) return;
					if (Date.now() > until) throw new Error(`webhook ${webhookPath} not registered after ${waitMs} ms: ${body.slice(0, 300)}`);
					await new Promise((r) => setTimeout(r, 250));
				}
			},
			output: () => Buffer.concat(chunks).toString(),
			stop: () =>
				new Promise((resolve) => {
					if (exited !== null) return resolve();
					const timer = setTimeout(() => killGroup(child), 15000);
					child.once('exit', () => {
						clearTimeout(timer);
						killGroup(child); // a task runner left behind
						this.logs.push(Buffer.concat(chunks).toString());
						resolve();
					});
					killGroup(child, 'SIGTERM');
				}),
		};
		return server;
	}

	/** Everything n8n printed so far (for secret scans). */
	allLogs() {
		return this.logs.join('\n');
	}

	cleanup() {
		fs.rmSync(this.home, { recursive: true, force: true });
	}
}

/** A tiny cookie-keeping JSON client for n8n's REST API (owner setup, login, credential tests). */
class RestClient {
	constructor(baseUrl) {
		this.baseUrl = baseUrl;
		this.cookie = '';
		this.browserId = 'payment-revert-e2e';
	}

	async request(method, pathname, body) {
		const response = await fetch(`${this.baseUrl}${pathname}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const auth = response.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		const text = await response.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: response.status, json, text };
	}

	/** Creates the instance owner (first call) and logs in as them. */
	async setupOwner({ email, password, firstName = 'Demo', lastName = 'Owner' }) {
		const setup = await this.request('POST', '/rest/owner/setup', { email, password, firstName, lastName });
		if (setup.status !== 200) {
			const login = await this.request('POST', '/rest/login', { emailOrLdapLoginId: email, email, password });
			if (login.status !== 200) throw new Error(`owner setup/login failed: ${setup.status} ${setup.text} / ${login.status} ${login.text}`);
		}
	}

	/** The editor's "Test" button: POST /rest/credentials/test. */
	async testCredential(credential) {
		const res = await this.request('POST', '/rest/credentials/test', { credentials: credential });
		if (res.status !== 200) throw new Error(`credential test HTTP ${res.status}: ${res.text}`);
		return res.json.data || res.json;
	}
}

module.exports = { N8n, RestClient, packPackage, parseRun, nodeItems, freePort, NODE_TYPE, ROOT };
