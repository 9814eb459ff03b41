import { LINSTOR_DB_BACKUP_DEFAULTS as D, LinstorDbBackupSettings } from "../../components/linstorDbBackup/settings";
import { ConfigReader } from "./reader";

/** LINSTOR database backup settings of a stack; the stack decides whether to build it (`linstorDbBackupEnabled`). */
export type LinstorDbBackupConfig = LinstorDbBackupSettings & {
    /** Run the scheduled backup. Default true (primary stack). */
    readonly linstorDbBackupEnabled: boolean;
};

/**
 * Reads the `linstorDbBackup*` keys. Formats that need more than one key (cron gaps vs retention, pinned
 * images, key generations) are checked by validateLinstorDbBackupSettings, also before any resource exists.
 */
export function readLinstorDbBackupConfig(r: ConfigReader): LinstorDbBackupConfig {
    return {
        linstorDbBackupEnabled: r.boolean("linstorDbBackupEnabled", D.linstorDbBackupEnabled),
        linstorDbBackupSchedule: r.string("linstorDbBackupSchedule", D.linstorDbBackupSchedule),
        linstorDbBackupRetentionDays: r.integer("linstorDbBackupRetentionDays", D.linstorDbBackupRetentionDays, { min: 1, max: 36500 }),
        linstorDbBackupKubectlImage: r.string("linstorDbBackupKubectlImage", D.linstorDbBackupKubectlImage),
        linstorDbBackupAwsCliImage: r.string("linstorDbBackupAwsCliImage", D.linstorDbBackupAwsCliImage),
        linstorDbBackupAccessKeyGeneration: r.integer("linstorDbBackupAccessKeyGeneration", D.linstorDbBackupAccessKeyGeneration, { min: 1 }),
        linstorDbBackupAccessKeyRetiredGeneration: r.optionalInteger("linstorDbBackupAccessKeyRetiredGeneration", { min: 0 }),
    };
}
