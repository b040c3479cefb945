import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

/** City-wide settings: one row (id 1). */
export class CitySettings extends Model<InferAttributes<CitySettings>, InferCreationAttributes<CitySettings>> {
	declare id: CreationOptional<number>;
	/** R-C07: 1..5 persons in one booking */
	declare maxPersonsPerBooking: CreationOptional<number>;
	/** R-C15: how long a citizen's chosen time is held while confirming */
	declare holdMinutes: CreationOptional<number>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		CitySettings.init(
			{
				id: { type: DataTypes.SMALLINT, primaryKey: true, defaultValue: 1 },
				maxPersonsPerBooking: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 5 },
				holdMinutes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 10 },
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'city_settings', underscored: true, createdAt: false }
		);
	}
}
