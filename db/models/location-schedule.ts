import { Model, DataTypes } from 'sequelize';
import type { Sequelize, InferAttributes, InferCreationAttributes, CreationOptional } from 'sequelize';
import type {
	BookingWindow,
	DateException,
	HoursPattern,
	TimeRangeException,
	WeeklyPlan
} from '../../src/lib/domain/schedule/index.ts';

/**
 * A location's schedule rules (R-S06) and booking window (R-S07), in the shapes the domain rules
 * take. Validated with the domain validators before every write (src/lib/server/scheduling).
 */
export class LocationSchedule extends Model<InferAttributes<LocationSchedule>, InferCreationAttributes<LocationSchedule>> {
	declare locationId: number;
	declare patterns: HoursPattern[];
	declare weekly: WeeklyPlan;
	declare dateExceptions: CreationOptional<DateException[]>;
	declare rangeExceptions: CreationOptional<TimeRangeException[]>;
	declare bookingWindow: BookingWindow;
	/** purposes offered here; null offers every active purpose */
	declare purposeIds: CreationOptional<number[] | null>;
	declare updatedBy: CreationOptional<string | null>;
	declare createdAt: CreationOptional<Date>;
	declare updatedAt: CreationOptional<Date>;

	static initModel(sequelize: Sequelize) {
		LocationSchedule.init(
			{
				locationId: { type: DataTypes.INTEGER, primaryKey: true },
				patterns: { type: DataTypes.JSONB, allowNull: false },
				weekly: { type: DataTypes.JSONB, allowNull: false },
				dateExceptions: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
				rangeExceptions: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
				bookingWindow: { type: DataTypes.JSONB, allowNull: false },
				purposeIds: { type: DataTypes.ARRAY(DataTypes.INTEGER), allowNull: true },
				updatedBy: { type: DataTypes.STRING(64), allowNull: true },
				createdAt: DataTypes.DATE,
				updatedAt: DataTypes.DATE
			},
			{ sequelize, tableName: 'location_schedules', underscored: true }
		);
	}
}
