import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

/** City-wide settings: one row (id 1). */
export class CitySettings extends Model<InferAttributes<CitySettings>, InferCreationAttributes<CitySettings>> {
	declare id: CreationOptional<number>;
	/** R-C07: 1..5 persons in one booking */
	declare maxPersonsPerBooking: CreationOptional<number>;
	/** R-C15: how long a citizen's chosen time is held while confirming */
	declare holdMinutes: CreationOptional<number>;
	declare cityNameJa: CreationOptional<string>;
	declare cityNameEn: CreationOptional<string>;
	/** R-C02: how long an emailed link stays valid */
	declare linkMinutes: CreationOptional<number>;
	/** R-C11: the reminder goes this many days before the visit (0: none) */
	declare reminderDays: CreationOptional<number>;
	declare contactJa: CreationOptional<string>;
	declare contactEn: CreationOptional<string>;
	/** R-C13 */
	declare maintenanceActive: CreationOptional<boolean>;
	declare maintenanceFrom: CreationOptional<Date | null>;
	declare maintenanceUntil: CreationOptional<Date | null>;
	declare maintenanceMessageJa: CreationOptional<string>;
	declare maintenanceMessageEn: CreationOptional<string>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		CitySettings.init(
			{
				id: { type: DataTypes.SMALLINT, primaryKey: true, defaultValue: 1 },
				maxPersonsPerBooking: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 5 },
				holdMinutes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 10 },
				cityNameJa: { type: DataTypes.STRING(100), allowNull: false, defaultValue: 'デモ市' },
				cityNameEn: { type: DataTypes.STRING(100), allowNull: false, defaultValue: 'Demo City' },
				linkMinutes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 30 },
				reminderDays: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 2 },
				contactJa: { type: DataTypes.STRING(200), allowNull: false, defaultValue: '' },
				contactEn: { type: DataTypes.STRING(200), allowNull: false, defaultValue: '' },
				maintenanceActive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
				maintenanceFrom: { type: DataTypes.DATE, allowNull: true },
				maintenanceUntil: { type: DataTypes.DATE, allowNull: true },
				maintenanceMessageJa: { type: DataTypes.STRING(500), allowNull: false, defaultValue: '' },
				maintenanceMessageEn: { type: DataTypes.STRING(500), allowNull: false, defaultValue: '' },
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'city_settings', underscored: true, createdAt: false }
		);
	}
}
