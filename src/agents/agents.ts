// What to put into each agent so that it sends to the front door: ready-to-paste settings, filled
// with the door's URL, an application name and, when the door authenticates, a tenant's basic-auth
// credentials. Pure data and text; `agents` prints them,
// docs/agents.md is generated from the same function (with placeholders), and the lab runs the
// Node.js and OpenTelemetry ones exactly as printed (test/integration/real-agents.test.ts). Every
// option name was read in the agent's own source at the release named beside it (docs/agents.md).

export const AGENT_NAMES = ['alloy', 'java', 'go', 'python', 'dotnet', 'ruby', 'nodejs', 'otel'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/** What the snippets are filled with. */
export interface DoorSettings {
  /** `https://HOST:9940`, or `http://` for a plain door. */
  url: string;
  /** The application (service) name the snippets use. */
  app: string;
  /** Where the stack's CA certificate is on the target (TARGET_CA_FILE); null for a plain door. */
  caFile: string | null;
  /**
   * The tenant's basic-auth credentials every push carries (`frontDoor.auth: tenants`); null for a
   * door without authentication (`frontDoor.auth: none`). The password may be a masked placeholder:
   * the snippets show it as given and never derive anything from it.
   */
  credentials: Credentials | null;
  /** The door also forwards OTLP over HTTP (`frontDoor.otlpHttp`). */
  otlpHttp?: boolean;
}

/** A tenant's basic-auth credentials: the user name is the tenant. */
export interface Credentials {
  username: string;
  password: string;
}

/** Where the snippets expect the stack's CA certificate on a target host. */
export const TARGET_CA_FILE = '/etc/heal-pyroscope/ca.pem';

/** Where the Alloy snippet expects the door's password on a target host (Alloy reads it from a file). */
export const TARGET_PASSWORD_FILE = '/etc/heal-pyroscope/door-password';

/**
 * How a target comes to trust the door: the CA where the snippets name it, and in the system's trust
 * store for the agents that read only that one (Go, Python, Ruby, .NET: their TLS stacks use the
 * system's roots). Shell lines, run as root on each target.
 */
export function trustSteps(caFile: string): string {
  return [
    `# on each target, as root, with the CA saved as ca.pem (\`heal-pyroscope agents --json | jq -r .frontDoor.caCertificate\`):`,
    `install -D -m 0644 ca.pem ${caFile}`,
    '# agents that read only the system trust store (Go, Python, Ruby, .NET) need it there too:',
    `cp ${caFile} /usr/local/share/ca-certificates/heal-pyroscope.crt && update-ca-certificates   # Debian, Ubuntu`,
    `cp ${caFile} /etc/pki/ca-trust/source/anchors/heal-pyroscope.pem && update-ca-trust        # RHEL, Fedora`,
  ].join('\n');
}

export interface AgentGuide {
  name: AgentName;
  title: string;
  /** What it sends through the door, and how. */
  sends: string;
  /** The fence language of the snippet in Markdown. */
  language: string;
  snippet: string;
  /** Where each option name was read: `owner/repo@tag:path`. */
  sources: readonly string[];
}

/** The directory of a path. */
const dirname = (path: string): string => path.slice(0, path.lastIndexOf('/'));

/** `HOST:PORT` of a URL (gRPC clients that take no scheme). */
function hostPort(url: string): string {
  const u = new URL(url);
  return u.host;
}

export function agentGuides(door: DoorSettings): AgentGuide[] {
  const { url, app, caFile } = door;
  const credentials = door.credentials ?? null; // a caller not yet passing it: no credential lines
  // In AGENT_NAMES order: the JSON document's keys, the page's sections and the printed list agree.
  return [...GUIDES]
    .sort((a, b) => AGENT_NAMES.indexOf(a.name) - AGENT_NAMES.indexOf(b.name))
    .map((g) => ({ ...g, snippet: g.snippet(url, app, hostPort(url), caFile, credentials) }))
    .map((g) => (g.name === 'otel' && door.otlpHttp ? withOtlpHttp(g) : g));
}

/**
 * The OpenTelemetry settings for a door that also forwards OTLP over HTTP: the same variables work
 * with the SDKs' HTTP exporters, which add /v1/traces to the endpoint themselves (spec: exporter.md,
 * "Endpoint URLs for OTLP/HTTP").
 */
function withOtlpHttp(g: AgentGuide): AgentGuide {
  return {
    ...g,
    sends: 'traces over OTLP gRPC, or OTLP over HTTP to /v1/traces (protobuf or JSON; frontDoor.otlpHttp)',
    snippet: [
      g.snippet,
      '# this door also takes OTLP over HTTP: for an SDK whose exporter speaks HTTP only, or by default,',
      '# keep the lines above and say so (the exporter adds /v1/traces to the endpoint):',
      '# export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
    ].join('\n'),
  };
}

type Template = Omit<AgentGuide, 'snippet'> & {
  snippet: (url: string, app: string, hostPort: string, caFile: string | null, auth: Credentials | null) => string;
};

/** Lines only a TLS door needs. */
const withCa = (caFile: string | null, lines: (ca: string) => string[]): string[] => (caFile ? lines(caFile) : []);

/** Lines only a door with authentication needs. */
const withAuth = <T>(auth: Credentials | null, lines: (auth: Credentials) => T[]): T[] => (auth ? lines(auth) : []);

// The credentials are the one value a snippet cannot count on being a plain word (a password, or
// its mask): each is quoted for the language it lands in. The URL and the application name are
// checked words and stay as they are.

/** A double-quoted string of Go, Python and Alloy (JSON's escapes are a subset of theirs). */
const dq = (s: string): string => JSON.stringify(s);
/** A double-quoted Ruby string: also no `#{` interpolation. */
const rubyDq = (s: string): string => JSON.stringify(s).replace(/#/g, '\\#');
/** A single-quoted JavaScript string (JSON's escapes, with `'` escaped instead of `"`). */
const jsSq = (s: string): string => `'${dq(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
/** One shell word: as is when nothing in it is special, else single-quoted. */
const shWord = (s: string): string => (/^[\w.:/@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

type Pair = readonly [key: string, value: string];

/**
 * `key<after> value` lines with the values in one column, as gofmt (`Key:   value`), rubocop and
 * alloy fmt (`key   = value`) leave them.
 */
const aligned = (pairs: readonly Pair[], after: ':' | ' ='): string[] => {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => (after === ':' ? `${`${k}:`.padEnd(width + 1)} ${v}` : `${k.padEnd(width)} = ${v}`));
};

const GUIDES: readonly Template[] = [
  {
    name: 'alloy',
    title: 'Grafana Alloy (eBPF profiles of a host, and OTLP traces relayed)',
    sends:
      'eBPF CPU profiles of every process, pushed to /push.v1.PusherService/Push (Connect); traces received on the host relayed over OTLP gRPC',
    language: 'alloy',
    snippet: (url, app, hostPort, caFile, auth) =>
      [
        '// config.alloy on the target host (Alloy runs as root for eBPF)',
        ...withAuth(auth, ({ password }) => [
          "// The door's password, in a file only root reads (once, as root):",
          `//   install -d ${dirname(TARGET_PASSWORD_FILE)} && (umask 077 && printf '%s' ${shWord(password)} > ${TARGET_PASSWORD_FILE})`,
        ]),
        'discovery.process "local" {}',
        '',
        '// Every process of this host as one application; add a `keep` rule on __meta_process_exe to pick some.',
        'discovery.relabel "app" {',
        '  targets = discovery.process.local.targets',
        '  rule {',
        '    target_label = "service_name"',
        `    replacement  = "${app}"`,
        '  }',
        '}',
        '',
        'pyroscope.ebpf "host" {',
        '  targets    = discovery.relabel.app.output',
        '  forward_to = [pyroscope.write.door.receiver]',
        '}',
        '',
        'pyroscope.write "door" {',
        '  endpoint {',
        `    url = "${url}"`,
        ...withAuth(auth, ({ username }) => [
          '    basic_auth {',
          ...aligned(
            [
              ['      username', dq(username)],
              ['      password_file', dq(TARGET_PASSWORD_FILE)],
            ],
            ' =',
          ),
          '    }',
        ]),
        ...withCa(caFile, (ca) => ['    tls_config {', `      ca_file = "${ca}"`, '    }']),
        '  }',
        '}',
        '',
        '// Apps on this host send OTLP gRPC to 127.0.0.1:4317; Alloy relays it to the door.',
        'otelcol.receiver.otlp "apps" {',
        '  grpc { endpoint = "127.0.0.1:4317" }',
        '  output { traces = [otelcol.exporter.otlp.door.input] }',
        '}',
        '',
        ...(auth && caFile
          ? [
              'otelcol.auth.basic "door" {',
              '  client_auth {',
              ...aligned(
                [
                  ['    username', dq(auth.username)],
                  ['    password_file', dq(TARGET_PASSWORD_FILE)],
                ],
                ' =',
              ),
              '  }',
              '}',
              '',
            ]
          : []),
        'otelcol.exporter.otlp "door" {',
        '  client {',
        ...(!auth
          ? [`    endpoint = "${hostPort}"`]
          : caFile
            ? aligned(
                [
                  ['    endpoint', `"${hostPort}"`],
                  ['    auth', 'otelcol.auth.basic.door.handler'],
                ],
                ' =',
              )
            : [
                '    // a plain door: gRPC sends otelcol.auth.basic credentials over TLS only, so a header carries them',
                ...aligned(
                  [
                    ['    endpoint', `"${hostPort}"`],
                    [
                      '    headers',
                      `{ "authorization" = "Basic " + encoding.to_base64(${dq(`${auth.username}:${auth.password}`)}) }`,
                    ],
                  ],
                  ' =',
                ),
              ]),
        caFile ? `    tls { ca_file = "${caFile}" }` : '    tls { insecure = true }',
        '  }',
        '}',
      ].join('\n'),
    sources: [
      'grafana/alloy@v1.18.1:internal/component/pyroscope/ebpf/args.go (targets, forward_to)',
      'grafana/alloy@v1.18.1:docs/sources/reference/components/discovery/discovery.process.md (targets with __process_pid__)',
      'grafana/alloy@v1.18.1:docs/sources/shared/reference/components/rule-block.md (target_label, replacement)',
      'grafana/alloy@v1.18.1:internal/component/pyroscope/write/write.go (endpoint.url; Connect push to /push.v1.PusherService/Push)',
      'grafana/alloy@v1.18.1:internal/component/common/config/types.go (endpoint.tls_config.ca_file, endpoint.basic_auth.username, .password_file)',
      'grafana/alloy@v1.18.1:internal/component/otelcol/auth/basic/basic.go (otelcol.auth.basic: client_auth.username, .password_file)',
      'grafana/alloy@v1.18.1:internal/component/otelcol/auth/auth.go (the handler export)',
      'grafana/alloy@v1.18.1:syntax/internal/stdlib/stdlib.go (encoding.to_base64: standard base64)',
      'grafana/alloy@v1.18.1:internal/component/otelcol/receiver/otlp/otlp.go (grpc.endpoint)',
      'grafana/alloy@v1.18.1:internal/component/otelcol/config_grpc.go, config_tls.go (client.endpoint host:port, client.auth, client.headers, tls.insecure, tls.ca_file)',
      'grafana/alloy@v1.18.1:docs/sources/reference/components/otelcol/otelcol.auth.basic.md (client_auth.password_file, for exporters too; auth = otelcol.auth.basic.NAME.handler)',
      'open-telemetry/opentelemetry-collector-contrib@cbe65a77b85f:extension/basicauthextension/extension.go (its gRPC credentials RequireTransportSecurity; grafana/alloy@v1.18.1 builds v0.153.0)',
    ],
  },
  {
    name: 'nodejs',
    title: 'Node.js (Pyroscope SDK)',
    sends: 'wall-clock profiles, pushed to /ingest (pprof) every 60 s and when it stops',
    language: 'js',
    snippet: (url, app, _hostPort, caFile, auth) =>
      [
        ...withCa(caFile, (ca) => [
          `// run node with NODE_EXTRA_CA_CERTS=${ca} in its environment (Node reads it at start)`,
        ]),
        '// npm install @pyroscope/nodejs, then first thing in the entry point:',
        "import Pyroscope from '@pyroscope/nodejs';",
        '',
        'Pyroscope.init({',
        `  serverAddress: '${url}',`,
        `  appName: '${app}',`,
        ...withAuth(auth, ({ username, password }) => [
          `  basicAuthUser: ${jsSq(username)},`,
          `  basicAuthPassword: ${jsSq(password)},`,
        ]),
        '});',
        'Pyroscope.start();',
      ].join('\n'),
    sources: [
      '@pyroscope/nodejs 0.6.4 (npm): dist/cjs/pyroscope-config.d.ts (serverAddress, appName, basicAuthUser, basicAuthPassword)',
      '@pyroscope/nodejs 0.6.4 (npm): dist/cjs/pyroscope-api-exporter.js (POST /ingest?format=pprof; authorization: Basic from basicAuthUser, basicAuthPassword)',
      '@pyroscope/nodejs 0.6.4 (npm): dist/cjs/profilers/pyroscope-profiler.js (flush every 60 s)',
      'nodejs/node@v20.20.2:doc/api/cli.md (NODE_EXTRA_CA_CERTS)',
    ],
  },
  {
    name: 'go',
    title: 'Go (Pyroscope Go SDK)',
    sends: 'CPU and memory profiles, pushed to /ingest (pprof)',
    language: 'go',
    snippet: (url, app, _hostPort, caFile, auth) =>
      [
        ...withCa(caFile, () => [
          '// the host trusts the stack CA (system trust store, see above): Go reads it from there',
        ]),
        '// go get github.com/grafana/pyroscope-go, then early in main():',
        'import "github.com/grafana/pyroscope-go"',
        '',
        'pyroscope.Start(pyroscope.Config{',
        ...aligned(
          [
            ['\tApplicationName', `"${app}",`],
            ['\tServerAddress', `"${url}",`],
            ...withAuth<Pair>(auth, ({ username, password }) => [
              ['\tBasicAuthUser', `${dq(username)},`],
              ['\tBasicAuthPassword', `${dq(password)},`],
            ]),
          ],
          ':',
        ),
        '})',
      ].join('\n'),
    sources: [
      'grafana/pyroscope-go@v1.4.2:api.go (ApplicationName, ServerAddress, BasicAuthUser, BasicAuthPassword)',
      'grafana/pyroscope-go@v1.4.2:upstream/remote/remote.go (POST /ingest, multipart pprof; SetBasicAuth)',
    ],
  },
  {
    name: 'python',
    title: 'Python (pyroscope-io)',
    sends: 'CPU profiles, pushed to /push.v1.PusherService/Push (protobuf)',
    language: 'python',
    snippet: (url, app, _hostPort, caFile, auth) =>
      [
        ...withCa(caFile, () => ['# the host trusts the stack CA (system trust store, see above)']),
        '# pip install pyroscope-io, then at start-up:',
        'import pyroscope',
        '',
        'pyroscope.configure(',
        `    application_name="${app}",`,
        `    server_address="${url}",`,
        ...withAuth(auth, ({ username, password }) => [
          `    basic_auth_username=${dq(username)},`,
          `    basic_auth_password=${dq(password)},`,
        ]),
        ')',
      ].join('\n'),
    sources: [
      'grafana/pyroscope-python@python-1.0.7:python/pyroscope/__init__.py (application_name, server_address, basic_auth_username, basic_auth_password)',
      'grafana/pyroscope-rs@lib-2.0.1:src/session.rs (POST /push.v1.PusherService/Push, with basic auth)',
    ],
  },
  {
    name: 'ruby',
    title: 'Ruby (pyroscope gem)',
    sends: 'CPU profiles, pushed to /push.v1.PusherService/Push (protobuf)',
    language: 'ruby',
    snippet: (url, app, _hostPort, caFile, auth) =>
      [
        ...withCa(caFile, () => ['# the host trusts the stack CA (system trust store, see above)']),
        '# gem "pyroscope" in the Gemfile, then in an initializer:',
        'require "pyroscope"',
        '',
        'Pyroscope.configure do |config|',
        ...aligned(
          [
            ['  config.application_name', `"${app}"`],
            ['  config.server_address', `"${url}"`],
            ...withAuth<Pair>(auth, ({ username, password }) => [
              ['  config.basic_auth_username', rubyDq(username)],
              ['  config.basic_auth_password', rubyDq(password)],
            ]),
          ],
          ' =',
        ),
        'end',
      ].join('\n'),
    sources: [
      'grafana/pyroscope-ruby@ruby/1.1.1:lib/pyroscope.rb (application_name, server_address, basic_auth_username, basic_auth_password)',
      'grafana/pyroscope-ruby@ruby/1.1.1:ext/rbspy/src/session.rs (POST /push.v1.PusherService/Push, with basic auth)',
    ],
  },
  {
    name: 'java',
    title: 'Java (Pyroscope Java agent)',
    sends: 'profiles recorded with JFR, pushed to /ingest (format=jfr)',
    language: 'sh',
    snippet: (url, app, _hostPort, caFile, auth) =>
      [
        '# with pyroscope.jar from github.com/grafana/pyroscope-java/releases',
        ...withCa(caFile, (ca) => [
          "# the JVM trusts its own store, not the system's: add the stack CA to the JDK's cacerts once",
          `keytool -importcert -noprompt -cacerts -storepass changeit -alias heal-pyroscope -file ${ca}`,
        ]),
        `export PYROSCOPE_APPLICATION_NAME=${app}`,
        `export PYROSCOPE_SERVER_ADDRESS=${url}`,
        ...withAuth(auth, ({ username, password }) => [
          `export PYROSCOPE_BASIC_AUTH_USER=${shWord(username)}`,
          `export PYROSCOPE_BASIC_AUTH_PASSWORD=${shWord(password)}`,
        ]),
        'java -javaagent:pyroscope.jar -jar app.jar',
        '# or as system properties: -Dpyroscope.application.name=... -Dpyroscope.server.address=...',
        ...withAuth(auth, () => [
          '#   -Dpyroscope.basic.auth.user=... -Dpyroscope.basic.auth.password=... (the environment keeps the password out of ps)',
        ]),
      ].join('\n'),
    sources: [
      'grafana/pyroscope-java@v2.9.1:agent/src/main/java/io/pyroscope/javaagent/config/Config.java (PYROSCOPE_APPLICATION_NAME, PYROSCOPE_SERVER_ADDRESS, PYROSCOPE_BASIC_AUTH_USER, PYROSCOPE_BASIC_AUTH_PASSWORD)',
      'grafana/pyroscope-java@v2.9.1:agent/src/main/java/io/pyroscope/javaagent/impl/PropertiesConfigurationProvider.java (pyroscope.server.address, pyroscope.basic.auth.user: the name lower-cased, _ as .)',
      'grafana/pyroscope-java@v2.9.1:agent/src/main/java/io/pyroscope/javaagent/impl/PyroscopeExporter.java (POST /ingest, format=jfr; Authorization: Basic)',
    ],
  },
  {
    name: 'dotnet',
    title: '.NET (Pyroscope .NET profiler, Linux)',
    sends: 'profiles, pushed to /push.v1.PusherService/Push (protobuf)',
    language: 'sh',
    snippet: (url, app, _hostPort, caFile, auth) =>
      [
        ...withCa(caFile, () => [
          '# the host trusts the stack CA (system trust store, see above): .NET on Linux reads it',
        ]),
        '# with the files of pyroscope.X.Y.Z-glibc-x86_64.tar.gz from github.com/grafana/pyroscope-dotnet/releases in /pyroscope',
        'export CORECLR_ENABLE_PROFILING=1',
        'export CORECLR_PROFILER={BD1A650D-AC5D-4896-B64F-D6FA25D6B26A}',
        'export CORECLR_PROFILER_PATH=/pyroscope/Pyroscope.Profiler.Native.so',
        'export LD_PRELOAD=/pyroscope/Pyroscope.Linux.ApiWrapper.x64.so',
        'export PYROSCOPE_PROFILING_ENABLED=1',
        `export PYROSCOPE_APPLICATION_NAME=${app}`,
        `export PYROSCOPE_SERVER_ADDRESS=${url}`,
        ...withAuth(auth, ({ username, password }) => [
          `export PYROSCOPE_BASIC_AUTH_USER=${shWord(username)}`,
          `export PYROSCOPE_BASIC_AUTH_PASSWORD=${shWord(password)}`,
        ]),
      ].join('\n'),
    sources: [
      'grafana/pyroscope-dotnet@pyroscope-1.4.0:profiler/src/ProfilerEngine/Datadog.Profiler.Native/EnvironmentVariables.h (PYROSCOPE_*)',
      'grafana/pyroscope-dotnet@pyroscope-1.4.0:profiler/src/ProfilerEngine/Datadog.Profiler.Native/DllMain.cpp (the profiler GUID)',
      'grafana/pyroscope-dotnet@pyroscope-1.4.0:integration-test.Dockerfile (CORECLR_*, LD_PRELOAD)',
      'grafana/pyroscope-dotnet@pyroscope-1.4.0:profiler/src/ProfilerEngine/Datadog.Profiler.Native/Configuration.cpp (PYROSCOPE_BASIC_AUTH_USER, _PASSWORD read from the environment)',
      'grafana/pyroscope-dotnet@pyroscope-1.4.0:profiler/src/ProfilerEngine/Datadog.Profiler.Native/PyroscopePprofSink.cpp (POST /push.v1.PusherService/Push; Authorization: Basic)',
    ],
  },
  {
    name: 'otel',
    title: 'OpenTelemetry SDKs (environment variables)',
    sends: 'traces over OTLP gRPC (the door speaks gRPC on 9940; OTLP over HTTP only with frontDoor.otlpHttp)',
    language: 'sh',
    snippet: (url, app, _hostPort, caFile, auth) =>
      [
        `export OTEL_SERVICE_NAME=${app}`,
        'export OTEL_TRACES_EXPORTER=otlp',
        'export OTEL_EXPORTER_OTLP_PROTOCOL=grpc',
        `export OTEL_EXPORTER_OTLP_ENDPOINT=${url}`,
        ...withCa(caFile, (ca) => [`export OTEL_EXPORTER_OTLP_CERTIFICATE=${ca}`]),
        // base64(user:password) is left to the shell: the password stays readable as given (a mask
        // too), and the line stays right when the operator puts the real one in its place.
        ...withAuth(auth, ({ username, password }) => [
          '# the gRPC `authorization` metadata, Basic base64(user:password); %20 is the space, percent-encoded',
          `export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Basic%20$(printf '%s' ${shWord(`${username}:${password}`)} | base64 -w0)"`,
        ]),
      ].join('\n'),
    sources: [
      'open-telemetry/opentelemetry-specification@v1.60.0:specification/protocol/exporter.md (OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL: grpc, _CERTIFICATE, _HEADERS: W3C Baggage key=value)',
      'open-telemetry/opentelemetry-specification@v1.60.0:specification/configuration/sdk-environment-variables.md (OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER)',
      '@opentelemetry/otlp-grpc-exporter-base 0.223.1 (npm): build/src/configuration/otlp-grpc-env-configuration.js (reads OTEL_EXPORTER_OTLP_ENDPOINT and _CERTIFICATE; https:// means TLS; _HEADERS as gRPC metadata)',
      '@opentelemetry/core 2.12.1 (npm): build/src/baggage/utils.js (parseKeyPairsIntoRecord: split at the first =, values percent-decoded)',
    ],
  },
];
