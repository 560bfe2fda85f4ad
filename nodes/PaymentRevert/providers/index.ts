import { contazen } from './contazen';
import { qonto } from './qonto';
import type { Provider, ProviderId } from './types';
import { wethod } from './wethod';

/** Adding a vendor: one provider module, one credential, its tests, and one line here. */
export const providers: Record<ProviderId, Provider> = { qonto, contazen, wethod };

export function getProvider(id: string): Provider | undefined {
	return Object.prototype.hasOwnProperty.call(providers, id) ? providers[id as ProviderId] : undefined;
}

/** The credential type for the node's `authentication` value (ignored with a single style). */
export function credentialTypeOf(provider: Provider, authentication: string): string {
	const style = provider.authStyles.find((s) => s.value === authentication) ?? provider.authStyles[0];
	return style.credentialType;
}

export type * from './types';
