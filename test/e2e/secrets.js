'use strict';
/**
 * Secrets in a real n8n (called from suite.js): the scan every e2e test runs over what n8n printed
 * (each secret in every form a vendor may echo it, the tokens the fakes issued during the runs
 * included), a token n8n refreshed during a run and echoed by the vendor, the Qonto API key echoed
 * as a Basic header, the base-URL rule in that n8n's own expression engine, and credential tests
 * that meet a redirect.
 */
const http = require('node:http');
const path = require('node:path');

const { ensureLine } = require('../../scripts/runtime');
const { nodeItems } = require('../../scripts/lib/n8n');
const { spawnCollect } = require('../../scripts/lib/spawn');
const { FAKE_SECRETS, credentials } = require('../../scripts/lib/demo-data');
const TABLE = require('../fixtures/base-urls.json');
const { workflow, cred } = require('./workflows');

const Q1 = '4d5418bb-bd0d-4df4-865c-c07afab8bb48';
const Q2 = '7c0f7c51-2b55-4f0e-9a7e-0d1b5e3c9a20';
/** The Authorization of a token the fakes issued (a refreshed one), never the imported expired one. */
const ISSUED = '^Bearer qonto-access-\\d+-';
const ECHO = 'sent {authorization} | token {token} | b64 {token.base64} | auth b64 {authorization.base64} | pct {token.percent} | up {token.upper} | cut {token.prefix} | staging {staging} {staging.base64}';
const REFUSED_URL = 'https://base-url-must-be-https-or-loopback.invalid';

const WORKFLOWS = [
	// one item at a time: the first refreshes the expired token, the second meets the echo
	workflow({ id: 'e2eQontoEchoTok1', provider: 'qonto', credential: cred('paymentRevertQontoOAuth2Api'), ids: [Q1, Q2], options: { concurrency: 1 }, onError: 'continueRegularOutput' }),
	workflow({ id: 'e2eQontoEchoKey1', provider: 'qonto', authentication: 'apiKey', credential: cred('paymentRevertQontoApi'), ids: [Q1], onError: 'continueRegularOutput' }),
];

/**
 * What must not show of a secret, by name: itself, its first 12 characters, percent-encoded (each
 * byte), base64 whole and at the three offsets where a longer base64 text (a Basic header, an
 * encoded JSON) holds it. Compared case-insensitively. (Not its last 12: the demo keys end in
 * "000000000001", as do the fakes' organisation ids.)
 */
function secretForms(secret) {
	const bytes = Buffer.from(secret, 'utf8');
	const base64 = (b) => b.toString('base64').replace(/=+$/, '');
	const forms = { whole: secret, percent: [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''), base64: base64(bytes) };
	if (secret.length >= 16) forms.first12 = secret.slice(0, 12);
	for (const k of [0, 1, 2]) forms[`base64@${k}`] = base64(bytes.subarray(k, k + 3 * Math.floor((bytes.length - k) / 3)));
	return Object.entries(forms).filter(([, form]) => form.length >= 8);
}

/** "secret #i as <form>" for each secret found in `text` (never the value itself). */
function leakedSecrets(text, secrets) {
	const lower = text.toLowerCase();
	return secrets.flatMap((secret, i) =>
		secretForms(secret)
			.filter(([, form]) => lower.includes(form.toLowerCase()))
			.map(([name, form]) => `secret #${i} (${secret.length} chars) as ${name} (${form.length} chars)`),
	);
}

/** A vendor refusing a read and echoing what the request carried. */
function echoFault(vendor, path, extra = {}) {
	const body = vendor === 'qonto' ? { errors: [{ code: 'x', detail: `token ${ECHO}` }] } : { key: 'x', message: ECHO };
	return { vendor, path, method: 'GET', type: 'status', status: 422, body, echoAuthorization: true, ...extra };
}

/** A plain HTTP server on loopback that records whatever reaches it (and would answer 200 JSON). */
function startCatcher() {
	const requests = [];
	const server = http.createServer((req, res) => {
		requests.push({ method: req.method, url: req.url, headers: req.headers });
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end('{"ok":true}');
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve({ url: `http://127.0.0.1:${server.address().port}`, requests, close: () => new Promise((done) => server.close(done)) }),
		),
	);
}

/** `env`: { n8n(), fakes(), resetFakes(config), expectNoSecrets(text) } of the suite's running n8n. */
function register(line, env) {
	describe(`n8n ${line}.x: secrets in every form a vendor echoes them`, () => {
		test('Qonto OAuth2: the token n8n refreshed during the run, echoed by the vendor, appears nowhere in any form', async () => {
			// the credential as imported: its access token expired at the fakes
			await env.n8n().importCredentials(credentials(env.fakes().url).filter((c) => c.type === 'paymentRevertQontoOAuth2Api'));
			await env.resetFakes();
			const fakes = env.fakes();
			fakes.addFaults([echoFault('qonto', Q2, { authorizationPattern: ISSUED })]);
			const { code, run, output } = await env.n8n().execute('e2eQontoEchoTok1');
			expect(code).toBe(0);
			const items = nodeItems(run, 'Payment Revert');
			expect(items.map((i) => i.json.outcome || i.json.error.category)).toEqual(['reverted', 'validation']);
			// refreshed once; the echoing answer went to a request carrying the new token
			expect(fakes.log.filter((r) => r.path === '/oauth2/token').map((r) => r.status)).toEqual([200]);
			const echoed = fakes.log.filter((r) => r.fault === 'status');
			expect(echoed).toHaveLength(1);
			expect(echoed[0].headers.authorization).toMatch(new RegExp(ISSUED));
			expect(items[1].json.error.vendorMessage).toMatch(/^token sent Bearer \[redacted\] \| token \[redacted\] \| b64 \[redacted\]/);
			env.expectNoSecrets(output);
		});

		test('Qonto API key: login:secret echoed as a Basic header (base64), percent-encoded, upper-cased or cut short appears nowhere', async () => {
			await env.resetFakes();
			const fakes = env.fakes();
			fakes.addFaults([echoFault('qonto', Q1)]);
			const { code, run, output } = await env.n8n().execute('e2eQontoEchoKey1');
			expect(code).toBe(0);
			const [item] = nodeItems(run, 'Payment Revert');
			expect(item.json.error).toMatchObject({ category: 'validation', httpCode: '422' });
			expect(item.json.error.vendorMessage).toMatch(/^token sent \[redacted\] \| token \[redacted\] \| b64 \[redacted\] \| auth b64 \[redacted\]/);
			expect(fakes.log.filter((r) => r.fault === 'status').map((r) => r.headers.authorization)).toEqual([`${FAKE_SECRETS.qontoLogin}:${FAKE_SECRETS.qontoSecretKey}`]);
			env.expectNoSecrets(output);
		});

		test(`the base-URL rule: in n8n ${line}.x's own expression engine the credentials agree with the node on every case`, async () => {
			const runtime = await ensureLine(line);
			const dist = path.join(env.n8n().home, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-payment-revert', 'dist');
			const engine = line === 2 ? 'vm' : 'legacy';
			// Alone it takes 2 s; the generous bound is for a machine busy with the other e2e files.
			const { code, output } = await spawnCollect('node', [path.join(__dirname, 'expressions.js'), runtime.dir, dist, engine], { env: runtime.env, timeoutMs: 150000 });
			expect({ code, output: code === 0 ? '' : output.slice(-2000) }).toEqual({ code: 0, output: '' });
			const result = JSON.parse(output.trim().split('\n').pop());
			expect(result.implementation).toBe(engine);
			const expected = TABLE.cases.map(([input, url]) => {
				const used = url === null ? REFUSED_URL : url;
				return { input, node: url, qontoApi: used, contazen: input === '' ? null : used, wethod: input === '' ? null : used, oauth: [`${used}/oauth2/auth`, `${used}/oauth2/token`] };
			});
			expect(result.rows).toEqual(expected);
		});
	});
}

const VENDOR = { paymentRevertQontoApi: 'qonto', paymentRevertContazenApi: 'contazen', paymentRevertWethodApi: 'wethod' };

/** Tests that need `n8n start`: `env` adds rest() (a logged-in RestClient). */
function registerStarted(line, env) {
	test.each(Object.keys(VENDOR))('credential test of %s: a redirect is not followed (the secret stays) and fails the test, saying so', async (type) => {
		await env.resetFakes();
		const fakes = env.fakes();
		const catcher = await startCatcher();
		try {
			fakes.addFaults([{ vendor: VENDOR[type], type: 'status', status: 302, headers: { location: `${catcher.url}/login` }, body: 'Redirecting' }]);
			const credential = credentials(fakes.url).find((c) => c.type === type);
			// the Qonto case of the audit: a sandbox-like credential that also sends its staging token
			if (type === 'paymentRevertQontoApi') credential.data = { ...credential.data, stagingToken: 'e2e-staging-token-000001' };
			const result = await env.rest().testCredential(credential);
			expect(result.status).toBe('Error');
			// n8n 1.x never applies a test's rules to a failed request (its NodeApiError drops the
			// HTTP error it wraps), so it shows the HTTP client's own message.
			expect(result.message).toMatch(
				line === 2 ? /^The API answered with a redirect \(HTTP 302\) instead of data; redirects are not followed/ : /^Request failed with status code 302$/,
			);
			expect(fakes.log.filter((r) => r.fault === 'status').map((r) => r.status)).toEqual([302]);
			expect(catcher.requests).toEqual([]);
			env.expectNoSecrets(JSON.stringify(result));
		} finally {
			await catcher.close();
		}
	});

	test('credential test with a base URL written as the node also accepts it (upper-case scheme, trailing slash): OK', async () => {
		await env.resetFakes();
		const credential = credentials(env.fakes().url).find((c) => c.type === 'paymentRevertWethodApi');
		credential.data = { ...credential.data, baseUrl: `${credential.data.baseUrl.replace(/^http:/, 'HTTP:')}/` };
		expect((await env.rest().testCredential(credential)).status).toBe('OK');
		expect(env.fakes().log.map((r) => r.path)).toEqual(['/api/persons/me']);
	});
}

module.exports = { WORKFLOWS, register, registerStarted, leakedSecrets };
