'use strict';
/** Child processes for the runtime installer, the n8n driver and the demo: output kept, no hang. */
const { spawn } = require('node:child_process');

/** Kills a detached child and everything it started (n8n 2.x runs a task-runner child). */
function killGroup(child, signal = 'SIGKILL') {
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}

/**
 * Runs a command to its end: { code, output } (stdout and stderr together). With `timeoutMs` the
 * command and its children are killed after that long.
 */
function spawnCollect(command, args, { timeoutMs, ...options } = {}) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		// Its own process group only when it may have to be killed: otherwise Ctrl-C reaches it too.
		const child = spawn(command, args, { ...options, detached: Boolean(timeoutMs), stdio: ['ignore', 'pipe', 'pipe'] });
		const timer =
			timeoutMs &&
			setTimeout(() => {
				chunks.push(Buffer.from(`\n[killed after ${timeoutMs} ms]\n`));
				killGroup(child);
			}, timeoutMs);
		child.stdout.on('data', (c) => chunks.push(c));
		child.stderr.on('data', (c) => chunks.push(c));
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ code, output: Buffer.concat(chunks).toString() });
		});
	});
}

/** spawnCollect that fails with the end of the output when the command does. */
async function run(command, args, options = {}) {
	const { code, output } = await spawnCollect(command, args, options);
	if (code !== 0) {
		throw new Error(`${command} ${args.join(' ')} exited ${code} in ${options.cwd || process.cwd()}:\n${output.slice(-4000)}`);
	}
	return output;
}

module.exports = { killGroup, spawnCollect, run };
