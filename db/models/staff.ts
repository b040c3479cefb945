import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';
import type { Role } from '../../src/lib/domain/roles.ts';

export class StaffUser extends Model<InferAttributes<StaffUser>, InferCreationAttributes<StaffUser>> {
	declare id: CreationOptional<number>;
	declare login: string;
	declare displayName: string;
	declare role: Role;
	declare locationId: CreationOptional<number | null>;
	declare passwordHash: string;
	declare failedAttempts: CreationOptional<number>;
	declare lockedUntil: CreationOptional<Date | null>;
	declare active: CreationOptional<boolean>;
	declare createdAt: CreationOptional<Date>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		StaffUser.init(
			{
				id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
				login: { type: DataTypes.STRING(64), allowNull: false },
				displayName: { type: DataTypes.STRING(100), allowNull: false },
				role: { type: DataTypes.STRING(16), allowNull: false },
				locationId: { type: DataTypes.INTEGER, allowNull: true },
				passwordHash: { type: DataTypes.TEXT, allowNull: false },
				failedAttempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
				lockedUntil: { type: DataTypes.DATE, allowNull: true },
				active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
				createdAt: DataTypes.DATE,
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'staff_users', underscored: true }
		);
	}
}

/** A server-side session row: deleting or revoking it ends the JWT's validity at once (R-S01). */
export class StaffSession extends Model<InferAttributes<StaffSession>, InferCreationAttributes<StaffSession>> {
	declare id: string;
	declare staffUserId: number;
	declare createdAt: CreationOptional<Date>;
	declare expiresAt: Date;
	declare revokedAt: CreationOptional<Date | null>;

	static initModel(sequelize: Sequelize) {
		StaffSession.init(
			{
				id: { type: DataTypes.UUID, primaryKey: true },
				staffUserId: { type: DataTypes.INTEGER, allowNull: false },
				createdAt: DataTypes.DATE,
				expiresAt: { type: DataTypes.DATE, allowNull: false },
				revokedAt: { type: DataTypes.DATE, allowNull: true }
			},
			{ sequelize, tableName: 'staff_sessions', underscored: true, updatedAt: false }
		);
	}
}
