/** What the fault and limit suites share: fakes per file and a run against them. */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startFakes, type Fakes, type Vendor } from '../fakes/server';
import { runNode, type RunOptions } from '../harness/engine';
import { FAKES_CONFIG, fakeCredentials } from '../helpers';


export { PROVIDERS, VENDORS } from '../fakes/scenarios';
export type { Vendor } from '../fakes/server';

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
