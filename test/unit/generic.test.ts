/**
 * Generic code never tests which vendor it runs for (issue 12, finding 3): vendor differences are
 * data in the provider modules, so a fourth vendor touches one provider file, one credential, its
 * tests and one registry line.
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
		expect(generic).toEqual(expect.arrayContaining(['nodes/PaymentRevert/operations.ts', 'nodes/PaymentRevert/errors.ts', 'nodes/PaymentRevert/execute.ts', 'nodes/PaymentRevert/description.ts']));
		expect(sourceFiles('nodes').filter(vendorModule)).toHaveLength(ids.length);
	});

	it.each(generic.map((file) => [file]))('%s never tests which vendor it is', (file) => {
		const lines = readSource(file).split('\n');
		const offending = lines.filter((line) => tests.some((test) => test.test(line)));
		expect(offending).toEqual([]);
	});
});
