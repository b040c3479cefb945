/**
 * Synthetic but realistic demo content. Deterministic (seeded PRNG) so screenshots and tests
 * see the same city every time. No real person's data.
 */
export const DEMO_LOCATIONS = [
	{
		code: 'honcho',
		nameJa: '市役所本庁舎 市民課',
		nameEn: 'City Hall (Main Office)',
		addressJa: '中央町1-1-1 本庁舎1階',
		addressEn: '1F Main Building, 1-1-1 Chuo-machi',
		accessJa: '中央駅から徒歩5分。市役所前バス停すぐ。来庁者用駐車場あり（2時間無料）。',
		accessEn: '5 minutes on foot from Chuo Station; next to the City Hall bus stop. Visitor parking (2 hours free).',
		sortOrder: 1
	},
	{
		code: 'kita',
		nameJa: '北支所',
		nameEn: 'North Branch',
		addressJa: '北町2-3-4',
		addressEn: '2-3-4 Kita-machi',
		accessJa: '北町駅北口から徒歩3分。駐車場は10台です。',
		accessEn: '3 minutes on foot from the north exit of Kitamachi Station. Parking for 10 cars.',
		sortOrder: 2
	},
	{
		code: 'minami',
		nameJa: '南支所',
		nameEn: 'South Branch',
		addressJa: '南町5-6-7',
		addressEn: '5-6-7 Minami-machi',
		accessJa: '市営バス「南支所前」下車すぐ。',
		accessEn: 'Next to the Minami Shisho-mae city bus stop.',
		sortOrder: 3
	}
] as const;

export const DEMO_STAFF = [
	{ login: 'admin', displayName: '管理者 太郎', role: 'admin' },
	{ login: 'supervisor', displayName: '監督者 花子', role: 'supervisor' },
	{ login: 'clerk', displayName: '窓口 一郎', role: 'clerk' },
	{ login: 'viewer', displayName: '閲覧 次郎', role: 'viewer' }
] as const;

const FAMILY = [
	['山田', 'ヤマダ'], ['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['高橋', 'タカハシ'], ['田中', 'タナカ'],
	['伊藤', 'イトウ'], ['渡辺', 'ワタナベ'], ['中村', 'ナカムラ'], ['小林', 'コバヤシ'], ['加藤', 'カトウ'],
	['吉田', 'ヨシダ'], ['山本', 'ヤマモト'], ['松本', 'マツモト'], ['井上', 'イノウエ'], ['木村', 'キムラ'],
	['林', 'ハヤシ'], ['清水', 'シミズ'], ['森', 'モリ'], ['池田', 'イケダ'], ['橋本', 'ハシモト']
] as const;
const GIVEN = [
	['翔太', 'ショウタ'], ['陽菜', 'ヒナ'], ['大輔', 'ダイスケ'], ['美咲', 'ミサキ'], ['健一', 'ケンイチ'],
	['さくら', 'サクラ'], ['拓海', 'タクミ'], ['結衣', 'ユイ'], ['誠', 'マコト'], ['由美子', 'ユミコ'],
	['蓮', 'レン'], ['葵', 'アオイ'], ['隆', 'タカシ'], ['恵子', 'ケイコ'], ['悠斗', 'ユウト'], ['七海', 'ナナミ']
] as const;
const TOWNS = ['中央町', '北町', '南町', '東町', '西町', '旭町', '本町', '緑町'] as const;

/** mulberry32: tiny, fast and good enough for demo data; seeded so the demo is reproducible. */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface DemoCard {
	noticeId: string;
	birthDate: string;
	nameKanji: string;
	nameKana: string;
	address: string;
	storageIndex: number;
	boxPosition: string;
}

/** `count` cards; about one in twenty shares its notice ID with an earlier card (different birth date). */
export function demoCards(count: number, seed = 20261123): DemoCard[] {
	const rnd = prng(seed);
	const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
	const cards: DemoCard[] = [];
	const seen = new Set<string>();
	while (cards.length < count) {
		const repeat = cards.length > 10 && rnd() < 0.05;
		const noticeId = repeat
			? cards[Math.floor(rnd() * cards.length)].noticeId
			: String(1_000_000_000 + Math.floor(rnd() * 8_999_999_999)).padStart(10, '0');
		const y = 1935 + Math.floor(rnd() * 85);
		const m = 1 + Math.floor(rnd() * 12);
		const d = 1 + Math.floor(rnd() * 28);
		const birthDate = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
		if (seen.has(`${noticeId}|${birthDate}`)) continue;
		seen.add(`${noticeId}|${birthDate}`);
		const [fk, fr] = pick(FAMILY);
		const [gk, gr] = pick(GIVEN);
		const storageIndex = rnd() < 0.7 ? 0 : 1 + Math.floor(rnd() * 2);
		cards.push({
			noticeId,
			birthDate,
			nameKanji: `${fk} ${gk}`,
			nameKana: `${fr} ${gr}`,
			address: `${pick(TOWNS)}${1 + Math.floor(rnd() * 9)}-${1 + Math.floor(rnd() * 20)}-${1 + Math.floor(rnd() * 30)}`,
			storageIndex,
			boxPosition: `箱${String(1 + Math.floor(cards.length / 50)).padStart(2, '0')}-${String((cards.length % 50) + 1).padStart(3, '0')}`
		});
	}
	return cards;
}
