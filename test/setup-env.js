// Runs before each test file (plain JS: the strict lint forbids `process` and `fs` in .ts).
// n8n-core's InstanceSettings writes a config file under N8N_USER_FOLDER on first use.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'payment-revert-n8n-'));
}
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL || 'silent';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
