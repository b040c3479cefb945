/**
 * A small line chart as SVG text (no plotting dependency): one or more panels, each with a log or
 * linear x axis, a linear y axis from 0, and named series of points.
 */
export interface Series {
	name: string;
	color: string;
	points: [number, number][];
	dashed?: boolean;
}

export interface Panel {
	title: string;
	xLabel: string;
	yLabel: string;
	logX?: boolean;
	series: Series[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const nice = (x: number) => {
	if (x <= 0) return 1;
	const p = 10 ** Math.floor(Math.log10(x));
	for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
	return 10 * p;
};
const fmt = (x: number) => (x >= 1000 ? `${+(x / 1000).toFixed(2)}k` : `${+x.toFixed(1)}`);

export function chart(title: string, panels: Panel[]): string {
	const W = 440;
	const H = 300;
	const m = { l: 60, r: 16, t: 40, b: 64 };
	const out: string[] = [];
	out.push(
		`<svg xmlns="http://www.w3.org/2000/svg" width="${W * panels.length}" height="${H + 30}" viewBox="0 0 ${W * panels.length} ${H + 30}" font-family="sans-serif" font-size="12">`,
		`<rect width="100%" height="100%" fill="#fff"/>`,
		`<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`
	);
	panels.forEach((p, k) => {
		const ox = k * W;
		const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
		const xs = pts.map(([x]) => x);
		const xmin = Math.min(...xs);
		const xmax = Math.max(...xs);
		const ymax = nice(Math.max(...pts.map(([, y]) => y)) * 1.05);
		const fx = (x: number) => {
			const f = p.logX ? (Math.log(x) - Math.log(xmin)) / (Math.log(xmax) - Math.log(xmin) || 1) : (x - xmin) / (xmax - xmin || 1);
			return ox + m.l + f * (W - m.l - m.r);
		};
		const fy = (y: number) => 30 + m.t + (1 - y / ymax) * (H - m.t - m.b);
		out.push(`<text x="${ox + m.l}" y="${30 + m.t - 12}" font-weight="bold">${esc(p.title)}</text>`);
		for (let i = 0; i <= 4; i++) {
			const y = (ymax * i) / 4;
			out.push(
				`<line x1="${ox + m.l}" x2="${ox + W - m.r}" y1="${fy(y)}" y2="${fy(y)}" stroke="#ddd"/>`,
				`<text x="${ox + m.l - 6}" y="${fy(y) + 4}" text-anchor="end">${fmt(y)}</text>`
			);
		}
		for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
			out.push(`<text x="${fx(x)}" y="${fy(0) + 16}" text-anchor="middle">${fmt(x)}</text>`);
		}
		out.push(
			`<line x1="${ox + m.l}" x2="${ox + W - m.r}" y1="${fy(0)}" y2="${fy(0)}" stroke="#333"/>`,
			`<text x="${ox + (W + m.l) / 2}" y="${fy(0) + 34}" text-anchor="middle">${esc(p.xLabel)}</text>`,
			`<text transform="translate(${ox + 14} ${(fy(0) + fy(ymax)) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`
		);
		let lx = ox + m.l;
		p.series.forEach((s) => {
			const ok = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
			const d = ok.map(([x, y], i) => `${i ? 'L' : 'M'}${fx(x).toFixed(1)},${fy(y).toFixed(1)}`).join(' ');
			out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
			for (const [x, y] of ok) out.push(`<circle cx="${fx(x).toFixed(1)}" cy="${fy(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
			const ly = fy(0) + 50;
			out.push(
				`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
				`<text x="${lx + 22}" y="${ly}">${esc(s.name)}</text>`
			);
			lx += 40 + s.name.length * 7;
		});
	});
	out.push('</svg>');
	return out.join('\n');
}
