/**
 * Node version 2's Get Many and invoice picker, in n8n's engine against the fakes: each vendor's
 * own paging followed to the end, the paid filter, Return All / Limit, a page that is not the
 * vendor's list, a 429 between pages, and the picker's list search (n8n-core's LoadOptionsContext).
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Fakes } from '../fakes/server';
import { runNode, searchList, type RunOptions } from '../harness/engine';
import { expectNoSecrets, fakeCredentials } from '../helpers';
import { errorOf, outcomeOf, PROVIDERS, useFakes, VENDORS, type Vendor } from './vendors';

const suite = useFakes();

const LIST_PATH: Record<Vendor, string> = { qonto: '/v2/supplier_invoices', contazen: '/v1/supplier-bills', wethod: '/api/invoices' };

/** `paid` paid invoices and `unpaid` unpaid ones spread among them; the IDs in the vendor's order. */
function seed(fakes: Fakes, vendor: Vendor, paid: number, unpaid: number): { paidIds: string[]; allIds: string[] } {
	const total = paid + unpaid;
	const unpaidAt = new Set(Array.from({ length: unpaid }, (_, k) => Math.floor((k * total) / unpaid)));
	const paidIds: string[] = [];
	const allIds: string[] = [];
	for (let n = 0; n < total; n++) {
		const id = VENDORS[vendor].idOf(n);
		const isPaid = !unpaidAt.has(n);
		// Contazen's part payments are payments too.
		const status = isPaid ? (vendor === 'contazen' && n % 7 === 0 ? 'partial' : 'paid') : VENDORS[vendor].unpaid;
		fakes.seed(vendor, id, { status });
		allIds.push(id);
		if (isPaid) paidIds.push(id);
	}
	return { paidIds, allIds };
}

/** Contazen reports its quota on every answer: the pace holds the next page back and no 429 comes. */
const REPORTS_QUOTA: Record<Vendor, boolean> = { qonto: false, contazen: true, wethod: false };

function getMany(vendor: Vendor, parameters: INodeParameters = {}, extra: Partial<RunOptions> = {}) {
	return runNode({
		parameters: { provider: vendor, authentication: 'apiKey', operation: 'getMany', ...parameters },
		credentials: fakeCredentials(suite.fakes.url),
		typeVersion: 2,
		onError: 'continueRegularOutput',
		...extra,
	});
}

const listCalls = (vendor: Vendor) => suite.fakes.log.filter((r) => r.vendor === vendor && r.path === LIST_PATH[vendor]);
const ids = (items: INodeExecutionData[]) => items.map((i) => String(i.json.invoiceId));

describe.each(PROVIDERS)('%s: Get Many (node version 2)', (vendor) => {
	it('Output Raw: each item carries the vendor\'s invoice too', async () => {
		seed(suite.fakes, vendor, 3, 0);
		const { output } = await getMany(vendor, { returnAll: true, options: { output: 'raw' } });
		expect(output.length).toBeGreaterThan(0);
		expect(output.every((i) => typeof i.json.invoice === 'object' && i.json.invoice !== null)).toBe(true);
	});

	it('follows the vendor paging to the end with Return All: every paid invoice once, in order, paired to its input item', async () => {
		const { paidIds } = seed(suite.fakes, vendor, 230, 40);
		const { output, everything } = await getMany(vendor, { returnAll: true });
		expect(ids(output)).toEqual(paidIds);
		expect(output.every((i) => i.json.outcome === 'listed' && i.json.paid === true && i.json.operation === 'getMany')).toBe(true);
		expect(output.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		// The normalized shape of the other operations' items; version 2's default Output (simplified) leaves out the raw invoice.
		expect(Object.keys(output[0].json)).toEqual(expect.arrayContaining(['provider', 'invoiceId', 'status', 'paymentDate', 'previous', 'invoiceNumber', 'amount', 'currency', 'requestId', 'notes']));
		expect(output[0].json).not.toHaveProperty('invoice');
		expect(listCalls(vendor).length).toBeGreaterThanOrEqual(3);
		expectNoSecrets(everything);
	});

	it('stops at Limit (default 50) and reads no page past it', async () => {
		seed(suite.fakes, vendor, 230, 0);
		const { output } = await getMany(vendor);
		expect(output).toHaveLength(50);
		expect(listCalls(vendor)).toHaveLength(1);
		const limited = await getMany(vendor, { limit: 120 });
		expect(limited.output).toHaveLength(120);
	});

	it('returns unpaid invoices too with Status All', async () => {
		const { allIds } = seed(suite.fakes, vendor, 20, 10);
		const { output } = await getMany(vendor, { status: 'all', returnAll: true });
		expect(ids(output)).toEqual(allIds);
		expect(output.filter((i) => i.json.paid === false)).toHaveLength(10);
	});

	it('gives each input item its own list, paired to it', async () => {
		const { paidIds } = seed(suite.fakes, vendor, 3, 2);
		const { output } = await getMany(vendor, { returnAll: true }, { items: [{ a: 1 }, { a: 2 }] });
		expect(ids(output)).toEqual([...paidIds, ...paidIds]);
		expect(output.map((i) => (i.pairedItem as { item: number }).item)).toEqual([0, 0, 0, 1, 1, 1]);
	});

	it('yields no item for an empty list', async () => {
		seed(suite.fakes, vendor, 0, 4);
		const { output, error } = await getMany(vendor, { returnAll: true });
		expect(error).toBeUndefined();
		expect(output).toEqual([]);
	});

	it('reports unexpected_response for a page that is not the vendor list', async () => {
		seed(suite.fakes, vendor, 5, 0);
		suite.fakes.addFaults([{ type: 'status', vendor, status: 200, path: LIST_PATH[vendor].replace(/^\/v1/, ''), body: { items: [] } }]);
		const { output } = await getMany(vendor, { returnAll: true });
		expect(output.map(outcomeOf)).toEqual(['error:unexpected_response']);
		expect(String(errorOf(output[0]).message)).toMatch(/page 1 of the .* list cannot be read/);
	});

	it('never counts an invoice with an undocumented status: the list is unexpected_response', async () => {
		seed(suite.fakes, vendor, 5, 0);
		suite.fakes.seed(vendor, VENDORS[vendor].idOf(50), { status: 'refunded' });
		const { output } = await getMany(vendor, { status: 'all', returnAll: true });
		expect(output.map(outcomeOf)).toEqual(['error:unexpected_response']);
		expect(String(errorOf(output[0]).message)).toContain('"refunded"');
	});

	it('waits out the rate limit between pages (a 429, or the quota the vendor reports) and goes on to the end', async () => {
		const { paidIds } = seed(suite.fakes, vendor, 250, 0);
		// Two pages per window: the third page is refused and asked to wait.
		suite.fakes.config[vendor].rateLimit = { limit: 2, windowMs: 1000 };
		const { output } = await getMany(vendor, { returnAll: true });
		expect(ids(output)).toEqual(paidIds);
		const statuses = listCalls(vendor).map((r) => r.status);
		expect(statuses.filter((s) => s === 200)).toHaveLength(3);
		expect(statuses.filter((s) => s !== 200)).toEqual(REPORTS_QUOTA[vendor] ? [] : [429]);
	});
});

describe.each(PROVIDERS)('%s: the invoice picker (listSearch searchInvoices)', (vendor) => {
	const search = (filter?: string, paginationToken?: string) =>
		searchList({
			parameters: { provider: vendor, authentication: 'apiKey', operation: 'revertPayment', invoiceId: { __rl: true, mode: 'list', value: '' } },
			credentials: fakeCredentials(suite.fakes.url),
			method: 'searchInvoices',
			filter,
			paginationToken,
		});

	it('lists the paid invoices with a label, page by page with the pagination token', async () => {
		const { paidIds } = seed(suite.fakes, vendor, 150, 30);
		const first = await search();
		expect(first.results.length).toBeGreaterThan(0);
		expect(first.paginationToken).toBeDefined();
		const second = await search(undefined, first.paginationToken as string);
		const rest = second.paginationToken ? await search(undefined, second.paginationToken as string) : { results: [] };
		const all = [...first.results, ...second.results, ...rest.results];
		expect(all.map((r) => String(r.value))).toEqual(paidIds);
		expect(first.results[0].name).toMatch(/ · /);
		expectNoSecrets(JSON.stringify(all));
	});

	it('keeps only the invoices that match the search text', async () => {
		seed(suite.fakes, vendor, 30, 0);
		const wanted = VENDORS[vendor].idOf(12);
		const { results } = await search(wanted);
		expect(results.map((r) => String(r.value))).toEqual([wanted]);
	});

	it('says what is wrong, without secrets, when the vendor list cannot be read', async () => {
		suite.fakes.addFaults([{ type: 'html', vendor, status: 200 }]);
		const failure = await search().then(() => undefined, (error: Error) => error);
		expect(failure?.message).toMatch(/cannot be read/);
		expectNoSecrets(String(failure?.message));
	});
});

describe.each(PROVIDERS)('%s: a version-2 Invoice ID (resource locator)', (vendor) => {
	it.each(['id', 'list'])('reverts the invoice given in mode %s', async (mode) => {
		const id = VENDORS[vendor].idOf(0);
		suite.fakes.seed(vendor, id, { status: 'paid' });
		const { output } = await runNode({
			parameters: { provider: vendor, authentication: 'apiKey', operation: 'revertPayment', invoiceId: { __rl: true, mode, value: id } },
			credentials: fakeCredentials(suite.fakes.url),
			typeVersion: 2,
			onError: 'continueRegularOutput',
		});
		expect(output.map(outcomeOf)).toEqual(['reverted']);
		expect(output[0].json.invoiceId).toBe(id);
	});

	it('takes an expression in the ID mode and checks it like version 1', async () => {
		const { output } = await runNode({
			parameters: { provider: vendor, authentication: 'apiKey', operation: 'revertPayment', invoiceId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
			items: [{ id: VENDORS[vendor].malformed }],
			credentials: fakeCredentials(suite.fakes.url),
			typeVersion: 2,
			onError: 'continueRegularOutput',
		});
		expect(output.map(outcomeOf)).toEqual(['error:invalid_input']);
		expect(suite.fakes.log).toHaveLength(0);
	});
});
