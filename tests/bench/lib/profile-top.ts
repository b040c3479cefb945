/**
 * Where an app node's CPU went, from a V8 .cpuprofile (`STORM_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof"`):
 *   node tests/bench/lib/profile-top.ts prof/CPU.*.cpuprofile
 * Prints self time by package (node_modules/<pkg>, node: internals, the app's own files, idle/GC)
 * and the 25 functions with the most self time.
 */
import { readFileSync } from 'node:fs';

interface Node {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
}
interface Profile {
	nodes: Node[];
	samples: number[];
	timeDeltas: number[];
}

for (const file of process.argv.slice(2)) {
	const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
	const byId = new Map(p.nodes.map((n) => [n.id, n]));
	const self = new Map<number, number>();
	p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
	const total = [...self.values()].reduce((a, b) => a + b, 0);
	const groups = new Map<string, number>();
	const fns = new Map<string, number>();
	for (const [id, us] of self) {
		const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
		const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
		const group = functionName.startsWith('(') ? functionName : pkg ? pkg : url.startsWith('node:') ? 'node: internals' : url ? 'app (build/, src/, server/)' : '(native)';
		groups.set(group, (groups.get(group) ?? 0) + us);
		const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/[^/]+\//, '')}:${lineNumber + 1}`;
		fns.set(key, (fns.get(key) ?? 0) + us);
	}
	const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
	console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled`);
	for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(us)}  ${g}`);
	console.log('  top functions (self time):');
	for (const [f, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${pct(us)}  ${f}`);
}
