import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

/** 枠: one bookable interval. `version` grows with every change so clients can drop stale deltas (R-L04). */
export class Slot extends Model<InferAttributes<Slot>, InferCreationAttributes<Slot>> {
	declare id: CreationOptional<string>;
	declare locationId: number;
	declare date: string;
	declare startsAt: Date;
	declare endsAt: Date;
	declare capacity: number;
	declare booked: CreationOptional<number>;
	declare held: CreationOptional<number>;
	declare checkedIn: CreationOptional<number>;
	declare version: CreationOptional<string>;
	/** set by a live capacity change (R-S05): regeneration from the rules then leaves the capacity alone */
	declare capacityManual: CreationOptional<boolean>;
	declare createdAt: CreationOptional<Date>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		Slot.init(
			{
				id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
				locationId: { type: DataTypes.INTEGER, allowNull: false },
				date: { type: DataTypes.DATEONLY, allowNull: false },
				startsAt: { type: DataTypes.DATE, allowNull: false },
				endsAt: { type: DataTypes.DATE, allowNull: false },
				capacity: { type: DataTypes.INTEGER, allowNull: false },
				booked: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
				held: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
				checkedIn: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
				version: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 1 },
				capacityManual: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
				createdAt: DataTypes.DATE,
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'slots', underscored: true }
		);
	}
}
