import { Model, DataTypes } from 'sequelize';
import type { LocalizedText } from '../../src/lib/domain/locale-text.ts';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

/** City-wide settings: one row (id 1). */
export class CitySettings extends Model<InferAttributes<CitySettings>, InferCreationAttributes<CitySettings>> {
	declare id: CreationOptional<number>;
	/** R-C07: 1..5 persons in one booking */
	declare maxPersonsPerBooking: CreationOptional<number>;
	/** R-C15: how long a citizen's chosen time is held while confirming */
	declare holdMinutes: CreationOptional<number>;
	/** R-S18: texts per locale tag, `ja` always present (src/lib/domain/locale-text.ts) */
	declare cityName: CreationOptional<LocalizedText>;
	/** R-C02: how long an emailed link stays valid */
	declare linkMinutes: CreationOptional<number>;
	/** R-C11: the reminder goes this many days before the visit (0: none) */
	declare reminderDays: CreationOptional<number>;
	declare contact: CreationOptional<LocalizedText>;
	declare privacyNotice: CreationOptional<LocalizedText>;
	declare help: CreationOptional<LocalizedText>;
	/** R-W04: citizens' changes close this many days before the visit (0: no cut-off) */
	declare changeCutoffDays: CreationOptional<number>;
	/** R-W02: how long a waiting-list offer is held */
	declare waitlistOfferMinutes: CreationOptional<number>;
	/** R-Q: a booked visitor later than this waits as a walk-in */
	declare lateArrivalMinutes: CreationOptional<number>;
	/** a waiting time above this alerts staff */
	declare waitAlertMinutes: CreationOptional<number>;
	/** R-C13 */
	declare maintenanceActive: CreationOptional<boolean>;
	declare maintenanceFrom: CreationOptional<Date | null>;
	declare maintenanceUntil: CreationOptional<Date | null>;
	declare maintenanceMessage: CreationOptional<LocalizedText>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		CitySettings.init(
			{
				id: { type: DataTypes.SMALLINT, primaryKey: true, defaultValue: 1 },
				maxPersonsPerBooking: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 5 },
				holdMinutes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 10 },
				cityName: { type: DataTypes.JSONB, allowNull: false, defaultValue: { ja: 'デモ市', en: 'Demo City' } },
				linkMinutes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 30 },
				reminderDays: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 2 },
				contact: { type: DataTypes.JSONB, allowNull: false, defaultValue: { ja: '' } },
				privacyNotice: { type: DataTypes.JSONB, allowNull: false, defaultValue: { ja: '' } },
				help: { type: DataTypes.JSONB, allowNull: false, defaultValue: { ja: '' } },
				changeCutoffDays: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
				waitlistOfferMinutes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 60 },
				lateArrivalMinutes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 15 },
				waitAlertMinutes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 30 },
				maintenanceActive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
				maintenanceFrom: { type: DataTypes.DATE, allowNull: true },
				maintenanceUntil: { type: DataTypes.DATE, allowNull: true },
				maintenanceMessage: { type: DataTypes.JSONB, allowNull: false, defaultValue: { ja: '' } },
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'city_settings', underscored: true, createdAt: false }
		);
	}
}
