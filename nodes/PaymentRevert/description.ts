/**
 * The node's parameters, credentials and subtitle for one node version, built from the two
 * registries (providers, operations): a vendor or an operation added there shows up here, and an
 * operation from a later version (`since`) stays out of the earlier ones.
 */
import type { INodeCredentialDescription, INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { operationsOf } from './operations';
import { providers } from './providers';

const all = Object.values(providers);
const withChoice = all.filter((p) => p.authStyles.length > 1);

/** One credential entry per auth style, shown for its provider (and style, where there is a choice). */
const credentials: INodeCredentialDescription[] = all.flatMap((p) =>
	p.authStyles.map((style) => ({
		name: style.credentialType,
		required: true,
		displayOptions: {
			show: p.authStyles.length > 1 ? { provider: [p.id], authentication: [style.value] } : { provider: [p.id] },
		},
	})),
);

const names = (entries: Array<[string, string]>) => JSON.stringify(Object.fromEntries(entries));

/**
 * Options for every operation; each operation adds its own (see Operation.options). Their types,
 * defaults and bounds are also what input.ts checks a value against: one place for each.
 */
export const commonOptions: INodeProperties[] = [
	{
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50, numberPrecision: 0 },
		default: 5,
		description: 'How many items are processed at once. The output order never changes.',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
		default: 3,
		description: 'Retries for rate limits (429), gateway errors (502, 503, 504) and network failures',
	},
	{
		displayName: 'Max Retry Wait (Seconds)',
		name: 'maxRetryWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 86_400 },
		default: 60,
		description: 'When the provider asks to wait longer than this, stop and report rate_limited with the wait',
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 3_600 },
		default: 30,
		description: 'Time limit for each request, including the whole answer',
	},
];

/** The Options collection: the common options and the operations' own, shown for those that declare them, in A-Z order. */
function optionsFor(version: number): INodeProperties[] {
	const own = new Map<string, { option: INodeProperties; operations: string[] }>();
	for (const operation of operationsOf(version)) {
		for (const option of operation.options ?? []) {
			const entry = own.get(option.name) ?? { option, operations: [] };
			entry.operations.push(operation.value);
			own.set(option.name, entry);
		}
	}
	const shown = [...own.values()].map(({ option, operations }) => ({
		...option,
		displayOptions: { show: { '/operation': operations } },
	}));
	return [...commonOptions, ...shown].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export function describeVersion(version: number): Pick<INodeTypeDescription, 'subtitle' | 'credentials' | 'properties'> {
	const operations = operationsOf(version);
	const [first] = all;
	// The first of each registry is the default (the lint rule reads names, not expressions).
	const defaultProvider = first.id;
	const defaultAuthentication = withChoice[0]?.authStyles[0].value ?? '';
	const defaultOperation = operations[0].value;
	const subtitle = `={{ (${names(all.map((p) => [p.id, p.name]))})[$parameter["provider"]] + ": " + ((${names(operations.map((o) => [o.value, o.name]))})[$parameter["operation"]] || ${JSON.stringify(operations[0].name)}) }}`;
	const properties: INodeProperties[] = [
		{
			displayName: 'Provider',
			name: 'provider',
			type: 'options',
			noDataExpression: true,
			required: true,
			options: all.map((p) => ({ name: p.label, value: p.id })).sort((a, b) => a.name.localeCompare(b.name)),
			default: defaultProvider,
			description: 'The tool that holds the invoice',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			noDataExpression: true,
			options: [...new Map(withChoice.flatMap((p) => p.authStyles).map((s) => [s.value, { name: s.name, value: s.value }])).values()],
			default: defaultAuthentication,
			description: withChoice.map((p) => p.authHint ?? '').join(' '),
			// `hide`, not `show: { provider }`: n8n's editor hides every parameter named in the `show`
			// options of a credential-deciding parameter (isAuthRelatedParameter in editor-ui's
			// nodeTypesUtils), which would hide Provider itself and leave no way to pick it.
			displayOptions: { hide: { provider: all.filter((p) => p.authStyles.length < 2).map((p) => p.id) } },
		},
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			options: operations.map((o) => ({ name: o.name, value: o.value, action: o.action, description: o.description })),
			default: defaultOperation,
		},
		{
			displayName: 'Invoice ID',
			name: 'invoiceId',
			type: 'string',
			required: true,
			default: '',
			placeholder: `e.g. ${first.idExample}`,
			description: `ID of the invoice in the provider: ${all.map((p) => `${p.idHint} for ${p.name}`).join(', ')}`,
			// Only where an offered operation takes no Invoice ID (a list).
			...(operations.every((o) => o.perInvoice)
				? {}
				: { displayOptions: { show: { operation: operations.filter((o) => o.perInvoice).map((o) => o.value) } } }),
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: optionsFor(version),
		},
	];
	return { subtitle, credentials, properties };
}
