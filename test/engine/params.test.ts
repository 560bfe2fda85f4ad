/**
 * Parameter values the node does not expect (audit findings F3, F5): an option or a choice given
 * by an expression, a saved value of a newer version. A value that is not one of the parameter's
 * type is invalid_input naming the option and the item, and nothing is sent; a number option left
 * empty ("" or null) is its default, never its minimum; nothing is ever guessed into a write.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode, type RunOptions } from '../harness/engine';
import { fakeCredentials } from '../helpers';
import { errorOf, outcomeOf, useFakes, VENDORS, type Vendor } from './vendors';

const suite = useFakes();
const writes = () => suite.fakes.log.filter((r) => r.method === 'POST');
const wethodId = VENDORS.wethod.idOf(0);

/** One node with these parameters over `items` (each `{ id }` unless given), continuing on errors. */
function runWith(parameters: INodeParameters, items: IDataObject[] = [{ id: wethodId }], extra: Partial<RunOptions> = {}) {
	return runNode({
		parameters: { provider: 'wethod', authentication: 'apiKey', operation: 'revertPayment', invoiceId: '={{ $json.id }}', options: {}, ...parameters },
		items,
		credentials: fakeCredentials(suite.fakes.url),
		onError: 'continueRegularOutput',
		...extra,
	});
}

/** The one item failed as invalid_input, naming `what` and item 0, and no request at all was sent. */
function expectRefused(result: Awaited<ReturnType<typeof runNode>>, what: RegExp) {
	expect(suite.fakes.log).toHaveLength(0);
	expect(result.output).toHaveLength(1);
	expect(outcomeOf(result.output[0])).toBe('error:invalid_input');
	expect(result.output[0].pairedItem).toEqual({ item: 0 });
	const { message } = errorOf(result.output[0]) as { message: string };
	expect(message).toMatch(what);
	expect(message).toMatch(/item 0/);
}

beforeEach(() => suite.fakes.seed('wethod', wethodId));

describe('F3: a boolean option is read strictly (one rule for every boolean option)', () => {
	it.each([
		['the text "true"', '={{ "true" }}'],
		['the text " TRUE " (any case, trimmed)', '={{ " TRUE " }}'],
	])('Dry Run given %s is a dry run: nothing written', async (_what, dryRun) => {
		const result = await runWith({ options: { dryRun } });
		expect(outcomeOf(result.output[0])).toBe('would_revert');
		expect(writes()).toHaveLength(0);
	});

	it.each([
		['the number 1', '={{ 1 }}'],
		['the number 0', '={{ 0 }}'],
		['the text "yes"', '={{ "yes" }}'],
		['an empty text', '={{ "" }}'],
		['null', '={{ null }}'],
		['an object', '={{ {} }}'],
	])('Dry Run given %s: invalid_input, no request', async (_what, dryRun) => {
		expectRefused(await runWith({ options: { dryRun } }), /"Dry Run" \(dryRun\).*not true or false/);
	});

	it('Capture Previous State given the text "false" reads nothing before the write', async () => {
		const result = await runWith({ options: { capturePreviousState: '={{ "false" }}' } });
		expect(outcomeOf(result.output[0])).toBe('reverted');
		expect(result.output[0].json.previous).toBeNull();
		expect(suite.fakes.log.map((r) => r.method)).toEqual(['POST']);
	});

	it.each([
		['the number 1', '={{ 1 }}'],
		['the text "no"', '={{ "no" }}'],
	])('Capture Previous State given %s: invalid_input, no request', async (_what, capturePreviousState) => {
		expectRefused(await runWith({ options: { capturePreviousState } }), /"Capture Previous State" \(capturePreviousState\)/);
	});

	it('with Continue, each item is judged on its own value, in order, with pairedItem', async () => {
		const ids = [0, 1, 2, 3].map((n) => VENDORS.wethod.idOf(n));
		for (const id of ids) suite.fakes.seed('wethod', id);
		const dry: IDataObject[string][] = [true, 1, 'TRUE', 'yes'];
		const result = await runWith({ options: { dryRun: '={{ $json.dry }}' } }, ids.map((id, n) => ({ id, dry: dry[n] })));
		expect(result.output.map(outcomeOf)).toEqual(['would_revert', 'error:invalid_input', 'would_revert', 'error:invalid_input']);
		expect(result.output.map((i) => i.pairedItem)).toEqual(ids.map((_, item) => ({ item })));
		expect(errorOf(result.output[1]).message).toMatch(/item 1 is 1, not true or false/);
		expect(errorOf(result.output[3]).invoiceId).toBe(ids[3]);
		expect(writes()).toHaveLength(0);
	});

	it('without Continue, the bad item stops the run with a clear error and is never written', async () => {
		const ids = [VENDORS.wethod.idOf(0), VENDORS.wethod.idOf(1)];
		suite.fakes.seed('wethod', ids[1]);
		const result = await runWith(
			{ options: { dryRun: '={{ $json.dry }}', concurrency: 1 } },
			[{ id: ids[0], dry: false }, { id: ids[1], dry: 1 }],
			{ onError: 'stopWorkflow' },
		);
		expect(result.error).toMatchObject({ name: 'NodeOperationError', context: { itemIndex: 1, category: 'invalid_input' } });
		expect(result.error?.message).toMatch(/^Wethod: "Dry Run" \(dryRun\) of item 1 is 1, not true or false; set it to true or false/);
		// Item 0 was reverted (and the error says so); nothing was sent for item 1.
		expect(writes().map((r) => r.path)).toEqual([expect.stringContaining(ids[0])]);
		expect(suite.fakes.log.some((r) => r.path.includes(ids[1]))).toBe(false);
	});
});

describe('F3: a choice that is not one of its values is never replaced by a default', () => {
	it('an operation this version does not offer (e.g. markAsPaid): invalid_input per item, no request', async () => {
		const ids = [VENDORS.wethod.idOf(0), VENDORS.wethod.idOf(1)];
		const result = await runWith({ operation: 'markAsPaid' }, ids.map((id) => ({ id })));
		expect(suite.fakes.log).toHaveLength(0);
		expect(result.output.map(outcomeOf)).toEqual(['error:invalid_input', 'error:invalid_input']);
		expect(result.output.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(errorOf(result.output[0]).message).toMatch(/^Wethod: the operation is the text "markAsPaid", which version 1 of this node does not offer/);
	});

	it('an unknown operation without Continue stops the run, naming it, with no request', async () => {
		const result = await runWith({ operation: '={{ "markAsPaid" }}' }, [{ id: wethodId }], { onError: 'stopWorkflow' });
		expect(suite.fakes.log).toHaveLength(0);
		expect(result.error).toMatchObject({ context: { itemIndex: 0, category: 'invalid_input' } });
		expect(result.error?.message).toMatch(/markAsPaid.*choose Revert Payment or Get Payment Status/);
	});

	it.each([
		['a value of a newer version', 'later'],
		['an expression giving a number', '={{ 1 }}'],
	])('If Not Paid given %s: invalid_input, no request', async (_what, ifNotPaid) => {
		expectRefused(await runWith({ options: { ifNotPaid } }), /"If Not Paid" \(ifNotPaid\).*not one of its choices; choose Succeed/);
	});

	it('Authentication (Qonto) given a value it does not offer: invalid_input, no request', async () => {
		const id = VENDORS.qonto.idOf(0);
		suite.fakes.seed('qonto', id);
		const result = await runWith({ provider: 'qonto', authentication: 'bearerToken' }, [{ id }]);
		expectRefused(result, /"Authentication" \(authentication\).*not one of its choices/);
	});

	it('a provider this version does not know: with Continue, one invalid_input item per input item', async () => {
		const result = await runWith({ provider: 'stripe' }, [{ id: 'a' }, { id: 'b' }]);
		expect(suite.fakes.log).toHaveLength(0);
		expect(result.output.map(outcomeOf)).toEqual(['error:invalid_input', 'error:invalid_input']);
		expect(result.output.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(errorOf(result.output[0]).message).toMatch(/unknown provider "stripe"; choose/);
	});
});

describe('F5: a number option left empty ("" or null) is its default, never its minimum', () => {
	const empties: Array<[string, string]> = [
		['an empty text (an empty sheet cell)', '={{ "" }}'],
		['null (a JSON null)', '={{ null }}'],
	];

	it.each(empties)('Timeout given %s is 30 s, not 1 s: a 1.5 s answer arrives', async (_what, empty) => {
		suite.fakes.addFaults([{ type: 'latency', vendor: 'wethod', latencyMs: 1500 }]);
		const result = await runWith({ options: { timeoutSeconds: empty, maxRetries: 0 } });
		expect(outcomeOf(result.output[0])).toBe('reverted');
	});

	it.each(empties)('Max Retries given %s is 3, not 0: a 503 is retried', async (_what, empty) => {
		suite.fakes.addFaults([{ type: 'status', status: 503, vendor: 'wethod' }]);
		const result = await runWith({ options: { maxRetries: empty } });
		expect(outcomeOf(result.output[0])).toBe('reverted');
	});

	it.each(empties)('Max Retry Wait given %s is 60 s, not 0: a 1 s wait asked by the vendor is waited', async (_what, empty) => {
		suite.fakes.addFaults([{ type: 'limit', retryAfter: 1, vendor: 'wethod' }]);
		const result = await runWith({ options: { maxRetryWaitSeconds: empty } });
		expect(outcomeOf(result.output[0])).toBe('reverted');
	});

	it.each(empties)('Concurrency given %s is 5, not 1: the items in flight when item 0 fails finish', async (_what, empty) => {
		// Item 0 is not found, slowly: with 5 in flight, items 1-4 were already sent and are reverted.
		const missing = VENDORS.wethod.missing;
		const ids = [1, 2, 3, 4].map((n) => VENDORS.wethod.idOf(n));
		for (const id of ids) suite.fakes.seed('wethod', id);
		suite.fakes.addFaults([{ type: 'latency', vendor: 'wethod', path: `/${missing}`, latencyMs: 500 }]);
		const result = await runWith(
			{ options: { concurrency: empty, capturePreviousState: false } },
			[missing, ...ids].map((id) => ({ id })),
			{ onError: 'stopWorkflow' },
		);
		expect(result.error).toMatchObject({ context: { itemIndex: 0, revertedInvoiceIds: ids } });
	});

	it('a number given as text is that number', async () => {
		suite.fakes.addFaults([{ type: 'status', status: 503, vendor: 'wethod' }]);
		const result = await runWith({ options: { maxRetries: '={{ " 0 " }}' } });
		expect(outcomeOf(result.output[0])).toBe('error:vendor_error');
		expect(suite.fakes.log).toHaveLength(1);
	});
});

describe('F5: a number option that is not a number in its bounds is invalid_input, nothing sent', () => {
	it.each([
		['Max Retries', 'maxRetries', '={{ "abc" }}', /not a number; give a whole number from 0 to 10, or leave it empty for the default \(3\)/],
		['Max Retries', 'maxRetries', 11, /is 11, outside 0 to 10/],
		['Max Retries', 'maxRetries', '={{ 2.5 }}', /is 2.5, not a whole number/],
		['Max Retries', 'maxRetries', '={{ true }}', /is true, not a number/],
		['Timeout (Seconds)', 'timeoutSeconds', '={{ 0 / 0 }}', /not a number/],
		['Timeout (Seconds)', 'timeoutSeconds', 0, /is 0, outside 1 to 3600/],
		['Timeout (Seconds)', 'timeoutSeconds', '={{ "1e9" }}', /outside 1 to 3600/],
		['Max Retry Wait (Seconds)', 'maxRetryWaitSeconds', -1, /is -1, outside 0 to 86400/],
		['Max Retry Wait (Seconds)', 'maxRetryWaitSeconds', '={{ "0x10" }}', /not a number/],
		['Concurrency', 'concurrency', 51, /is 51, outside 1 to 50/],
		['Concurrency', 'concurrency', '={{ [5] }}', /is a list \[5\], not a number/],
	] as Array<[string, string, string | number, RegExp]>)('%s (%s) given %p', async (label, name, value, problem) => {
		const result = await runWith({ options: { [name]: value } });
		expectRefused(result, new RegExp(`"${label.replace(/[()]/g, '\\$&')}" \\(${name}\\) of item 0`));
		expect(errorOf(result.output[0]).message).toMatch(problem);
	});
});

describe('getStatus reads the common options by the same rule', () => {
	it.each(['qonto', 'wethod'] as Vendor[])('%s: a Timeout of "abc" is invalid_input, no request', async (provider) => {
		const id = VENDORS[provider].idOf(0);
		suite.fakes.seed(provider, id);
		const result = await runWith({ provider, operation: 'getStatus', options: { timeoutSeconds: '={{ "abc" }}' } }, [{ id }]);
		expectRefused(result, /"Timeout \(Seconds\)" \(timeoutSeconds\) of item 0 is the text "abc", not a number/);
	});
});
