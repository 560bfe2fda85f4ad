import { contazen } from './contazen';
import { qonto } from './qonto';
import type { Provider, ProviderId } from './types';
import { wethod } from './wethod';

/** Adding a vendor: one provider module, one credential, its tests, and one line here. */
export const providers: Record<ProviderId, Provider> = { qonto, contazen, wethod };

export function getProvider(id: string): Provider | undefined {
	return Object.prototype.hasOwnProperty.call(providers, id) ? providers[id as ProviderId] : undefined;
}

export type * from './types';
