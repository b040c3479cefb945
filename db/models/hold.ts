import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

/** R-C15: places held for a citizen while they read the precautions and confirm. */
export class Hold extends Model<InferAttributes<Hold>, InferCreationAttributes<Hold>> {
	declare id: string;
	declare locationId: number;
	declare purposeId: number;
	declare slotIds: string[];
	declare partySize: number;
	declare tokenHash: CreationOptional<string | null>;
	/** the citizen session holding it (R-C15: one live hold per session) */
	declare citizenSessionId: CreationOptional<string | null>;
	/** the cards verified for it (R-C03), booked on confirm */
	declare cardIds: CreationOptional<string[]>;
	declare expiresAt: Date;
	declare releasedAt: CreationOptional<Date | null>;
	declare releaseReason: CreationOptional<'expired' | 'cancelled' | 'confirmed' | null>;
	declare reservationId: CreationOptional<string | null>;
	declare createdAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		Hold.init(
			{
				id: { type: DataTypes.UUID, primaryKey: true },
				locationId: { type: DataTypes.INTEGER, allowNull: false },
				purposeId: { type: DataTypes.INTEGER, allowNull: false },
				slotIds: { type: DataTypes.ARRAY(DataTypes.BIGINT), allowNull: false },
				partySize: { type: DataTypes.INTEGER, allowNull: false },
				tokenHash: { type: DataTypes.CHAR(64), allowNull: true },
				citizenSessionId: { type: DataTypes.UUID, allowNull: true },
				cardIds: { type: DataTypes.ARRAY(DataTypes.BIGINT), allowNull: false, defaultValue: [] },
				expiresAt: { type: DataTypes.DATE, allowNull: false },
				releasedAt: { type: DataTypes.DATE, allowNull: true },
				releaseReason: { type: DataTypes.STRING(16), allowNull: true },
				reservationId: { type: DataTypes.BIGINT, allowNull: true },
				createdAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'holds', underscored: true, updatedAt: false }
		);
	}
}
