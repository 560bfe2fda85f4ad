#!/usr/bin/env node
/**
 * npm run scan: n8n's community-package scanner (@n8n/scan-community-package, the check n8n runs
 * before verifying a node) on this package, without publishing it.
 *
 * The scanner's CLI only takes a published package name: it checks npm provenance, downloads the
 * attested GitHub source and the tarball, and lints both. Here the same `analyzePackage` runs with
 * the same file patterns on
 *   1. the source folder (package.json and nodes/, credentials/: SOURCE_FILE_PATTERNS), and
 *   2. the unpacked `npm pack` tarball (every .js file and package.json), as published.
 * A third run lints a copy of the tarball with a forbidden line added (process.env, console.log)
 * and must FAIL: it proves the scanner really looked at the files (a scan that finds no file
 * "passes" too). Needs `npm run build` first (the tarball holds dist/).
 *
 * The provenance check cannot run before publishing: the publish workflow adds provenance
 * (.github/workflows/publish.yml), and `npx @n8n/scan-community-package n8n-nodes-payment-revert`
 * checks the published package.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const requireFromScanner = createRequire(import.meta.resolve('@n8n/scan-community-package/scanner/scanner.mjs'));
const glob = requireFromScanner('fast-glob');
// the scanner makes a temp folder when loaded (for downloads we do not do): remove it at exit
requireFromScanner('tmp').setGracefulCleanup();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function say(line = '') {
	process.stdout.write(`${line}\n`);
}

/** `npm pack` into a temp folder, unpacked into <work>/package; returns that folder. */
function packAndUnpack(work) {
	for (const file of pkg.n8n.nodes) {
		if (!fs.existsSync(path.join(ROOT, file))) throw new Error(`${file} is missing: run npm run build first`);
	}
	const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
	const tarball = path.join(work, out.trim().split('\n').pop().trim());
	const dir = path.join(work, 'package');
	fs.mkdirSync(dir);
	execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
	return dir;
}

/** The files the scanner lints, found with its own glob library and options. */
function countFiles(dir, patterns) {
	return glob.sync(patterns, { cwd: dir, ignore: ['node_modules/**', '**/package-lock.json'] }).length;
}

async function scan(label, dir, patterns) {
	const files = countFiles(dir, patterns);
	const result = await analyzePackage(dir, patterns);
	const passed = result.passed && files > 0;
	say(`${passed ? 'PASS' : 'FAIL'}  ${label}: ${files} files (${patterns.join(', ')})${result.message ? ` - ${result.message}` : ''}`);
	if (result.details) say(result.details);
	return { passed, result };
}

async function main() {
	const started = Date.now();
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-scan-'));
	const checks = [];
	try {
		const unpacked = packAndUnpack(work);
		say(`@n8n/scan-community-package analyzePackage on ${pkg.name}@${pkg.version}`);
		checks.push((await scan('source', ROOT, SOURCE_FILE_PATTERNS)).passed);
		checks.push((await scan('npm pack tarball', unpacked, TARBALL_PATTERNS)).passed);

		// Canary: the same tarball with code the scanner must refuse.
		const canary = path.join(work, 'canary');
		fs.cpSync(unpacked, canary, { recursive: true });
		const node = path.join(canary, pkg.n8n.nodes[0]);
		fs.appendFileSync(node, '\nconsole.log(process.env.SECRET_TOKEN);\n');
		const result = await analyzePackage(canary, TARBALL_PATTERNS);
		const refused = !result.passed && /no-restricted-globals|no-console/.test(result.details || '');
		const rules = [...new Set((result.details || '').split('\n').filter((l) => /\serror\s/.test(l)).map((l) => l.trim().split(/\s+/).pop()))];
		say(`${refused ? 'PASS' : 'FAIL'}  canary: a tarball that reads process.env and logs is ${result.passed ? 'ACCEPTED (the scan is not working)' : `refused (${rules.join(', ')})`}`);
		checks.push(refused);
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
	const passed = checks.filter(Boolean).length;
	say(`scan: ${passed} passed, ${checks.length - passed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	if (passed !== checks.length) process.exitCode = 1;
}

main().catch((error) => {
	console.error(error.stack || error.message);
	process.exit(1);
});
