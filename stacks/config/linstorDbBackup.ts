import { LINSTOR_DB_BACKUP_DEFAULTS as D, type LinstorDbBackupSettings } from "../../components/linstorDbBackup/settings";
import type { ConfigReader } from "./reader";

/** LINSTOR database backup settings of a stack; the stack decides whether to build it (`linstorDbBackupEnabled`). */
export type LinstorDbBackupConfig = LinstorDbBackupSettings & {
    /** Run the scheduled backup. Default true (primary stack). */
    readonly linstorDbBackupEnabled: boolean;
};

/** Reads the `linstorDbBackup*` keys (types only: validateLinstorDbBackupSettings checks them before any resource exists). */
export function readLinstorDbBackupConfig(r: ConfigReader): LinstorDbBackupConfig {
    return {
        linstorDbBackupEnabled: r.boolean("linstorDbBackupEnabled", D.linstorDbBackupEnabled),
        linstorDbBackupSchedule: r.string("linstorDbBackupSchedule", D.linstorDbBackupSchedule),
        linstorDbBackupRetentionDays: r.integer("linstorDbBackupRetentionDays", D.linstorDbBackupRetentionDays),
        linstorDbBackupKubectlImage: r.string("linstorDbBackupKubectlImage", D.linstorDbBackupKubectlImage),
        linstorDbBackupAwsCliImage: r.string("linstorDbBackupAwsCliImage", D.linstorDbBackupAwsCliImage),
        linstorDbBackupAccessKeyGeneration: r.integer("linstorDbBackupAccessKeyGeneration", D.linstorDbBackupAccessKeyGeneration),
        linstorDbBackupAccessKeyRetiredGeneration: r.optionalInteger("linstorDbBackupAccessKeyRetiredGeneration"),
    };
}
