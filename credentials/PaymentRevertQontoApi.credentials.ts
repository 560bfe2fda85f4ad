import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { QONTO_API_URLS, qontoEnvironmentProperties } from './qontoEnvironment';
import { guardedTestRequest, guardedUrl } from './urlGuard';

export class PaymentRevertQontoApi implements ICredentialType {
	name = 'paymentRevertQontoApi';

	displayName = 'Qonto API';

	icon: Icon = { light: 'file:../icons/qonto.svg', dark: 'file:../icons/qonto.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-payment-revert/n8n-nodes-payment-revert#qonto-api-key';

	properties: INodeProperties[] = [
		{
			displayName: 'Login',
			name: 'login',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'pied-piper-7132',
			description: 'Organization login shown next to the secret key in Qonto (Settings, API key)',
		},
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		...qontoEnvironmentProperties,
	];

	// A function, not a generic block: the staging header must be absent outside the sandbox.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const headers: Record<string, string> = {
			...((requestOptions.headers as Record<string, string>) ?? {}),
			Authorization: `${String(credentials.login ?? '')}:${String(credentials.secretKey ?? '')}`,
		};
		const stagingToken = String(credentials.stagingToken ?? '');
		if (credentials.environment !== 'production' && stagingToken !== '') {
			headers['X-Qonto-Staging-Token'] = stagingToken;
		}
		return { ...requestOptions, headers };
	}

	test: ICredentialTestRequest = guardedTestRequest(
		{
			baseURL: `={{ $credentials.environment === "sandbox" ? "${QONTO_API_URLS.sandbox}" : $credentials.environment === "custom" ? ${guardedUrl('$credentials.apiBaseUrl || ""')} : "${QONTO_API_URLS.production}" }}`,
			url: '/v2/organization',
			method: 'GET',
		},
		' and, for the sandbox, the staging token (without it Qonto redirects to its login page)',
	);
}
