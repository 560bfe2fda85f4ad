#!/usr/bin/env node
// Checks what `npm pack` would publish: only dist/, package.json, README and licence; every
// node, credential, icon and codex file registered in package.json present; n8n's package rules.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const problems = [];

const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const files = JSON.parse(out)[0].files.map((f) => f.path);
for (const file of files) {
	if (!/^(dist\/|package\.json$|README\.md$|LICENSE(\.md)?$)/.test(file)) problems.push(`unexpected file in the tarball: ${file}`);
	if (/\.tsbuildinfo$|\.test\.|(^|\/)test\//.test(file)) problems.push(`build or test file in the tarball: ${file}`);
}
for (const required of ['package.json', 'README.md', 'LICENSE.md', ...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
	if (!files.includes(required)) problems.push(`missing from the tarball: ${required}`);
}
for (const node of pkg.n8n.nodes) {
	const codex = node.replace(/\.js$/, '.json');
	if (!files.includes(codex)) problems.push(`missing codex: ${codex}`);
}
// Every `file:` icon the compiled node and credentials reference must be in the tarball.
for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
	const source = fs.readFileSync(path.join(root, file), 'utf8');
	for (const [, icon] of source.matchAll(/file:([^'"]+\.svg)/g)) {
		const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), icon));
		if (!files.includes(target)) problems.push(`icon ${icon} of ${file} missing (${target})`);
	}
}
if (pkg.dependencies && Object.keys(pkg.dependencies).length) problems.push('runtime dependencies are not allowed');
if (JSON.stringify(pkg.peerDependencies) !== JSON.stringify({ 'n8n-workflow': '*' })) problems.push('peerDependencies must be exactly n8n-workflow: *');
for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'preprepare', 'postprepare']) {
	if (pkg.scripts && pkg.scripts[script]) problems.push(`forbidden lifecycle script: ${script}`);
}

if (problems.length) {
	console.error(problems.map((p) => `- ${p}`).join('\n'));
	process.exit(1);
}
console.log(`package check: ${files.length} files, only dist/, package.json, README.md and LICENSE.md; all registered files present`);
