import { contazen } from './contazen';
import { qonto } from './qonto';
import type { Provider } from './types';
import { wethod } from './wethod';

/**
 * Adding a vendor: one provider module, one credential (and its line in package.json), its
 * tests, and one line here. Nothing else: the node's options, credentials and messages come from
 * this registry, in this order (the first is the default).
 */
const registry = { qonto, contazen, wethod };

export type ProviderId = keyof typeof registry;

export const providers: Record<ProviderId, Provider> = registry;

export function getProvider(id: string): Provider | undefined {
	return Object.prototype.hasOwnProperty.call(providers, id) ? providers[id as ProviderId] : undefined;
}

/** The credential type for the node's `authentication` value (ignored with a single style). */
export function credentialTypeOf(provider: Provider, authentication: string): string {
	const style = provider.authStyles.find((s) => s.value === authentication) ?? provider.authStyles[0];
	return style.credentialType;
}

export type * from './types';
