// The production guard's rules: what makes a host or an environment look like production.
// Defaults are deliberately broad; a false positive is fixed by editing `guard:` in the config.

export interface GuardRules {
  /** Case-insensitive regular expressions matched against each host's hostname and FQDN. */
  hostnamePatterns: string[];
  /** Matched against the declared `environment` and the values of `environmentVariables`. */
  environmentPatterns: string[];
  /** Variables read from each host's /etc/environment. */
  environmentVariables: string[];
  /** A host carrying any of these files is production. */
  markerFiles: string[];
  /**
   * Docker engine labels that mark production: a `key` (compared case-insensitively) whose value
   * matches `environmentPatterns`, as the declared environment is judged, or an exact `key=value`.
   */
  dockerLabels: string[];
}

export const DEFAULT_GUARD_RULES: GuardRules = {
  hostnamePatterns: ['(^|[.-])prod($|[.-]|\\d)', '(^|[.-])prd($|[.-]|\\d)', 'production', '(^|[.-])live($|[.-]|\\d)'],
  environmentPatterns: ['^prod', '^prd$', '^live$'],
  // NODE_ENV and RAILS_ENV are left out: staging hosts routinely set them to "production".
  environmentVariables: ['ENVIRONMENT', 'APP_ENV', 'HEAL_ENV', 'DEPLOY_ENV'],
  markerFiles: ['/etc/heal-pyroscope/production', '/etc/production'],
  dockerLabels: ['environment', 'env'],
};
