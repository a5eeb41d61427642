// The production guard's rules: what makes a host or an environment look like production. The word
// rule (words.ts) always applies to every value; these lists say which values are read and add
// patterns of their own. The patterns add to the word rule and cannot take anything from it.

export interface GuardRules {
  /**
   * Extra case-insensitive regular expressions matched against each host's hostname and FQDN, on
   * top of the word rule. None by default.
   */
  hostnamePatterns: string[];
  /**
   * Extra patterns for the declared `environment`, the values of `environmentVariables` and of
   * `dockerLabels`, on top of the word rule. None by default.
   */
  environmentPatterns: string[];
  /** Variables read from each host's /etc/environment. */
  environmentVariables: string[];
  /** A host carrying any of these files is production. */
  markerFiles: string[];
  /**
   * Docker engine labels that mark production: a `key` (compared case-insensitively) whose value
   * the word rule (or `environmentPatterns`) judges production, as the declared environment is
   * judged, or an exact `key=value`.
   */
  dockerLabels: string[];
}

export const DEFAULT_GUARD_RULES: GuardRules = {
  hostnamePatterns: [],
  environmentPatterns: [],
  // NODE_ENV and RAILS_ENV are left out: staging hosts routinely set them to "production".
  environmentVariables: ['ENVIRONMENT', 'APP_ENV', 'HEAL_ENV', 'DEPLOY_ENV'],
  markerFiles: ['/etc/heal-pyroscope/production', '/etc/production'],
  dockerLabels: ['environment', 'env'],
};
