// The production guard's word rule, value by value: this table is its specification (issue 23,
// "one rule for every value, by words"). Each value is judged through the source it would come
// from (the declared environment, a hostname or FQDN, a variable in /etc/environment, an engine
// label's value) and by productionWord itself; a refused value names the word that matched.
import { describe, expect, it } from 'vitest';
import { evaluateGuard, type GuardFinding } from '../../../src/guard/evaluate.js';
import type { HostEvidence } from '../../../src/guard/evidence.js';
import { DEFAULT_GUARD_RULES as rules } from '../../../src/guard/rules.js';
import { normaliseValue, productionWord } from '../../../src/guard/words.js';

type Kind = 'environment' | 'hostname' | 'variable' | 'label';
/** A value and the production word that refuses it, or null when it passes. */
type Row = readonly [value: string, word: string | null];

const refused = (word: string, ...values: string[]): Row[] => values.map((v) => [v, word] as const);
const passed = (...values: string[]): Row[] => values.map((v) => [v, null] as const);

const TABLE: Record<Kind, Row[]> = {
  environment: [
    ...refused('production', 'production', 'PRODUCTION', 'Production', 'ap-south-1-production', 'production-2024'),
    ...refused('production', 'productions', 'production2', 'PRODUCTIΟΝ' /* Greek capital omicron and nu */),
    ...refused('prod', 'prod', 'PROD', 'prod2', 'us-east-1-prod', 'eu-prod', 'prod-eu', 'prod_blue', 'prodblue'),
    ...refused('prod', 'blueprod', 'prods', 'prοd' /* Greek omicron */, 'ｐｒｏｄ' /* full width */),
    ...refused('prod', 'ᴘʀᴏᴅ' /* small capitals */, 'рrod' /* Cyrillic er */, 'pr\u200bod' /* zero-width space */),
    ...refused('prod', 'pro\u00add' /* soft hyphen */, 'pro\u0301d' /* combining accent */, 'ℙrod', '𝐩𝐫𝐨𝐝'),
    ...refused('prd', 'prd', 'PRD', 'Prd', 'prd7', 'prd-2', 'PRD_EU'),
    ...refused('live', 'live', 'LIVE', 'Live2', 'live-us', 'live-eu-1', 'liveapi', 'golive', 'go-live'),
    ...passed('staging', 'stage', 'dev', 'development', 'qa', 'uat', 'test', 'testing', 'sandbox', 'demo', 'ci'),
    ...passed('preprod', 'pre-prod', 'pre_prod', 'PreProd', 'nonprod', 'non-prod', 'non-production'),
    ...passed('nonproduction', 'preproduction', 'pre-production', 'not-prod', 'notprod', 'pre-prd', 'non-live'),
    ...passed('product', 'products', 'productdemo', 'products-staging', 'reproduction', 'perf', 'load-test'),
    ...passed('integration', 'delivery', 'olive', 'alive', 'lively', 'liver', 'liveness', 'producer', 'prodigy'),
    ...passed('staging-2', 'review-123', 'preprod2'),
  ],
  hostname: [
    ...refused('prod', 'prod-app-01', 'app-prod-01', 'prodweb01', 'dbprod-3', 'api_prod_2', 'PROD01', 'web01prod'),
    ...refused('prod', 'db.prod.example.com', 'prodweb.example.org', 'ip-10-0-0-5.prod.internal', 'api.eu.prod'),
    ...refused('prod', 'k8s-prod-node-3', 'ｐｒｏｄ-web', 'рrod-web' /* Cyrillic er */, 'prοd-db' /* Greek omicron */),
    ...refused('prod', 'app.ᴘʀᴏᴅ.corp', 'pre.prod.example.com' /* a domain label of its own: refused */),
    ...refused('prd', 'prd-db', 'prd7', 'app.prd.internal', 'web-prd01', 'cacheprd', 'node3-prd'),
    ...refused('production', 'production-web', 'app01.production.corp', 'db-production-01', 'PRODUCTIΟΝ-db'),
    ...refused('live', 'web-live-2', 'live.example.com', 'app-01.live', 'golive-01', 'app-LIVE-01', 'liveweb-3'),
    ...passed('preproduction-01', 'app.nonproduction.corp', 'reproduction-lab', 'pre-prod-01', 'preprod-db-01'),
    ...passed('nonprod-web-1', 'app.non-prod.corp', 'product-catalog-01', 'products-api', 'productdemo-01'),
    ...passed('reproduce-01', 'delivery-01', 'olive-01', 'staging-app', 'dev-01', 'qa-web-2', 'uat-db', 'test-01'),
    ...passed('ip-10-0-0-5', 'app-01.staging.internal', 'db-01.lab', 'web01.qa.example.com', 'kafka-producer-01'),
    ...passed('liver-lab', 'alive-check', 'deliver-01', 'oliver-pc', 'sliver', 'liveness-probe-1'),
    ...passed('app-01.preprod.example.com', 'productivity-tools', 'app-01'),
  ],
  variable: [
    ...refused('production', 'production', 'Production', 'PRODUCTION ', 'production2', 'prοduction'),
    ...refused('prod', 'prod', ' prod', 'prod-eu', 'eu-prod', 'prod # ops', 'release-prod', 'prodlike', 'ρrod'),
    ...refused('prd', 'PRD', 'prd3', 'prd_main'),
    ...refused('live', 'live', 'live_1', 'ｌｉｖｅ', 'Live'),
    ...passed('staging', 'development', 'dev', 'qa', 'uat', 'test', 'ci', 'review', 'sandbox', 'local', 'demo'),
    ...passed('preprod', 'pre-prod', 'nonprod', 'non-production', 'not-prod', 'preproduction', 'products'),
    ...passed('perf', 'productdemo', 'lively', 'olive', 'reproduction'),
  ],
  label: [
    ...refused('prod', 'prod', 'prod-1', 'liveprod', 'Prod_EU'),
    ...refused('production', 'production', 'prοduction' /* Greek omicron */),
    ...refused('prd', 'PRD', 'prd.01', 'ｐｒｄ', 'webprd'),
    ...refused('live', 'live', 'eu-live', 'liveweb'),
    ...passed('staging', 'dev', 'qa', 'test', 'preprod', 'pre-prod', 'non-prod', 'nonproduction', 'product'),
    ...passed('products-staging', 'olive', 'alive', 'delivery', 'demo', 'sandbox', 'uat', 'reproduction'),
    ...passed('preproduction'),
  ],
};

const host = (over: Partial<HostEvidence>): HostEvidence => ({
  host: 'app-01',
  hostname: 'app-01',
  variables: [],
  unreadable: [],
  markerFiles: [],
  dockerLabels: [],
  ...over,
});

/** The guard's findings for a value arriving by one source, everything else clean. */
function judge(kind: Kind, value: string): GuardFinding[] {
  switch (kind) {
    case 'environment':
      return evaluateGuard(rules, value, []);
    case 'hostname':
      return evaluateGuard(rules, 'staging', [host({ hostname: value })]);
    case 'variable':
      return evaluateGuard(rules, 'staging', [
        host({ variables: [{ source: '/etc/environment:1', name: 'APP_ENV', value }] }),
      ]);
    case 'label':
      return evaluateGuard(rules, 'staging', [host({ dockerLabels: [`environment=${value}`] })]);
  }
}

const RULE: Record<Kind, GuardFinding['rule']> = {
  environment: 'environment',
  hostname: 'hostnamePatterns',
  variable: 'environmentVariables',
  label: 'dockerLabels',
};

const rows = (Object.entries(TABLE) as Array<[Kind, Row[]]>).flatMap(([kind, list]) =>
  list.map(([value, word]) => ({ kind, value, word })),
);

describe('the production word rule', () => {
  it('is specified by at least 150 values, refused and passed, for every source', () => {
    expect(rows.length).toBeGreaterThanOrEqual(150);
    for (const kind of Object.keys(TABLE) as Kind[]) {
      const of = rows.filter((r) => r.kind === kind);
      expect(
        of.some((r) => r.word === null),
        kind,
      ).toBe(true);
      expect(
        of.some((r) => r.word !== null),
        kind,
      ).toBe(true);
    }
    expect(new Set(rows.map((r) => `${r.kind} ${r.value}`)).size).toBe(rows.length);
  });

  it.each(rows)('$kind $value: $word', ({ kind, value, word }) => {
    expect(productionWord(value)?.word ?? null).toBe(word);
    const findings = judge(kind, value);
    if (word === null) {
      expect(findings).toEqual([]);
    } else {
      expect(findings).toEqual([expect.objectContaining({ rule: RULE[kind], pattern: 'production word', word })]);
    }
  });
});

describe('productionWord', () => {
  it('says in which run of letters and digits it found the word', () => {
    expect(productionWord('prodweb01')).toEqual({ word: 'prod', matched: 'prodweb01' });
    expect(productionWord('prd7')).toEqual({ word: 'prd', matched: 'prd7' });
    expect(productionWord('db.prod.example.com')).toEqual({ word: 'prod', matched: 'prod' });
    expect(productionWord('api-dbprod-3')).toEqual({ word: 'prod', matched: 'dbprod' });
  });

  it('names the longest word glued at the start or the end', () => {
    expect(productionWord('productionweb')?.word).toBe('production');
    expect(productionWord('dbproduction')?.word).toBe('production');
  });

  it('reports the first production word of the value', () => {
    expect(productionWord('live-prod')?.word).toBe('live');
    expect(productionWord('pre-prod-live')?.word).toBe('live');
  });

  it('passes an empty value or one without letters', () => {
    expect(productionWord('')).toBeNull();
    expect(productionWord('10.0.0.5')).toBeNull();
    expect(productionWord('---')).toBeNull();
  });
});

describe('normaliseValue', () => {
  it('reads compatibility forms, accents, invisible characters and look-alike letters as Latin', () => {
    expect(normaliseValue('ＰＲＯＤ')).toBe('prod');
    expect(normaliseValue('Prοd')).toBe('prod');
    expect(normaliseValue('ΡRΟD')).toBe('prod');
    expect(normaliseValue('РROD')).toBe('prod');
    expect(normaliseValue('pro\u200dd')).toBe('prod');
    expect(normaliseValue('Próduction')).toBe('production');
    expect(normaliseValue('İstanbul')).toBe('istanbul');
  });

  it('keeps separators and digits, where the words are split', () => {
    expect(normaliseValue('App_Prod-2.example')).toBe('app_prod-2.example');
  });
});
