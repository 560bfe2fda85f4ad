/**
 * The run's execution hints, as n8n-core records them in the node's task data (`hints`): the
 * summary of outcomes, the items' notes deduplicated, the vendor's rate limit (waits, 429s,
 * refusals), and no secret in any of them. Both node versions; both n8n lines (jest projects).
 */
import type { NodeExecutionHint } from 'n8n-workflow';

import { runNode, type RunResult } from '../harness/engine';
import { contazenBill, contazenEnvelope, expectNoSecrets, fakeCredentials, SECRETS } from '../helpers';
import { outcomeOf, useFakes, VENDORS } from './vendors';

const suite = useFakes();
const messages = (result: RunResult) => result.hints.map((hint) => hint.message);

describe.each([1, 2])('execution hints, node version %i', (typeVersion) => {
	const extra = { typeVersion };

	it('a summary with the operation\'s outcome words and the failures by category, Continue on', async () => {
		const q = VENDORS.qonto;
		const [a, b, c] = [0, 1, 2].map((n) => q.idOf(n));
		for (const id of [a, b, c]) suite.fakes.seed('qonto', id);
		suite.fakes.seed('qonto', q.id, { status: q.unpaid, payment_date: null });
		const ids = [a, q.id, q.missing, b, q.malformed, c];
		const result = await suite.run('qonto', ids, {}, extra);
		expect(result.output.map(outcomeOf)).toEqual([
			'reverted', 'already_unpaid', 'error:not_found', 'reverted', 'error:invalid_input', 'reverted',
		]);
		expect(result.hints[0]).toEqual<NodeExecutionHint>({
			message: 'Revert Payment: reverted 3 · already unpaid 1 · failed 2 (not_found 1, invalid_input 1)',
			type: 'warning',
			location: 'outputPane',
		});
		// Adding hints changes no item: the output is what it was.
		expect(result.output.map((item) => item.pairedItem)).toEqual(ids.map((_, item) => ({ item })));
	});

	it('the same note on several items is one hint with its count; distinct notes each their own', async () => {
		// Seven distinct notes: the five most frequent shown, the other two summed up.
		const ids = [0, 1, 2, 3, 4, 5].map((n) => VENDORS.contazen.idOf(n));
		for (const id of ids) suite.fakes.seed('contazen', id);
		const result = await suite.run('contazen', ids, {}, extra);
		expect(result.output.map(outcomeOf)).toEqual(ids.map(() => 'reverted'));
		const expenses = result.output.map((item) => String(item.json.linkedExpenseId));
		expect(new Set(expenses).size).toBe(6);
		expect(messages(result)).toEqual([
			'Revert Payment: reverted 6 supplier bills',
			// The most frequent first, then in input order.
			'6 items: Contazen documents no way to read a single supplier bill, so the state before the revert could not be captured.',
			...expenses.slice(0, 4).map((id) => `1 item: Contazen also marked the linked expense ${id} as unpaid.`),
			"2 more distinct notes: see each item's notes",
		]);
		expect(result.hints.every((hint) => hint.location === 'outputPane' && hint.type === 'info')).toBe(true);
	});

	it('a 429 waited out is counted; a wait beyond Max Retry Wait is a refusal', async () => {
		const q = VENDORS.qonto;
		const [a, b] = [0, 1].map((n) => q.idOf(n));
		for (const id of [a, b]) suite.fakes.seed('qonto', id);
		suite.fakes.addFaults([{ vendor: 'qonto', method: 'POST', path: a, type: 'limit', retryAfter: 1 }]);
		const waited = await suite.run('qonto', [a], {}, extra);
		expect(waited.output.map(outcomeOf)).toEqual(['reverted']);
		const limitHint = waited.hints.find((hint) => hint.message.startsWith('Rate limit: '));
		expect(limitHint?.message).toMatch(/^Rate limit: Qonto answered 429 \(too many requests\) once; 1 item waited for its limit: \d+\.\d s in total, at most \d+\.\d s for one item$/);
		expect(limitHint?.type).toBe('info');

		suite.fakes.addFaults([{ vendor: 'qonto', method: 'POST', path: b, type: 'limit', retryAfter: 120 }]);
		const refused = await suite.run('qonto', [b], { maxRetryWaitSeconds: 30 }, extra);
		expect(refused.output.map(outcomeOf)).toEqual(['error:rate_limited']);
		expect(messages(refused)).toEqual([
			'Revert Payment: failed 1 (rate_limited 1)',
			'Rate limit: Qonto answered 429 (too many requests) once; 1 item refused (rate_limited): the wait was longer than Max Retry Wait, or the retries ran out',
		]);
	});

	it('no secret in any hint: a vendor echoing the token in a note is redacted', async () => {
		const id = VENDORS.contazen.idOf(0);
		suite.fakes.seed('contazen', id);
		// The vendor's answer to the revert names the linked expense with the token it was sent.
		const bill = contazenBill({ id, status: 'unpaid', payment_date: null, expense_id: 'exp {token} {token.base64} {token.prefix}' });
		suite.fakes.addFaults([{ vendor: 'contazen', method: 'POST', path: id, type: 'status', status: 200, body: contazenEnvelope(bill), echoAuthorization: true }]);
		const result = await suite.run('contazen', [id], {}, extra);
		expect(result.output.map(outcomeOf)).toEqual(['reverted']);
		const text = JSON.stringify(result.hints);
		expect(text).toContain('Contazen also marked the linked expense exp [redacted]');
		expectNoSecrets(text);
		expect(text).not.toContain(Buffer.from(SECRETS[4]).toString('base64').slice(0, 16));
	});
});

describe('execution hints of the read operations', () => {
	it('Get Payment Status counts paid and unpaid invoices', async () => {
		const q = VENDORS.qonto;
		suite.fakes.seed('qonto', q.idOf(0));
		suite.fakes.seed('qonto', q.id, { status: q.unpaid, payment_date: null });
		const result = await suite.run('qonto', [q.idOf(0), q.id], {}, { parameters: {
			provider: 'qonto', authentication: 'apiKey', operation: 'getStatus', invoiceId: '={{ $json.id }}',
		} });
		expect(messages(result)).toEqual(['Get Payment Status: paid 1 · not paid 1']);
	});

	it('Get Many (version 2): "listed N" with the vendor\'s noun', async () => {
		for (let n = 0; n < 4; n++) suite.fakes.seed('wethod', VENDORS.wethod.idOf(n));
		const result = await runNode({
			parameters: { provider: 'wethod', operation: 'getMany', returnAll: true },
			credentials: fakeCredentials(suite.fakes.url),
			typeVersion: 2,
		});
		expect(result.output).toHaveLength(4);
		expect(messages(result)).toEqual(['Get Many: listed 4 invoices']);
	});
});
