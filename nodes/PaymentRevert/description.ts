/**
 * The node's parameters, credentials and subtitle for one node version, built from the two
 * registries (providers, operations): a vendor or an operation added there shows up here, and an
 * operation from a later version (`since`) stays out of the earlier ones.
 */
import type { INodeCredentialDescription, INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { operationsOf, type Operation } from './operations';
import { OUTPUT_SINCE, outputOption } from './output';
import { providers } from './providers';
import { fromAiInvoiceId, TOOL_SINCE, toolProperties } from './tool';

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

/** The options every operation of a node version has (the run checks them against these too). */
export function commonOptionsOf(version: number): INodeProperties[] {
	return version >= OUTPUT_SINCE ? [...commonOptions, outputOption] : commonOptions;
}

/** The Options collection: the common options and the operations' own, shown for those that declare them, in A-Z order. */
function optionsFor(version: number): INodeProperties[] {
	const own = new Map<string, { option: INodeProperties; since: number; operations: string[] }>();
	for (const operation of operationsOf(version)) {
		for (const option of operation.options ?? []) {
			const entry = own.get(option.name) ?? { option, since: operation.since, operations: [] };
			// A shared option shows the newest operation's wording, which covers the earlier ones.
			if (operation.since > entry.since) Object.assign(entry, { option, since: operation.since });
			entry.operations.push(operation.value);
			own.set(option.name, entry);
		}
	}
	const shown = [...own.values()].map(({ option, operations }) => ({
		...option,
		displayOptions: { show: { '/operation': operations } },
	}));
	return [...commonOptionsOf(version), ...shown].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** From this version on, the editor offers an operation only for the providers that support it. */
const OFFERED_BY_PROVIDER_SINCE = 2;

/**
 * The Operation parameter: one for every provider in version 1; from version 2 one per group of
 * providers that support the same operations, shown for that group (n8n shows the one whose
 * display rules match, as it does for one `operation` per resource). An operation reached anyway
 * (an expression, an imported workflow) still fails as `unsupported` at run time.
 */
function operationProperties(operations: Operation[], version: number): INodeProperties[] {
	const property = (offered: Operation[]): INodeProperties => {
		// The first offered is the default (the lint rule reads names, not expressions).
		const defaultOperation = offered[0].value;
		return {
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			options: offered.map((o) => ({ name: o.name, value: o.value, action: o.action, description: o.description })),
			default: defaultOperation,
		};
	};
	if (version < OFFERED_BY_PROVIDER_SINCE) return [property(operations)];
	const groups = new Map<string, { offered: Operation[]; providers: string[] }>();
	for (const provider of all) {
		const offered = operations.filter((o) => o.supports(provider));
		const key = offered.map((o) => o.value).join();
		const group = groups.get(key) ?? { offered, providers: [] };
		group.providers.push(provider.id);
		groups.set(key, group);
	}
	return [...groups.values()].map(({ offered, providers: shownFor }) => ({
		...property(offered),
		displayOptions: { show: { provider: shownFor } },
	}));
}

/** A parameter of one operation: shown for it alone (besides its own display rules). */
function shownFor(property: INodeProperties, operation: string): INodeProperties {
	const show = { ...property.displayOptions?.show, operation: [operation] };
	return { ...property, displayOptions: { ...property.displayOptions, show } };
}

/**
 * The Invoice ID, for the operations that act on one invoice (only they show it). Version 1: a
 * text. From version 2: a resource locator per provider, picked from the vendor's paid invoices
 * (listSearch.ts) or given by ID, checked in the editor with the provider's ID pattern; used as an
 * agent's tool, by ID from the agent's `$fromAI` argument (tool.ts).
 */
function invoiceIdProperties(version: number, operations: Operation[]): INodeProperties[] {
	const [first] = all;
	const perInvoice = operations.filter((o) => o.perInvoice).map((o) => o.value);
	// Only where an offered operation takes no Invoice ID (a list).
	const onlyFor = operations.every((o) => o.perInvoice) ? {} : { operation: perInvoice };
	if (version < 2) {
		return [
			{
				displayName: 'Invoice ID',
				name: 'invoiceId',
				type: 'string',
				required: true,
				default: '',
				placeholder: `e.g. ${first.idExample}`,
				description: `ID of the invoice in the provider: ${all.map((p) => `${p.idHint} for ${p.name}`).join(', ')}`,
				...(Object.keys(onlyFor).length ? { displayOptions: { show: onlyFor } } : {}),
			},
		];
	}
	const locator = (p: (typeof all)[number], tool: boolean): INodeProperties => ({
		displayName: 'Invoice',
		name: 'invoiceId',
		type: 'resourceLocator',
		required: true,
		// As a tool, the agent gives the ID (the editor shows the $fromAI placeholder, which the author may replace).
		default: { mode: tool ? 'id' : 'list', value: tool ? fromAiInvoiceId(p) : '' },
		description: `The ${p.noun} in ${p.name}: pick a paid one, or give its ID (${p.idHint})`,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a paid ${p.noun}...`,
				typeOptions: { searchListMethod: 'searchInvoices', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${p.idExample}`,
				// The run checks every ID with the same pattern (input.ts); the editor only where it can
				// read the pattern (no flags).
				...(p.idPattern.flags === ''
					? { validation: [{ type: 'regex' as const, properties: { regex: p.idPattern.source, errorMessage: `Not a valid ID: expected ${p.idFormat}` } }] }
					: {}),
			},
		],
		// '@tool': n8n shows one of the two, and fills in its default, by whether the node is a tool.
		displayOptions: tool
			? { show: { provider: [p.id], ...onlyFor, '@tool': [true] } }
			: { show: { provider: [p.id], ...onlyFor }, hide: { '@tool': [true] } },
	});
	return [...all.map((p) => locator(p, false)), ...all.map((p) => locator(p, true))];
}

export function describeVersion(version: number): Pick<INodeTypeDescription, 'subtitle' | 'credentials' | 'properties'> {
	const operations = operationsOf(version);
	const [first] = all;
	// The first of each registry is the default (the lint rule reads names, not expressions).
	const defaultProvider = first.id;
	const defaultAuthentication = withChoice[0]?.authStyles[0].value ?? '';
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
		...operationProperties(operations, version),
		...(version >= TOOL_SINCE ? toolProperties(operations) : []),
		...invoiceIdProperties(version, operations),
		...operations.flatMap((o) => (o.parameters ?? []).map((p) => shownFor(p, o.value))),
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
