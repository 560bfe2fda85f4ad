/** What the fault and limit suites share: per-vendor IDs and a run against the fakes. */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startFakes, type Fakes } from '../fakes/server';
import { runNode, type RunOptions } from '../harness/engine';
import { FAKES_CONFIG, fakeCredentials, QONTO_ID } from '../helpers';

export type Vendor = 'qonto' | 'contazen' | 'wethod';

/** What differs per vendor for the same scenario. */
export const VENDORS: Record<Vendor, { id: string; unpaid: string; missing: string; malformed: string; idOf(n: number): string }> = {
	qonto: {
		id: QONTO_ID,
		unpaid: 'to_review',
		missing: '00000000-0000-4000-8000-000000000000',
		malformed: 'not-a-uuid',
		idOf: (n) => `00000000-0000-4000-8000-${String(n + 1).padStart(12, '0')}`,
	},
	contazen: {
		id: 'sbill_fault01',
		unpaid: 'unpaid',
		missing: 'sbill_missing',
		malformed: 'sbill 1/2',
		idOf: (n) => `sbill_${String(n + 1).padStart(5, '0')}`,
	},
	wethod: {
		id: '1042',
		unpaid: 'sent',
		missing: '999999',
		malformed: '12ab',
		idOf: (n) => String(5000 + n),
	},
};
export const PROVIDERS = Object.keys(VENDORS) as Vendor[];

/** Reverts the given invoices (one item each) with the API-key credential, continuing on errors. */
function revertOn(fakes: Fakes, provider: Vendor, invoiceId: string | string[], options: INodeParameters = {}, extra: Partial<RunOptions> = {}) {
	const ids = Array.isArray(invoiceId) ? invoiceId : [invoiceId];
	return runNode({
		parameters: { provider, authentication: 'apiKey', operation: 'revertPayment', invoiceId: '={{ $json.id }}', options },
		items: ids.map((id) => ({ id })),
		credentials: fakeCredentials(fakes.url),
		onError: 'continueRegularOutput',
		...extra,
	});
}

export const errorOf = (item: INodeExecutionData) => item.json.error as IDataObject;
export const outcomeOf = (item: INodeExecutionData) => (item.json.outcome as string) ?? `error:${errorOf(item).category as string}`;


/** Fakes for one test file, reset before each test, and `run` against them. */
export function useFakes() {
	const suite = {
		fakes: undefined as unknown as Fakes,
		run: (provider: Vendor, ids: string | string[], options?: INodeParameters, extra?: Partial<RunOptions>) =>
			revertOn(suite.fakes, provider, ids, options, extra),
	};
	beforeAll(async () => (suite.fakes = await startFakes({ config: FAKES_CONFIG })));
	afterAll(async () => await suite.fakes.close());
	beforeEach(() => suite.fakes.reset());
	return suite;
}
