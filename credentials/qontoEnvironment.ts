import type { INodeProperties } from 'n8n-workflow';

/** The Business API's base URLs per environment (Qonto's Business API docs, "Base URLs"); the node uses them too. */
export const QONTO_API_URLS = {
	production: 'https://thirdparty.qonto.com',
	sandbox: 'https://thirdparty-sandbox.staging.qonto.co',
} as const;

/** Environment, staging token and API base URL: the same for both Qonto credential types. */
export const qontoEnvironmentProperties: INodeProperties[] = [
	{
		displayName: 'Environment',
		name: 'environment',
		type: 'options',
		options: [
			{ name: 'Production', value: 'production' },
			{ name: 'Sandbox', value: 'sandbox' },
			{ name: 'Custom (Proxy or Local Sandbox)', value: 'custom' },
		],
		default: 'production',
	},
	{
		displayName: 'Staging Token',
		name: 'stagingToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description:
			'Staging token from the Qonto Developer Portal, sent as X-Qonto-Staging-Token on every sandbox request',
		displayOptions: { show: { environment: ['sandbox', 'custom'] } },
	},
	{
		displayName: 'API Base URL',
		name: 'apiBaseUrl',
		type: 'string',
		default: '',
		placeholder: 'https://qonto-proxy.example.com',
		description: 'Base URL of the Business API. Only https://, or http:// to this machine (localhost, 127.0.0.1, [::1]); no user, query or fragment.',
		displayOptions: { show: { environment: ['custom'] } },
	},
];
