// Copies the icons next to the compiled node and credentials. `n8n-node build` copies them
// too; this keeps `dist/` complete when only `tsc` ran (e.g. `npm run build:watch`).
const { src, dest, parallel } = require('gulp');

const copy = (glob, base) => () => src(glob, { base, encoding: false }).pipe(dest('dist'));

exports['build:icons'] = parallel(
	copy('icons/**/*.{png,svg}', '.'),
	copy('nodes/**/*.{png,svg}', '.'),
	copy('credentials/**/*.{png,svg}', '.'),
);
