import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

export const RESERVATION_STATUSES = ['active', 'cancelled', 'no_show', 'completed'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];
export type ReservationSource = 'citizen' | 'staff' | 'import';

/** 予約: one visit of 1..5 persons in one or more consecutive slots. Written only by src/lib/server/booking. */
export class Reservation extends Model<InferAttributes<Reservation>, InferCreationAttributes<Reservation>> {
	declare id: CreationOptional<string>;
	declare bookingNumber: string;
	declare locationId: number;
	declare purposeId: number;
	declare partySize: number;
	declare status: CreationOptional<ReservationStatus>;
	declare date: string;
	declare startsAt: Date;
	declare endsAt: Date;
	declare checkedInAt: CreationOptional<Date | null>;
	declare email: CreationOptional<string | null>;
	declare source: ReservationSource;
	declare createdBy: CreationOptional<string | null>;
	declare overrideReason: CreationOptional<string | null>;
	declare createdAt: CreationOptional<Date>;
	declare updatedAt: CreationOptional<Date>;
	declare cancelledAt: CreationOptional<Date | null>;
	/** signed manage links are derived from it (src/lib/server/citizen/tokens.ts) */
	declare publicRef: CreationOptional<string>;
	declare tokenVersion: CreationOptional<number>;
	/** what the QR code carries (R-S15): random, no personal data */
	declare checkinCode: CreationOptional<string>;
	declare lang: CreationOptional<'ja' | 'en'>;
	declare reminderSentAt: CreationOptional<Date | null>;

	static initModel(sequelize: Sequelize) {
		Reservation.init(
			{
				id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
				bookingNumber: { type: DataTypes.STRING(16), allowNull: false },
				locationId: { type: DataTypes.INTEGER, allowNull: false },
				purposeId: { type: DataTypes.INTEGER, allowNull: false },
				partySize: { type: DataTypes.INTEGER, allowNull: false },
				status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'active' },
				date: { type: DataTypes.DATEONLY, allowNull: false },
				startsAt: { type: DataTypes.DATE, allowNull: false },
				endsAt: { type: DataTypes.DATE, allowNull: false },
				checkedInAt: { type: DataTypes.DATE, allowNull: true },
				email: { type: DataTypes.STRING(254), allowNull: true },
				source: { type: DataTypes.STRING(8), allowNull: false },
				createdBy: { type: DataTypes.STRING(64), allowNull: true },
				overrideReason: { type: DataTypes.STRING(500), allowNull: true },
				createdAt: DataTypes.DATE,
				updatedAt: DataTypes.DATE,
				cancelledAt: { type: DataTypes.DATE, allowNull: true },
				publicRef: { type: DataTypes.UUID, allowNull: false, defaultValue: DataTypes.UUIDV4 },
				tokenVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
				checkinCode: { type: DataTypes.STRING(40), allowNull: true },
				lang: { type: DataTypes.STRING(2), allowNull: false, defaultValue: 'ja' },
				reminderSentAt: { type: DataTypes.DATE, allowNull: true }
			},
			{ sequelize, tableName: 'reservations', underscored: true }
		);
	}
}

/** The slots a reservation occupies (several for a purpose that takes more than one). */
export class ReservationSlot extends Model<InferAttributes<ReservationSlot>, InferCreationAttributes<ReservationSlot>> {
	declare reservationId: string;
	declare slotId: string;

	static initModel(sequelize: Sequelize) {
		ReservationSlot.init(
			{
				reservationId: { type: DataTypes.BIGINT, primaryKey: true },
				slotId: { type: DataTypes.BIGINT, primaryKey: true }
			},
			{ sequelize, tableName: 'reservation_slots', underscored: true, timestamps: false }
		);
	}
}

/** One person (card) of a reservation. `active` is what the one-booking-per-card index (R-C12) looks at. */
export class ReservationPerson extends Model<InferAttributes<ReservationPerson>, InferCreationAttributes<ReservationPerson>> {
	declare id: CreationOptional<string>;
	declare reservationId: string;
	declare cardRecordId: string;
	declare position: CreationOptional<number>;
	declare active: CreationOptional<boolean>;
	declare createdAt: CreationOptional<Date>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		ReservationPerson.init(
			{
				id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
				reservationId: { type: DataTypes.BIGINT, allowNull: false },
				cardRecordId: { type: DataTypes.BIGINT, allowNull: false },
				position: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 1 },
				active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
				createdAt: DataTypes.DATE,
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'reservation_persons', underscored: true }
		);
	}
}
