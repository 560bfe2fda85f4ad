import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { guardedTestRequest, guardedUrl } from './urlGuard';

/** The API's documented base URL (the node uses it too when the field is empty). */
export const CONTAZEN_BASE_URL = 'https://api.contazen.ro/v1';

export class PaymentRevertContazenApi implements ICredentialType {
	name = 'paymentRevertContazenApi';

	displayName = 'Contazen API';

	icon: Icon = { light: 'file:../icons/contazen.svg', dark: 'file:../icons/contazen.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-payment-revert/n8n-nodes-payment-revert#contazen';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'sk_live_…',
			description: 'Key from Contazen Settings, API Keys: starts with sk_live_ (or sk_test_)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: CONTAZEN_BASE_URL,
			description: 'Change only for a proxy. Only https://, or http:// to this machine (localhost, 127.0.0.1, [::1]); no user, query or fragment.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = guardedTestRequest({
		baseURL: `={{ ${guardedUrl(`$credentials.baseUrl || "${CONTAZEN_BASE_URL}"`)} }}`,
		url: '/settings',
		method: 'GET',
		headers: { Accept: 'application/json' },
	});
}
