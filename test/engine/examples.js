'use strict';
/** The example workflows a user imports (examples/*.json), for the engine tests (.ts tests may not import node:fs). */
const fs = require('node:fs');
const path = require('node:path');

const DIR = path.join(__dirname, '..', '..', 'examples');

function exampleWorkflows() {
	return fs
		.readdirSync(DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) }));
}

module.exports = { exampleWorkflows };
