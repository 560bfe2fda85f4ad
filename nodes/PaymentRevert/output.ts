/**
 * The Output option (node version 2): `simplified`, the default, leaves out the vendor's raw
 * invoice; `raw` keeps it. Version 1 has no such option and always keeps it, as 0.1.0 did.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

/** The first node version with the option. */
export const OUTPUT_SINCE = 2;

export const outputOption: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	options: [
		{
			name: 'Simplified',
			value: 'simplified',
			description: "The node's fields (outcome, status, payment date, previous state, …) without the provider's raw invoice",
		},
		{ name: 'Raw', value: 'raw', description: "The node's fields and the provider's invoice as it answered (invoice)" },
	],
	default: 'simplified',
	description: 'Whether the output items also carry the raw invoice from the provider',
};

/** The item as the node version and the option ask for it. */
export function shaped(json: IDataObject, options: IDataObject, version: number): IDataObject {
	if (version < OUTPUT_SINCE || options.output === 'raw' || !('invoice' in json)) return json;
	const simplified = { ...json };
	delete simplified.invoice;
	return simplified;
}
