'use strict';
/** The node's own source files, for checks on the code itself (.ts tests may not import node:fs). */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

/** `.ts` files under `dir` (relative to the repository), as repository-relative paths. */
function sourceFiles(dir) {
	const out = [];
	const walk = (rel) => {
		for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
			const child = path.posix.join(rel, entry.name);
			if (entry.isDirectory()) walk(child);
			else if (entry.name.endsWith('.ts')) out.push(child);
		}
	};
	walk(dir);
	return out.sort();
}

function readSource(file) {
	return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

module.exports = { sourceFiles, readSource };
