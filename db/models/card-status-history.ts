import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';
import type { CardStatus } from '../../src/lib/domain/card-status.ts';

/** R-S08: one change of a card's status, with who, when, from, to and a note. */
export class CardStatusHistory extends Model<InferAttributes<CardStatusHistory>, InferCreationAttributes<CardStatusHistory>> {
	declare id: CreationOptional<string>;
	declare cardRecordId: string;
	declare fromStatus: CardStatus;
	declare toStatus: CardStatus;
	declare actorType: 'staff' | 'citizen' | 'system';
	declare actorId: CreationOptional<string | null>;
	declare reservationId: CreationOptional<string | null>;
	declare note: CreationOptional<string | null>;
	declare at: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		CardStatusHistory.init(
			{
				id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
				cardRecordId: { type: DataTypes.BIGINT, allowNull: false },
				fromStatus: { type: DataTypes.STRING(32), allowNull: false },
				toStatus: { type: DataTypes.STRING(32), allowNull: false },
				actorType: { type: DataTypes.STRING(16), allowNull: false },
				actorId: { type: DataTypes.STRING(64), allowNull: true },
				reservationId: { type: DataTypes.BIGINT, allowNull: true },
				note: { type: DataTypes.STRING(500), allowNull: true },
				at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW }
			},
			{ sequelize, tableName: 'card_status_history', underscored: true, timestamps: false }
		);
	}
}
