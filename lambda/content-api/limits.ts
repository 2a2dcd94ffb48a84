/** Largest request body the content API accepts (API.md): 1 MiB. The WAF's size rule is derived from it. */
export const MAX_BODY_BYTES = 1_048_576;
