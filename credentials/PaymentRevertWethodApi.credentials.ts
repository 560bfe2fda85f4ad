import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { guardedTestRequest, guardedUrl } from './urlGuard';

/** The API's base URL and the one version seen anywhere (the node uses them too when the fields are empty). */
export const WETHOD_BASE_URL = 'https://api.wethod.com';
export const WETHOD_API_VERSION = '2024-06-15';

export class PaymentRevertWethodApi implements ICredentialType {
	name = 'paymentRevertWethodApi';

	displayName = 'Wethod API';

	icon: Icon = { light: 'file:../icons/wethod.svg', dark: 'file:../icons/wethod.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-payment-revert/n8n-nodes-payment-revert#wethod';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Personal API token from your Wethod account settings',
		},
		{
			displayName: 'Company',
			name: 'company',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'acme',
			description: 'Company slug: the subdomain of your Wethod address (acme for acme.wethod.com)',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: WETHOD_API_VERSION,
			description: 'Sent as the Wethod-Version header',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: WETHOD_BASE_URL,
			description: 'Change only for a proxy. Only https://, or http:// to this machine (localhost, 127.0.0.1, [::1]); no user, query or fragment.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
				'Wethod-Company': '={{$credentials.company}}',
				'Wethod-Version': `={{$credentials.apiVersion || "${WETHOD_API_VERSION}"}}`,
			},
		},
	};

	test: ICredentialTestRequest = guardedTestRequest({
		baseURL: `={{ ${guardedUrl(`$credentials.baseUrl || "${WETHOD_BASE_URL}"`)} }}`,
		url: '/api/persons/me',
		method: 'GET',
		headers: { Accept: 'application/json' },
	});
}
