/**
 * KMS keys that encrypt data: the longest pending-deletion window KMS accepts (7–30 days, AWS KMS API
 * ScheduleKeyDeletion `PendingWindowInDays`), so a deletion scheduled by mistake can be cancelled for a month.
 */
export const KMS_MAX_DELETION_WINDOW_DAYS = 30;
