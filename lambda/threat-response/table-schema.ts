/** Index of blocked addresses by family and expiry (sparse: only blocked rows carry its key). */
export const BY_EXPIRY_INDEX = 'byExpiry';
/** Attribute DynamoDB's TTL purges rows by (epoch seconds). */
export const TTL_ATTRIBUTE = 'purgeAt';
/** Records stay this long after their block ends (audit), then the TTL purges them. */
export const KEEP_AFTER_EXPIRY_SECONDS = 365 * 86_400;
