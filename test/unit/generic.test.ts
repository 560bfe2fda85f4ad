/**
 * Generic code never tests which vendor it runs for (issue 12, finding 3): vendor differences are
 * data in the provider modules, so a fourth vendor touches one provider file, one credential, its
 * tests and registry lines (issue 13: a fifth operation, one operation module and a registry line).
 */
import { providers } from '../../nodes/PaymentRevert/providers';
import { readSource, sourceFiles } from './sources';

describe('vendor differences live in the provider modules', () => {
	const ids = Object.keys(providers);
	const vendorModule = (file: string) => ids.some((id) => file === `nodes/PaymentRevert/providers/${id}.ts`);
	const generic = sourceFiles('nodes').filter((file) => !vendorModule(file));
	const literal = `['"\`](?:${ids.join('|')})['"\`]`;
	const tests = [
		/\.id\s*[!=]==?/, // provider.id === …, … !== provider.id
		/[!=]==?\s*\S*\.id\b/,
		new RegExp(`[!=]==?\\s*${literal}|${literal}\\s*[!=]==?`), // … === 'qonto'
		new RegExp(`\\bcase\\s+${literal}`),
		new RegExp(`\\.(?:includes|indexOf|has)\\(\\s*${literal}`),
		/\[\s*(?:this\.)?provider\.id\s*\]/, // { qonto: … }[provider.id]
	];

	it('finds the generic files (and the vendor modules are the registry\'s)', () => {
		expect(generic).toEqual(
			expect.arrayContaining(
				[
					'operations/index.ts',
					'operations/common.ts',
					'operations/revertPayment.ts',
					'operations/getStatus.ts',
					'errors.ts',
					'execute.ts',
					'description.ts',
					'gateway.ts',
					'input.ts',
					'compat.ts',
					'result.ts',
					'transport/connection.ts',
					'transport/retry.ts',
					'transport/body.ts',
					'providers/answer.ts',
				].map((file) => `nodes/PaymentRevert/${file}`),
			),
		);
		expect(sourceFiles('nodes').filter(vendorModule)).toHaveLength(ids.length);
	});

	it.each(generic.map((file) => [file]))('%s never tests which vendor it is', (file) => {
		const lines = readSource(file).split('\n');
		const offending = lines.filter((line) => tests.some((test) => test.test(line)));
		expect(offending).toEqual([]);
	});
});
