'use strict';
/**
 * The real n8n runtimes the demo and the e2e suite run in, installed once from the npm registry and
 * cached outside the repo (PAYMENT_REVERT_RT, default ~/.cache/payment-revert-rt):
 *
 *   line 2: n8n 2.41.1 on Node 24 (node-<platform>-<arch>@24.21.0 from npm, since n8n 2 refuses Node 20)
 *   line 1: n8n 1.123.81 on the Node running this script (20 or newer)
 *
 * Why the install looks the way it does (README: "Why the runtime install looks unusual"): the registry lacks some
 * pinned transitive versions (overrides + the committed lockfiles in scripts/runtime/), native
 * builds cannot download anything (--ignore-scripts, then rebuild only sqlite3), and n8n 1.x on
 * Node 20 needs the legacy expression engine.
 *
 *   node scripts/runtime.js [2] [1]     install what is missing, print where it is
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { run } = require('./lib/spawn');

const RT = process.env.PAYMENT_REVERT_RT || path.join(os.homedir(), '.cache', 'payment-revert-rt');
const NODE24_VERSION = '24.21.0';
const LINES = {
	2: { n8n: '2.41.1', node: 24 },
	1: { n8n: '1.123.81', node: 20 },
};

function log(message) {
	process.stderr.write(`[runtime] ${message}\n`);
}

function lockHolderGone(lock) {
	let pid = 0;
	try {
		pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
	} catch {
		// the holder may be between mkdir and writing its pid: only a lock older than a minute is stale
		return Date.now() - fs.statSync(lock).mtimeMs > 60000;
	}
	try {
		process.kill(pid, 0);
		return false;
	} catch (error) {
		return error.code === 'ESRCH';
	}
}

/** One installer at a time per folder: the demo and the e2e suite may start together. */
async function withLock(name, fn) {
	fs.mkdirSync(RT, { recursive: true });
	const lock = path.join(RT, `${name}.lock`);
	for (;;) {
		try {
			fs.mkdirSync(lock);
			const tmp = path.join(lock, `pid.${process.pid}`);
			fs.writeFileSync(tmp, String(process.pid));
			fs.renameSync(tmp, path.join(lock, 'pid'));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			let gone = false;
			try {
				gone = lockHolderGone(lock);
			} catch {
				continue; // released meanwhile
			}
			if (gone) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			log(`waiting for another install of ${name} (${lock})`);
			await new Promise((r) => setTimeout(r, 5000));
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

function node24Package() {
	const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
	if (!platform) throw new Error(`No Node 24 package on npm for ${process.platform}`);
	return `node-${platform}-${process.arch}`;
}

/** A Node 24 binary folder, or null when the running Node is already 24 or newer. */
async function ensureNode24() {
	if (Number(process.versions.node.split('.')[0]) >= 24) return null;
	const dir = path.join(RT, 'node24');
	const home = path.join(dir, 'node_modules', node24Package());
	const bin = path.join(home, process.platform === 'win32' ? '' : 'bin');
	const ready = () => {
		const result = spawnSync(path.join(bin, 'node'), ['-v'], { encoding: 'utf8' });
		return result.status === 0 && result.stdout.trim() === `v${NODE24_VERSION}`;
	};
	if (ready()) return { home, bin };
	await withLock('node24', async () => {
		if (ready()) return;
		log(`installing Node ${NODE24_VERSION} from the npm registry into ${dir} (about 10 s, once)`);
		fs.mkdirSync(dir, { recursive: true });
		await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `${node24Package()}@${NODE24_VERSION}`]);
	});
	return { home, bin };
}

/** Headers for node-gyp: the running Node's own (node-gyp would otherwise download them). */
function localNodeDir() {
	const prefix = path.resolve(process.execPath, '..', '..');
	return fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

/** Environment for running npm and n8n of this line. */
function lineEnv(line, node24) {
	// Not what `npm run` exported for this package (ignore-scripts from .npmrc would stop the
	// sqlite3 build), nor the caller's n8n or database settings (they could point at a real DB).
	const inherited = /^(npm_|N8N_|DB_)|^(NODE|NODE_ENV|INIT_CWD)$/i;
	const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !inherited.test(k)));
	// and npm's own PATH entries (the project's node_modules/.bin, npm's node-gyp shim)
	env.PATH = (env.PATH || '')
		.split(path.delimiter)
		.filter((dir) => !/node_modules[\\/](\.bin|npm[\\/])/.test(dir))
		.join(path.delimiter);
	const nodeDir = node24 ? node24.home : localNodeDir();
	if (nodeDir) env.npm_config_nodedir = nodeDir;
	if (line === 2 && node24) env.PATH = `${node24.bin}${path.delimiter}${env.PATH}`;
	if (line === 1) {
		// isolated-vm (the default "vm" expression engine) cannot load on Node 20
		env.N8N_EXPRESSION_ENGINE = 'legacy';
		env.N8N_RUNNERS_ENABLED = 'false';
	}
	return env;
}

/** n8n of that version is there and sqlite3 (built last) loads in the Node that will run it. */
function n8nReady(dir, version, env) {
	try {
		const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8'));
		if (pkg.version !== version) return false;
	} catch {
		return false;
	}
	const probe = spawnSync('node', ['-e', 'require(process.argv[1])', path.join(dir, 'node_modules', 'sqlite3')], { env, encoding: 'utf8' });
	return probe.status === 0;
}

/**
 * Installs n8n of the given line if needed and returns how to run it:
 * { line, version, dir, bin, env } where `env` has PATH (Node 24 for line 2) and the engine flags.
 */
async function ensureLine(line) {
	line = Number(line);
	const spec = LINES[line];
	if (!spec) throw new Error(`unknown n8n line ${line} (use 1 or 2)`);
	const node24 = line === 2 ? await ensureNode24() : null;
	const env = lineEnv(line, node24);
	const dir = path.join(RT, `n8n${line}`);
	if (!n8nReady(dir, spec.n8n, env)) {
		await withLock(`n8n${line}`, async () => {
			if (n8nReady(dir, spec.n8n, env)) return;
			const started = Date.now();
			log(`installing n8n ${spec.n8n} into ${dir} (4-8 min on a fresh machine, once)`);
			fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
			fs.mkdirSync(dir, { recursive: true });
			for (const file of ['package.json', 'package-lock.json']) {
				fs.copyFileSync(path.join(__dirname, 'runtime', `n8n${line}`, file), path.join(dir, file));
			}
			await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env });
			log(`n8n ${spec.n8n}: packages in ${Math.round((Date.now() - started) / 1000)} s; building sqlite3 (about 65 s)`);
			await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false'], { cwd: dir, env });
			if (!n8nReady(dir, spec.n8n, env)) {
				throw new Error(`n8n ${spec.n8n} in ${dir}: sqlite3 does not load after the rebuild (needs g++, make and python3)`);
			}
			log(`n8n ${spec.n8n} ready in ${Math.round((Date.now() - started) / 1000)} s`);
		});
	}
	return { line, version: spec.n8n, dir, bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), env };
}

module.exports = { ensureLine, RT, LINES };

if (require.main === module) {
	const lines = process.argv.slice(2).length ? process.argv.slice(2) : ['2'];
	// Both lines at once: the downloads overlap, which saves minutes on a fresh machine.
	Promise.all(lines.map((l) => ensureLine(l)))
		.then((runtimes) => {
			for (const r of runtimes) console.log(`n8n ${r.version} (line ${r.line}): ${r.bin}`);
		})
		.catch((error) => {
			console.error(error.message);
			process.exit(1);
		});
}
