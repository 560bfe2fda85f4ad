'use strict';
/**
 * Faults and limits in a real n8n: every fault on each provider in one run per provider, batches of
 * 200 mixed items with seeded random faults, and 300 Contazen reverts under a scaled-down limit.
 * The scenarios are the ones the in-engine suite runs (test/fakes/scenarios.js).
 */
const { nodeItems } = require('../../scripts/lib/n8n');
const { PROVIDERS, VENDORS, randomBatch, seedBatch, faultMatrix } = require('../fakes/scenarios');
const { workflow, cred } = require('./workflows');

const CREDENTIAL = { qonto: 'paymentRevertQontoApi', contazen: 'paymentRevertContazenApi', wethod: 'paymentRevertWethodApi' };
const SUFFIX = { qonto: 'Qo', contazen: 'Cz', wethod: 'We' };
const SEED = 3;
const PACED = Array.from({ length: 300 }, (_, n) => VENDORS.contazen.idOf(n));

function revertWorkflow(id, provider, ids, options) {
	return workflow({
		id,
		provider,
		...(provider === 'qonto' ? { authentication: 'apiKey' } : {}),
		credential: cred(CREDENTIAL[provider]),
		ids,
		options,
		onError: 'continueRegularOutput',
	});
}

const WORKFLOWS = [
	...PROVIDERS.map((p) => revertWorkflow(`e2eFaultMatrix${SUFFIX[p]}`, p, faultMatrix(p).map((r) => r.id), { timeoutSeconds: 1, maxRetryWaitSeconds: 30 })),
	...PROVIDERS.map((p) => revertWorkflow(`e2eRandomBatch${SUFFIX[p]}`, p, randomBatch(p, SEED).items.map((i) => i.id), { timeoutSeconds: 1, concurrency: 10 })),
	revertWorkflow('e2eContazenPace1', 'contazen', PACED, {}),
];

const outcomeOf = (item) => item.json.outcome || `error:${item.json.error.category}`;

/** `env` gives the suite's running n8n and fakes: { n8n(), fakes(), resetFakes(config), expectNoSecrets(text) }. */
function register(line, env) {
	describe(`n8n ${line}.x: faults and limits`, () => {
		test.each(PROVIDERS)('%s: every fault in one run, each invoice gets what its fault calls for', async (provider) => {
			await env.resetFakes();
			const fakes = env.fakes();
			const rows = faultMatrix(provider);
			for (const row of rows) fakes.seed(provider, row.id);
			fakes.addFaults(rows.map((r) => r.fault));
			const { code, run, output } = await env.n8n().execute(`e2eFaultMatrix${SUFFIX[provider]}`);
			expect(code).toBe(0);
			const items = nodeItems(run, 'Payment Revert');
			expect(items.map(outcomeOf)).toEqual(rows.map((r) => r.expected));
			expect(items.map((i) => i.pairedItem.item)).toEqual(rows.map((_, n) => n));
			const unpaid = VENDORS[provider].unpaid;
			expect(rows.map((r) => [r.name, fakes.state[provider].get(r.id).status])).toEqual(
				rows.map((r) => [r.name, r.expected === 'reverted' ? unpaid : 'paid']),
			);
			// The 1 s the vendor asked for was waited before the resend.
			const waited = rows.find((r) => r.name === '429 wait 1 s');
			const [limited, resent] = fakes.log.filter((r) => r.method === 'POST' && r.path.includes(waited.id));
			expect(limited.fault).toBe('limit');
			expect(resent.at - limited.at).toBeGreaterThanOrEqual(1000);
			// The redirect was not followed.
			expect(fakes.log.some((r) => r.path.includes('elsewhere'))).toBe(false);
			env.expectNoSecrets(output);
		});

		test.each(PROVIDERS)('%s: 200 mixed items with random faults: count, order, outcomes and final state exact', async (provider) => {
			// No rate limit here (the 300-revert test has one): Contazen says "not paid" with a 400.
			await env.resetFakes({ contazen: { alreadyUnpaid: 'error', rateLimit: null } });
			const fakes = env.fakes();
			const { items, faults } = randomBatch(provider, SEED);
			const before = seedBatch(fakes, provider, items);
			fakes.addFaults(faults);
			const { code, run, output } = await env.n8n().execute(`e2eRandomBatch${SUFFIX[provider]}`);
			expect(code).toBe(0);
			const out = nodeItems(run, 'Payment Revert');
			expect(out).toHaveLength(200);
			expect(out.map(outcomeOf)).toEqual(items.map((i) => i.expected));
			expect(out.map((i) => i.pairedItem.item)).toEqual(items.map((_, n) => n));
			for (const { id, kind } of items) {
				const now = fakes.state[provider].get(id);
				if (kind === 'paid') expect([id, now.status]).toEqual([id, VENDORS[provider].unpaid]);
				else expect([id, now]).toEqual([id, before.get(id)]);
			}
			expect(fakes.log.filter((r) => r.fault).length).toBeGreaterThan(20);
			env.expectNoSecrets(output);
		});

		test('300 Contazen reverts at 30 requests per 6 s: 0 failed items, no 429', async () => {
			await env.resetFakes({ contazen: { rateLimit: { limit: 30, windowMs: 6000 } } });
			const fakes = env.fakes();
			for (const id of PACED) fakes.seed('contazen', id);
			const started = Date.now();
			const { code, run } = await env.n8n().execute('e2eContazenPace1');
			expect(code).toBe(0);
			const out = nodeItems(run, 'Payment Revert');
			expect(out.map(outcomeOf)).toEqual(PACED.map(() => 'reverted'));
			const log = fakes.log.filter((r) => r.vendor === 'contazen');
			expect(log).toHaveLength(300);
			expect(log.filter((r) => r.status === 429)).toHaveLength(0);
			const first = log[0].at;
			const last = log[log.length - 1].at;
			// For the note, not asserted: time against the theoretical minimum (9 full windows).
			console.log(`n8n ${line}.x: 300 paced Contazen reverts, first to last request ${((last - first) / 1000).toFixed(1)} s (minimum 54 s), execute ${((Date.now() - started) / 1000).toFixed(1)} s`);
		}, 240_000);
	});
}

module.exports = { WORKFLOWS, register };
