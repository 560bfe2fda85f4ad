import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { providers } from './providers';

const all = Object.values(providers);
const withChoice = all.filter((p) => p.authStyles.length > 1);

/** One credential entry per auth style, shown for its provider (and style, where there is a choice). */
export const credentials: INodeCredentialDescription[] = all.flatMap((p) =>
	p.authStyles.map((style) => ({
		name: style.credentialType,
		required: true,
		displayOptions: {
			show: p.authStyles.length > 1 ? { provider: [p.id], authentication: [style.value] } : { provider: [p.id] },
		},
	})),
);

/** Shows the provider's name in the node's subtitle. */
export const subtitle = `={{ (${JSON.stringify(Object.fromEntries(all.map((p) => [p.id, p.name])))})[$parameter["provider"]] + ": " + ($parameter["operation"] === "getStatus" ? "Get Payment Status" : "Revert Payment") }}`;

export const properties: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		required: true,
		options: all.map((p) => ({ name: p.label, value: p.id })).sort((a, b) => a.name.localeCompare(b.name)),
		default: 'qonto',
		description: 'The tool that holds the invoice',
	},
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		options: [...new Map(withChoice.flatMap((p) => p.authStyles).map((s) => [s.value, { name: s.name, value: s.value }])).values()],
		default: 'oAuth2',
		description: 'Qonto documents OAuth2 for changing supplier invoices; its API key may be read-only',
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
		options: [
			{
				name: 'Revert Payment',
				value: 'revertPayment',
				action: 'Revert a payment',
				description: 'Mark a paid invoice as unpaid again',
			},
			{
				name: 'Get Payment Status',
				value: 'getStatus',
				action: 'Get the payment status',
				description: 'Read whether the invoice is paid, without changing it',
			},
		],
		default: 'revertPayment',
	},
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 4d5418bb-bd0d-4df4-865c-c07afab8bb48',
		description:
			'ID of the invoice in the provider: a UUID for Qonto, a Contazen ID such as sup_1a2b3c for Contazen, a number for Wethod',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Capture Previous State',
				name: 'capturePreviousState',
				type: 'boolean',
				default: true,
				description:
					'Whether to read the invoice before reverting, so the output keeps the status, payment date and amount that the provider erases',
				displayOptions: { show: { '/operation': ['revertPayment'] } },
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 5,
				description: 'How many items are processed at once. The output order never changes.',
			},
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to only read the invoice and report would_revert or already_unpaid, changing nothing',
				displayOptions: { show: { '/operation': ['revertPayment'] } },
			},
			{
				displayName: 'If Not Paid',
				name: 'ifNotPaid',
				type: 'options',
				options: [
					{
						name: 'Succeed (Already Unpaid)',
						value: 'succeed',
						description: 'Return the invoice with outcome already_unpaid and change nothing',
					},
					{
						name: 'Fail',
						value: 'fail',
						description: 'Raise an invalid_state error',
					},
				],
				default: 'succeed',
				description: 'What a revert does when the invoice is not paid (for example on a re-run)',
				displayOptions: { show: { '/operation': ['revertPayment'] } },
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 3,
				description: 'Retries for rate limits (429), gateway errors (502, 503, 504) and network failures',
			},
			{
				displayName: 'Max Retry Wait (Seconds)',
				name: 'maxRetryWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				description:
					'When the provider asks to wait longer than this, stop and report rate_limited with the wait',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'Time limit for each request, including the whole answer',
			},
		],
	},
];
