import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

/** 用件 (R-S17): why a citizen comes; each has its own precautions (R-C08) and may take several slots. */
export class Purpose extends Model<InferAttributes<Purpose>, InferCreationAttributes<Purpose>> {
	declare id: CreationOptional<number>;
	declare code: string;
	declare nameJa: string;
	declare nameEn: string;
	declare durationSlots: CreationOptional<number>;
	declare precautionsJa: CreationOptional<string>;
	declare precautionsEn: CreationOptional<string>;
	declare active: CreationOptional<boolean>;
	declare sortOrder: CreationOptional<number>;
	declare createdAt: CreationOptional<Date>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		Purpose.init(
			{
				id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
				code: { type: DataTypes.STRING(32), allowNull: false },
				nameJa: { type: DataTypes.STRING(100), allowNull: false },
				nameEn: { type: DataTypes.STRING(100), allowNull: false },
				durationSlots: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
				precautionsJa: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
				precautionsEn: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
				active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
				sortOrder: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
				createdAt: DataTypes.DATE,
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'purposes', underscored: true }
		);
	}
}
