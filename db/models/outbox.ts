import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

/** Messages written in the same transaction as the change they announce, delivered after commit (mail, integrations). */
export class Outbox extends Model<InferAttributes<Outbox>, InferCreationAttributes<Outbox>> {
	declare id: CreationOptional<string>;
	declare topic: string;
	/** ids only, never personal data: the deliverer reads what it needs */
	declare payload: Record<string, unknown>;
	declare createdAt: CreationOptional<Date>;
	declare publishedAt: CreationOptional<Date | null>;
	declare attempts: CreationOptional<number>;
	declare nextAttemptAt: CreationOptional<Date>;
	declare lastError: CreationOptional<string | null>;
	/** given up after the last retry: shown to staff */
	declare failedAt: CreationOptional<Date | null>;

	static initModel(sequelize: Sequelize) {
		Outbox.init(
			{
				id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
				topic: { type: DataTypes.STRING(64), allowNull: false },
				payload: { type: DataTypes.JSONB, allowNull: false },
				createdAt: DataTypes.DATE,
				publishedAt: { type: DataTypes.DATE, allowNull: true },
				attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
				nextAttemptAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
				lastError: { type: DataTypes.STRING(500), allowNull: true },
				failedAt: { type: DataTypes.DATE, allowNull: true }
			},
			{ sequelize, tableName: 'outbox', underscored: true, updatedAt: false }
		);
	}
}
