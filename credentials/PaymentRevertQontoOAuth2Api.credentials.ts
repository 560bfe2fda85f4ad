import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { qontoEnvironmentProperties } from './qontoEnvironment';
import { guardedUrl } from './urlGuard';

// Hidden OAuth endpoints follow the chosen environment. Sandbox token calls need the
// X-Qonto-Staging-Token header, which n8n's generic OAuth2 flow cannot send: see the README.
const oauthBase = `$self["environment"] === "sandbox" ? "https://oauth-sandbox.staging.qonto.co" : $self["environment"] === "custom" ? ${guardedUrl('$self["oauthBaseUrl"] || ""')} : "https://oauth.qonto.com"`;

export class PaymentRevertQontoOAuth2Api implements ICredentialType {
	name = 'paymentRevertQontoOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Qonto OAuth2 API';

	icon: Icon = { light: 'file:../icons/qonto.svg', dark: 'file:../icons/qonto.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-payment-revert/n8n-nodes-payment-revert#qonto-oauth2';

	properties: INodeProperties[] = [
		...qontoEnvironmentProperties,
		{
			displayName: 'OAuth Base URL',
			name: 'oauthBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://qonto-oauth-proxy.example.com',
			description: 'Base URL serving /oauth2/auth and /oauth2/token. Only https://, or http:// to this machine (localhost, 127.0.0.1, [::1]).',
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: `={{ (${oauthBase}) + "/oauth2/auth" }}`,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: `={{ (${oauthBase}) + "/oauth2/token" }}`,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: 'offline_access supplier_invoice.read supplier_invoice.write',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];
}
