// The production guard's rules: what makes a host or an environment look like production. The word
// rule (words.ts) always applies to every value, and the built-in choices of what to read (variable
// names, label keys, marker files) always hold. The config's `guard:` lists only add to them.

export interface GuardRules {
  /**
   * Extra case-insensitive regular expressions matched against each host's names, on top of the
   * word rule. None by default.
   */
  hostnamePatterns: string[];
  /**
   * Extra patterns for the declared `environment`, the values of variables and of engine labels, on
   * top of the word rule. None by default.
   */
  environmentPatterns: string[];
  /** Variables read on top of those {@link isGuardVariable} reads by their name. */
  environmentVariables: string[];
  /** A host carrying any of these files is production (the built-in ones always count). */
  markerFiles: string[];
  /**
   * Engine labels read on top of those {@link isGuardLabelKey} reads by their key: a `key` whose
   * value is judged as the declared environment is, or an exact `key=value`.
   */
  dockerLabels: string[];
}

/** Marker files every host is checked for, whatever the config says. */
export const BUILT_IN_MARKER_FILES = ['/etc/heal-pyroscope/production', '/etc/production'] as const;

export const DEFAULT_GUARD_RULES: GuardRules = {
  hostnamePatterns: [],
  environmentPatterns: [],
  environmentVariables: [],
  markerFiles: [...BUILT_IN_MARKER_FILES],
  dockerLabels: [],
};

/**
 * Build modes, not environments: staging hosts routinely set them to `production` (a Node or Rails
 * app is built and run in production mode on every tier that is not a developer's laptop).
 */
export const BUILD_MODE_VARIABLES = ['NODE_ENV', 'RAILS_ENV', 'RACK_ENV', 'BABEL_ENV'] as const;

/**
 * A variable the guard reads by its name (case-insensitive): it is or ends with `ENV`,
 * `ENVIRONMENT` or `STAGE`, or starts with `DEPLOY`; build modes excepted.
 */
export function isGuardVariable(name: string, extra: readonly string[] = []): boolean {
  const upper = name.toUpperCase();
  if (extra.some((e) => e.toUpperCase() === upper)) return true;
  if ((BUILD_MODE_VARIABLES as readonly string[]).includes(upper)) return false;
  return /(ENV|ENVIRONMENT|STAGE)$/.test(upper) || upper.startsWith('DEPLOY');
}

/** An engine label the guard reads by its key (case-insensitive): it contains `env`, `stage` or `tier`. */
export function isGuardLabelKey(key: string): boolean {
  return /env|stage|tier/i.test(key);
}

/** The config's lists added to the built-in ones: nothing in a config can take a rule away. */
export function withBuiltIns(extra: Partial<GuardRules>): GuardRules {
  const union = (a: readonly string[], b: readonly string[] = []) => [...new Set([...a, ...b])];
  return {
    hostnamePatterns: union(DEFAULT_GUARD_RULES.hostnamePatterns, extra.hostnamePatterns),
    environmentPatterns: union(DEFAULT_GUARD_RULES.environmentPatterns, extra.environmentPatterns),
    environmentVariables: union(DEFAULT_GUARD_RULES.environmentVariables, extra.environmentVariables),
    markerFiles: union(DEFAULT_GUARD_RULES.markerFiles, extra.markerFiles),
    dockerLabels: union(DEFAULT_GUARD_RULES.dockerLabels, extra.dockerLabels),
  };
}
