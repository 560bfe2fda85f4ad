'use strict';
/**
 * n8n 2.x in queue mode on this machine, for the queue-mode tests (test/queue/) and the benchmark:
 * PostgreSQL (initdb into a temp folder) and Redis on free loopback ports, one `n8n start` main with
 * EXECUTIONS_MODE=queue and `n8n worker` processes, each n8n process with its own user folder and
 * the packed package installed in its ~/.n8n/nodes (workers load community packages from their own
 * folder), all sharing the database and N8N_ENCRYPTION_KEY.
 *
 * Debian's `postgresql` and `redis-server` packages are installed with apt-get when their programs
 * are missing and this runs as root. Every process started here is stopped by its PID (its process
 * group) in `stop()`, and on exit or on SIGINT/SIGTERM if `stop()` never ran.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { N8n, RestClient, freePort } = require('./n8n');
const { killGroup, run } = require('./spawn');

const log = (message) => process.stderr.write(`[queue] ${message}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- every child started here, killed by PID whatever happens ----------

/**
 * A watchdog process, told the process group of every child started here and stopped again (and
 * the temp folder of each cluster). When this process ends in any way (a test runner killed on its
 * timeout, Ctrl-C, a crash), the pipe to the watchdog closes and it kills the groups still listed,
 * then removes the folders. A signal handler cannot do this under
 * jest, whose tests see a copy of `process` that real signals never reach.
 */
const WATCHDOG = `
const groups = new Set();
const dirs = new Set();
let buffer = '';
process.stdin.on('data', (chunk) => {
	buffer += chunk;
	const lines = buffer.split('\\n');
	buffer = lines.pop();
	for (const line of lines) {
		const [op, value] = [line[0], line.slice(1)];
		if (op === '+') groups.add(Number(value));
		else if (op === '-') groups.delete(Number(value));
		else if (op === 'd') dirs.add(value);
		else if (op === 'x') dirs.delete(value);
	}
});
process.stdin.on('end', () => {
	for (const pgid of groups) {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {}
	}
	// what PostgreSQL wrote, once it is gone
	setTimeout(() => {
		for (const dir of dirs) require('node:fs').rmSync(dir, { recursive: true, force: true });
		process.exit(0);
	}, 1000);
});
`;

let watchdog;
const children = new Set();

function tell(line) {
	if (!watchdog) {
		watchdog = spawn(process.execPath, ['-e', WATCHDOG], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
		watchdog.unref();
		watchdog.stdin.on('error', () => {});
		watchdog.stdin.unref?.();
	}
	watchdog.stdin.write(`${line}\n`);
}

/** Keeps a detached child (its own process group) on the watchdog's list while it runs. */
function track(child) {
	if (children.has(child)) return child;
	children.add(child);
	tell(`+${child.pid}`);
	child.once('exit', () => {
		children.delete(child);
		killGroup(child, 'SIGKILL'); // anything it left behind in its group
		tell(`-${child.pid}`);
	});
	return child;
}

/** A folder the watchdog removes if this process ends before it does. */
function removeOnExit(dir) {
	tell(`d${dir}`);
	return dir;
}

function killAllNow() {
	for (const child of children) killGroup(child, 'SIGKILL');
}

/** Stops a detached child and its process group: `signal`, then SIGKILL after `graceMs`. */
function stopChild(child, signal = 'SIGTERM', graceMs = 15000) {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) {
			killGroup(child, 'SIGKILL'); // anything it left behind in its group
			return resolve();
		}
		const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
		child.once('exit', () => {
			clearTimeout(timer);
			killGroup(child, 'SIGKILL');
			resolve();
		});
		killGroup(child, signal);
	});
}

/** A long-running program in its own process group, output kept: { child, output(), exited() }. */
function launch(command, args, options = {}) {
	const child = track(spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
	const chunks = [];
	child.stdout.on('data', (c) => chunks.push(c));
	child.stderr.on('data', (c) => chunks.push(c));
	return { child, output: () => Buffer.concat(chunks).toString(), exited: () => child.exitCode !== null || child.signalCode !== null };
}

async function waitFor(what, check, { timeoutMs = 60000, process: proc } = {}) {
	const until = Date.now() + timeoutMs;
	for (;;) {
		if (proc && proc.exited()) throw new Error(`${what}: the process exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.output().slice(-4000)}`);
		try {
			if (await check()) return;
		} catch {
			// not yet
		}
		if (Date.now() > until) throw new Error(`${what}: not ready after ${timeoutMs} ms${proc ? `:\n${proc.output().slice(-4000)}` : ''}`);
		await sleep(250);
	}
}

// ---------- PostgreSQL and Redis ----------

const which = (program) => {
	const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : null;
};

/** The newest PostgreSQL server binaries: Debian keeps them out of PATH, in /usr/lib/postgresql/N/bin. */
function postgresBin() {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
	versions.sort((a, b) => Number(b) - Number(a));
	if (versions.length) return path.join(root, versions[0], 'bin');
	const initdb = which('initdb');
	return initdb ? path.dirname(initdb) : null;
}

const redisBin = () => which('redis-server') || (fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : null);

/** Installs Debian's postgresql and/or redis-server when their programs are missing (as root). */
async function ensureServices() {
	const missing = [];
	if (!postgresBin()) missing.push('postgresql');
	if (!redisBin()) missing.push('redis-server');
	if (missing.length === 0) return;
	if (process.getuid?.() !== 0 || !which('apt-get')) {
		throw new Error(`queue mode needs ${missing.join(' and ')}: install ${missing.length > 1 ? 'them' : 'it'} (Debian: apt-get install ${missing.join(' ')}) and run again`);
	}
	const started = Date.now();
	log(`installing ${missing.join(', ')} with apt-get (once)`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	await run('apt-get', ['update', '-qq'], { env, timeoutMs: 5 * 60000 });
	await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env, timeoutMs: 10 * 60000 });
	if (!postgresBin() || !redisBin()) throw new Error(`apt-get installed ${missing.join(', ')} but the programs are still missing`);
	log(`installed ${missing.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** uid/gid to run PostgreSQL as: it refuses root, so as root the `postgres` user the package made. */
function postgresUser() {
	if (process.getuid?.() !== 0) return {};
	const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
	if (!line) throw new Error('running as root but there is no postgres user to run PostgreSQL as (apt-get install postgresql creates it)');
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

/** A throwaway PostgreSQL: initdb into `dir`, trust auth for user n8n, loopback only. */
async function startPostgres(dir) {
	const bin = postgresBin();
	const user = postgresUser();
	const data = path.join(dir, 'data');
	fs.mkdirSync(dir, { recursive: true });
	if (user.uid !== undefined) fs.chownSync(dir, user.uid, user.gid);
	const env = { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' };
	await run(path.join(bin, 'initdb'), ['-D', data, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--no-sync'], { cwd: dir, env, ...user, timeoutMs: 120000 });
	const port = await freePort();
	const server = launch(
		path.join(bin, 'postgres'),
		// durability is not what a test database needs
		['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
		{ cwd: dir, env, ...user },
	);
	await waitFor('PostgreSQL', () => spawnSync(path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0, { process: server });
	await run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', 'n8n'], { env });
	return {
		port,
		env: { DB_TYPE: 'postgresdb', DB_POSTGRESDB_HOST: '127.0.0.1', DB_POSTGRESDB_PORT: String(port), DB_POSTGRESDB_DATABASE: 'n8n', DB_POSTGRESDB_USER: 'n8n', DB_POSTGRESDB_PASSWORD: 'n8n' },
		// SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for every client to leave)
		stop: () => stopChild(server.child, 'SIGINT'),
	};
}

function redisPing(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.setTimeout(1000);
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (d) => {
			socket.destroy();
			resolve(d.toString().startsWith('+PONG'));
		});
		socket.once('error', () => resolve(false));
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
	});
}

/** A throwaway Redis on loopback, nothing saved to disk. */
async function startRedis(dir) {
	fs.mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const server = launch(redisBin(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], { cwd: dir });
	await waitFor('Redis', () => redisPing(port), { process: server });
	return { port, env: { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) }, stop: () => stopChild(server.child) };
}

// ---------- n8n main and workers ----------

/** One n8n log's JSON records' messages (N8N_LOG_FORMAT=json), as plain strings. */
function messages(output) {
	const out = [];
	for (const line of output.split('\n')) {
		if (!line.startsWith('{')) continue;
		try {
			const record = JSON.parse(line);
			if (typeof record.message === 'string') out.push(record.message);
		} catch {
			// not a record
		}
	}
	return out;
}

/** Execution IDs a log line pattern names, e.g. /^Worker started execution (\d+)/. */
const executionIds = (output, re) => messages(output).map((m) => re.exec(m)?.[1]).filter(Boolean);

/**
 * Starts PostgreSQL, Redis, an n8n main in queue mode and `workers` n8n workers (concurrency
 * `concurrency` each), with `credentials` and `workflows` imported and `publish` published.
 * Returns { url, main, workers, addWorker(), rest(), executions(workflowId), stop() }.
 */
async function startQueue({ runtime, tarball, workers = 2, concurrency = 10, credentials = [], workflows = [], publish = [], env = {} }) {
	if (runtime.line !== 2) throw new Error('queue mode is set up for n8n 2.x only');
	await ensureServices();
	const t0 = Date.now();
	const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-queue-'));
	fs.chmodSync(work, 0o755); // PostgreSQL runs as its own user below it
	tell(`d${work}`);
	const started = [];
	const cluster = { work, workers: [], main: null };
	try {
		const pg = await startPostgres(path.join(work, 'postgres'));
		started.push(pg);
		const redis = await startRedis(path.join(work, 'redis'));
		started.push(redis);
		log(`PostgreSQL on 127.0.0.1:${pg.port}, Redis on 127.0.0.1:${redis.port} (${since()})`);
		const shared = {
			...pg.env,
			...redis.env,
			EXECUTIONS_MODE: 'queue',
			// worker readiness: /healthz/readiness on each worker's own port
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			...env,
		};
		const n8nProcess = async (name) => {
			const n8n = new N8n({ runtime, home: path.join(work, name), brokerPort: await freePort(), env: shared });
			fs.mkdirSync(n8n.home, { recursive: true });
			await n8n.installPackage(tarball);
			return n8n;
		};

		const main = await n8nProcess('main');
		if (credentials.length) await main.importCredentials(credentials);
		if (workflows.length) await main.importWorkflows(workflows);
		log(`credentials and ${workflows.length} workflows imported (${since()})`);

		const startWorker = async (index) => {
			const n8n = await n8nProcess(`worker${index}`);
			const healthPort = await freePort();
			const proc = launch(runtime.bin, ['worker', `--concurrency=${concurrency}`], { cwd: n8n.home, env: n8n.env({ QUEUE_HEALTH_CHECK_PORT: String(healthPort) }) });
			const worker = { name: `worker${index}`, n8n, proc, output: proc.output, stop: () => stopChild(proc.child) };
			cluster.workers.push(worker);
			await waitFor(
				`n8n worker ${index}`,
				async () => /n8n worker is now ready/.test(proc.output()) && (await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`)).status === 200,
				{ process: proc, timeoutMs: 180000 },
			);
			return worker;
		};

		const mainStart = main.start({ port: await freePort(), env: { QUEUE_HEALTH_CHECK_PORT: String(await freePort()) }, timeoutMs: 180000, onSpawn: track }).then((server) => {
			cluster.main = { n8n: main, server, output: server.output, stop: server.stop };
			return server;
		});
		// all settled before a failure is thrown: nothing may still be starting when it is cleaned up
		const results = await Promise.allSettled([mainStart, ...Array.from({ length: workers }, (_, i) => startWorker(i + 1))]);
		const failure = results.find((r) => r.status === 'rejected');
		if (failure) throw failure.reason;
		const server = results[0].value;
		log(`main on ${server.url} and ${workers} worker(s) ready (${since()})`);

		let rest;
		let apiKey;
		Object.assign(cluster, {
			url: server.url,
			addWorker: () => startWorker(cluster.workers.length + 1),
			/** A logged-in REST client (owner) for the main. */
			rest: async () => {
				if (!rest) {
					rest = new RestClient(server.url);
					await rest.setupOwner({ email: 'queue@example.com', password: 'PaymentRevert-queue-1' });
				}
				return rest;
			},
			/** The workflow's executions from the public API (`/api/v1/executions`), newest first. */
			executions: async (workflowId) => {
				if (!apiKey) apiKey = await createApiKey(await cluster.rest());
				return await listExecutions(server.url, apiKey, workflowId);
			},
			/** For each execution ID: which workers started and finished it, and whether the main enqueued it. */
			whereRan: (ids) => {
				const enqueued = new Set(executionIds(server.output(), /^Enqueued execution (\d+)/));
				return ids.map((id) => ({
					id: String(id),
					enqueued: enqueued.has(String(id)),
					startedOn: cluster.workers.filter((w) => executionIds(w.output(), /^Worker started execution (\d+)/).includes(String(id))).map((w) => w.name),
					finishedOn: cluster.workers.filter((w) => executionIds(w.output(), /^Worker finished execution (\d+)/).includes(String(id))).map((w) => w.name),
				}));
			},
			/** Publishes workflows through the public API (one `n8n publish:workflow` each would take seconds). */
			publish: async (ids) => {
				if (!apiKey) apiKey = await createApiKey(await cluster.rest());
				await publishWorkflows(server.url, apiKey, ids);
			},
			/** Stops one worker (SIGTERM: n8n finishes what it runs, then exits). */
			stopWorker: async (name) => {
				const worker = cluster.workers.find((w) => w.name === name);
				await worker.stop();
				worker.stopped = true;
			},
			/** Everything every n8n process printed (for secret scans). */
			allLogs: () => [main.allLogs(), server.output(), ...cluster.workers.map((w) => w.output())].join('\n'),
			stop: async () => {
				await Promise.all([cluster.main?.stop(), ...cluster.workers.map((w) => w.stop())]);
				for (const s of started.reverse()) await s.stop();
				killAllNow();
				fs.rmSync(work, { recursive: true, force: true });
				tell(`x${work}`);
			},
		});
		if (publish.length) {
			await cluster.publish(publish);
			log(`${publish.length} workflows published (${since()})`);
		}
		return cluster;
	} catch (error) {
		await Promise.all([cluster.main?.stop(), ...cluster.workers.map((w) => w.stop())]);
		for (const s of started.reverse()) await s.stop();
		killAllNow();
		fs.rmSync(work, { recursive: true, force: true });
		tell(`x${work}`);
		throw error;
	}
}

/** A public-API key for the logged-in owner, with every scope n8n offers. */
async function createApiKey(rest) {
	const scopes = await rest.request('GET', '/rest/api-keys/scopes');
	if (scopes.status !== 200) throw new Error(`GET /rest/api-keys/scopes: ${scopes.status} ${scopes.text}`);
	const created = await rest.request('POST', '/rest/api-keys', { label: `queue-${Date.now()}`, expiresAt: null, scopes: scopes.json.data });
	if (created.status !== 200) throw new Error(`POST /rest/api-keys: ${created.status} ${created.text}`);
	return created.json.data.rawApiKey;
}

/** Publishes (2.x; "activates" in 1.x) workflows through the public API. */
async function publishWorkflows(baseUrl, apiKey, ids) {
	for (const id of ids) {
		const response = await fetch(`${baseUrl}/api/v1/workflows/${id}/publish`, {
			method: 'POST',
			headers: { 'X-N8N-API-KEY': apiKey, 'content-type': 'application/json' },
			body: '{}',
		});
		if (response.status !== 200) throw new Error(`publishing ${id}: ${response.status} ${await response.text()}`);
	}
}

/** A workflow's executions from the public API, newest first. */
async function listExecutions(baseUrl, apiKey, workflowId) {
	const all = [];
	let cursor;
	do {
		const query = new URLSearchParams({ workflowId, limit: '250', ...(cursor ? { cursor } : {}) });
		const response = await fetch(`${baseUrl}/api/v1/executions?${query}`, { headers: { 'X-N8N-API-KEY': apiKey } });
		if (response.status !== 200) throw new Error(`GET /api/v1/executions: ${response.status} ${await response.text()}`);
		const page = await response.json();
		all.push(...page.data);
		cursor = page.nextCursor;
	} while (cursor);
	return all;
}

module.exports = { startQueue, removeOnExit, track, ensureServices, startPostgres, startRedis, createApiKey, publishWorkflows, listExecutions, messages, executionIds };
