'use strict';
/**
 * Lets plain Node require the TypeScript test harness (test/harness/engine.ts and the node's
 * sources it imports): each .ts file is transpiled on load with the repo's own `typescript`, the
 * same compiler options as tsconfig.json. No type check (npm test does that).
 */
const fs = require('node:fs');
const ts = require('typescript');

const OPTIONS = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2019,
	esModuleInterop: true,
	resolveJsonModule: true,
	sourceMap: false,
};

require.extensions['.ts'] = function loadTs(module, filename) {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, { compilerOptions: OPTIONS, fileName: filename });
	module._compile(outputText, filename);
};
// "./PaymentRevert.node" must find PaymentRevert.node.ts before PaymentRevert.node.json (the codex
// file next to it): extensions are tried in insertion order, so .json and .node go after .ts.
for (const ext of ['.json', '.node']) {
	const loader = require.extensions[ext];
	delete require.extensions[ext];
	require.extensions[ext] = loader;
}
