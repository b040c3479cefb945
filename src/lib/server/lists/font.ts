/**
 * The Japanese font embedded in every PDF (Noto Sans JP from npm), so a bare machine needs no
 * system fonts. Resolved through Node's resolver from this module, which works from the source
 * tree, under Vite and from the built server (build/ resolves node_modules the same way).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PKG = '@expo-google-fonts/noto-sans-jp';

let cache: { regular: Buffer; bold: Buffer } | undefined;

export function fontPaths() {
	return {
		regular: require.resolve(`${PKG}/400Regular/NotoSansJP_400Regular.ttf`),
		bold: require.resolve(`${PKG}/700Bold/NotoSansJP_700Bold.ttf`)
	};
}

/** Read once per process (about 11 MB together); each PDF embeds only the glyphs it uses. */
export function japaneseFonts(): { regular: Buffer; bold: Buffer } {
	if (!cache) {
		const p = fontPaths();
		cache = { regular: readFileSync(p.regular), bold: readFileSync(p.bold) };
	}
	return cache;
}
