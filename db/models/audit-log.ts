import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';

/** 操作ログ (R-O03). Append-only in the database itself (trigger). Never holds personal data in `detail`. */
export class AuditLog extends Model<InferAttributes<AuditLog>, InferCreationAttributes<AuditLog>> {
	declare id: CreationOptional<string>;
	declare at: CreationOptional<Date>;
	declare actorType: 'staff' | 'citizen' | 'system' | 'anonymous';
	declare actorId: string | null;
	declare action: string;
	declare targetType: CreationOptional<string | null>;
	declare targetId: CreationOptional<string | null>;
	declare detail: CreationOptional<Record<string, unknown>>;
	declare ip: CreationOptional<string | null>;
	/** Place in the hash chain, the previous row's hash and this row's: set by the database at commit, never by us. */
	declare seq: CreationOptional<string | null>;
	declare prevHash: CreationOptional<string | null>;
	declare hash: CreationOptional<string | null>;

	static initModel(sequelize: Sequelize) {
		AuditLog.init(
			{
				id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
				at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
				actorType: { type: DataTypes.STRING(16), allowNull: false },
				actorId: { type: DataTypes.STRING(64), allowNull: true },
				action: { type: DataTypes.STRING(64), allowNull: false },
				targetType: { type: DataTypes.STRING(32), allowNull: true },
				targetId: { type: DataTypes.STRING(64), allowNull: true },
				detail: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
				ip: { type: DataTypes.STRING(64), allowNull: true },
				seq: { type: DataTypes.BIGINT, allowNull: true },
				prevHash: { type: DataTypes.CHAR(64), allowNull: true },
				hash: { type: DataTypes.CHAR(64), allowNull: true }
			},
			{ sequelize, tableName: 'audit_log', underscored: true, timestamps: false }
		);
	}
}
