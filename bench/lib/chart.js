'use strict';
/**
 * A plain SVG bar chart of the benchmark's ratios: one row per figure (median bar, min–max
 * whisker, target as a red tick), grouped by section, each group on its own scale.
 */
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function chart(points, title) {
	const groups = [];
	for (const p of points) {
		let g = groups.find((x) => x.name === p.group);
		if (!g) groups.push((g = { name: p.group, points: [] }));
		g.points.push(p);
	}
	const W = 760;
	const LABEL = 170;
	const BAR_W = 460;
	const ROW = 22;
	let y = 40;
	const parts = [];
	for (const g of groups) {
		const scale = Math.max(...g.points.map((p) => Math.max(p.max, p.target || 0, p.value))) * 1.1 || 1;
		const x = (v) => LABEL + (v / scale) * BAR_W;
		parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${esc(g.name)}</text>`);
		y += 20;
		for (const p of g.points) {
			const met = p.target === undefined ? null : p.better === 'lower' ? p.value <= p.target : p.value >= p.target;
			const fill = met === null ? '#6b8fb5' : met ? '#4c9a5b' : '#c96a3b';
			parts.push(`<text x="${LABEL - 6}" y="${y + 14}" text-anchor="end">${esc(p.label)}</text>`);
			parts.push(`<rect x="${LABEL}" y="${y + 3}" width="${Math.max(1, x(p.value) - LABEL).toFixed(1)}" height="${ROW - 8}" fill="${fill}"/>`);
			parts.push(`<line x1="${x(p.min).toFixed(1)}" x2="${x(p.max).toFixed(1)}" y1="${y + 10}" y2="${y + 10}" stroke="#222" stroke-width="1.5"/>`);
			if (p.target !== undefined) parts.push(`<line x1="${x(p.target).toFixed(1)}" x2="${x(p.target).toFixed(1)}" y1="${y}" y2="${y + ROW - 2}" stroke="#d00" stroke-width="2"/>`);
			const shown = p.value >= 10 ? p.value.toFixed(0) : p.value.toFixed(2);
			parts.push(`<text x="${(Math.max(x(p.value), x(p.max)) + 6).toFixed(1)}" y="${y + 14}">${shown}${p.target !== undefined ? ` (target ${p.better === 'lower' ? '≤' : '≥'} ${p.target})` : ''}</text>`);
			y += ROW;
		}
		y += 10;
	}
	const legend = `<text x="10" y="${y + 12}" fill="#555">Bars: median ratio to the in-run baseline; black line: min–max; red tick: target (green met, orange not met).</text>`;
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 30}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>
${parts.join('\n')}
${legend}
</svg>
`;
}

module.exports = { chart };
