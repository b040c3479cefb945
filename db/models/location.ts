import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

export class Location extends Model<InferAttributes<Location>, InferCreationAttributes<Location>> {
	declare id: CreationOptional<number>;
	declare code: string;
	declare nameJa: string;
	declare nameEn: string;
	declare addressJa: CreationOptional<string>;
	declare addressEn: CreationOptional<string>;
	/** how to get there, shown on the confirmation and in mails (R-C09) */
	declare accessJa: CreationOptional<string>;
	declare accessEn: CreationOptional<string>;
	declare citizenBookable: CreationOptional<boolean>;
	declare sortOrder: CreationOptional<number>;
	declare createdAt: CreationOptional<Date>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		Location.init(
			{
				id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
				code: { type: DataTypes.STRING(32), allowNull: false },
				nameJa: { type: DataTypes.STRING(100), allowNull: false },
				nameEn: { type: DataTypes.STRING(100), allowNull: false },
				addressJa: { type: DataTypes.STRING(200), allowNull: false, defaultValue: '' },
				addressEn: { type: DataTypes.STRING(200), allowNull: false, defaultValue: '' },
				accessJa: { type: DataTypes.STRING(300), allowNull: false, defaultValue: '' },
				accessEn: { type: DataTypes.STRING(300), allowNull: false, defaultValue: '' },
				citizenBookable: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
				sortOrder: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
				createdAt: DataTypes.DATE,
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'locations', underscored: true }
		);
	}
}
