// Host name and address syntax, shared by the config schema, flags and prompts. Kept free of zod so
// that parsing flags (and `--help`) does not pay for loading the schema library.

const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
export const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i;

export function isValidHost(value: string): boolean {
  if (IPV4.test(value)) return true;
  if (value.includes(':')) return IPV6.test(value) && value.split(':').length >= 3;
  // A dotted quad that failed IPV4 is a typo, not a host name.
  if (/^[\d.]+$/.test(value)) return false;
  return HOSTNAME.test(value);
}
