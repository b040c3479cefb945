import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';
import type { CardStatus } from '../../src/lib/domain/card-status.ts';

/** A card waiting to be handed out. Identified by notice ID + birth date: notice IDs repeat. */
export class CardRecord extends Model<InferAttributes<CardRecord>, InferCreationAttributes<CardRecord>> {
	declare id: CreationOptional<string>;
	declare noticeId: string;
	declare birthDate: string;
	declare nameKanji: string;
	declare nameKana: string;
	declare address: CreationOptional<string>;
	declare storageLocationId: number;
	declare boxPosition: CreationOptional<string>;
	declare status: CreationOptional<CardStatus>;
	/** 性別, JIS X 0303: 1 male, 2 female; null when the file did not say */
	declare gender: CreationOptional<1 | 2 | null>;
	/** 通知書発送日 */
	declare noticeSentOn: CreationOptional<string | null>;
	declare createdAt: CreationOptional<Date>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		CardRecord.init(
			{
				id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
				noticeId: { type: DataTypes.STRING(20), allowNull: false },
				birthDate: { type: DataTypes.DATEONLY, allowNull: false },
				nameKanji: { type: DataTypes.STRING(100), allowNull: false },
				nameKana: { type: DataTypes.STRING(100), allowNull: false },
				address: { type: DataTypes.STRING(200), allowNull: false, defaultValue: '' },
				storageLocationId: { type: DataTypes.INTEGER, allowNull: false },
				boxPosition: { type: DataTypes.STRING(40), allowNull: false, defaultValue: '' },
				status: { type: DataTypes.STRING(32), allowNull: false, defaultValue: 'notice_sent' },
				gender: { type: DataTypes.SMALLINT, allowNull: true },
				noticeSentOn: { type: DataTypes.DATEONLY, allowNull: true },
				createdAt: DataTypes.DATE,
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'card_records', underscored: true }
		);
	}
}
