/**
 * 交付場所 as every screen lists them: the verbs routes call instead of reaching the models
 * (`import * as locations from '$lib/server/scheduling/locations.ts'`), and the one listing order
 * (the admins' 表示順, then id) that locations and 用件 are shown in everywhere.
 */
import type { Order } from 'sequelize';
import type { AppContext } from '../context.ts';

/** The listing order of locations and purposes, for Sequelize finders. */
export const LISTING_ORDER: Order = [
	['sortOrder', 'ASC'],
	['id', 'ASC']
];

/** The same order in SQL, for a table or its alias (`listingOrderSql('p')` → `p.sort_order, p.id`). */
export const listingOrderSql = (alias?: string): string => (alias ? `${alias}.sort_order, ${alias}.id` : 'sort_order, id');

export interface LocationView {
	id: number;
	code: string;
	nameJa: string;
	nameEn: string;
	addressJa: string;
	addressEn: string;
	accessJa: string;
	accessEn: string;
	citizenBookable: boolean;
	sortOrder: number;
}

type LocationRow = LocationView;

const view = (l: LocationRow): LocationView => ({
	id: l.id,
	code: l.code,
	nameJa: l.nameJa,
	nameEn: l.nameEn,
	addressJa: l.addressJa,
	addressEn: l.addressEn,
	accessJa: l.accessJa,
	accessEn: l.accessEn,
	citizenBookable: l.citizenBookable,
	sortOrder: l.sortOrder
});

/** Every location (or only those citizens may book at), in the listing order. */
export async function list(ctx: Pick<AppContext, 'db'>, where: { citizenBookable?: boolean } = {}): Promise<LocationView[]> {
	const rows = await ctx.db.models.Location.findAll({ where: where.citizenBookable === undefined ? {} : { citizenBookable: where.citizenBookable }, order: LISTING_ORDER });
	return rows.map(view);
}

/** The first location in the listing order (the city's main office, by the admins' order), or null in an empty city. */
export async function first(ctx: Pick<AppContext, 'db'>): Promise<LocationView | null> {
	const row = await ctx.db.models.Location.findOne({ order: LISTING_ORDER });
	return row ? view(row) : null;
}

/** One location, or null when there is none with this id. */
export async function get(ctx: Pick<AppContext, 'db'>, id: number): Promise<LocationView | null> {
	const row = await ctx.db.models.Location.findByPk(id);
	return row ? view(row) : null;
}
