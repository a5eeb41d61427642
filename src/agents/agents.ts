// What to put into each agent so that it sends to the front door: ready-to-paste settings, filled
// with the door's URL and an application name. Pure data and text; `agents` prints them,
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
}

/** Where the snippets expect the stack's CA certificate on a target host. */
export const TARGET_CA_FILE = '/etc/heal-pyroscope/ca.pem';

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

/** `HOST:PORT` of a URL (gRPC clients that take no scheme). */
function hostPort(url: string): string {
  const u = new URL(url);
  return u.host;
}

export function agentGuides(door: DoorSettings): AgentGuide[] {
  const { url, app, caFile } = door;
  // In AGENT_NAMES order: the JSON document's keys, the page's sections and the printed list agree.
  return [...GUIDES]
    .sort((a, b) => AGENT_NAMES.indexOf(a.name) - AGENT_NAMES.indexOf(b.name))
    .map((g) => ({ ...g, snippet: g.snippet(url, app, hostPort(url), caFile) }));
}

type Template = Omit<AgentGuide, 'snippet'> & {
  snippet: (url: string, app: string, hostPort: string, caFile: string | null) => string;
};

/** Lines only a TLS door needs. */
const withCa = (caFile: string | null, lines: (ca: string) => string[]): string[] => (caFile ? lines(caFile) : []);

const GUIDES: readonly Template[] = [
  {
    name: 'alloy',
    title: 'Grafana Alloy (eBPF profiles of a host, and OTLP traces relayed)',
    sends:
      'eBPF CPU profiles of every process, pushed to /push.v1.PusherService/Push (Connect); traces received on the host relayed over OTLP gRPC',
    language: 'alloy',
    snippet: (url, app, hostPort, caFile) =>
      [
        '// config.alloy on the target host (Alloy runs as root for eBPF)',
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
        'otelcol.exporter.otlp "door" {',
        '  client {',
        `    endpoint = "${hostPort}"`,
        caFile ? `    tls { ca_file = "${caFile}" }` : '    tls { insecure = true }',
        '  }',
        '}',
      ].join('\n'),
    sources: [
      'grafana/alloy@v1.18.1:internal/component/pyroscope/ebpf/args.go (targets, forward_to)',
      'grafana/alloy@v1.18.1:docs/sources/reference/components/discovery/discovery.process.md (targets with __process_pid__)',
      'grafana/alloy@v1.18.1:docs/sources/shared/reference/components/rule-block.md (target_label, replacement)',
      'grafana/alloy@v1.18.1:internal/component/pyroscope/write/write.go (endpoint.url; Connect push to /push.v1.PusherService/Push)',
      'grafana/alloy@v1.18.1:internal/component/common/config/types.go (endpoint.tls_config.ca_file)',
      'grafana/alloy@v1.18.1:internal/component/otelcol/receiver/otlp/otlp.go (grpc.endpoint)',
      'grafana/alloy@v1.18.1:internal/component/otelcol/config_grpc.go, config_tls.go (client.endpoint host:port, tls.insecure, tls.ca_file)',
    ],
  },
  {
    name: 'nodejs',
    title: 'Node.js (Pyroscope SDK)',
    sends: 'wall-clock profiles, pushed to /ingest (pprof) every 60 s and when it stops',
    language: 'js',
    snippet: (url, app, _hostPort, caFile) =>
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
        '});',
        'Pyroscope.start();',
      ].join('\n'),
    sources: [
      '@pyroscope/nodejs 0.6.4 (npm): dist/cjs/pyroscope-config.d.ts (serverAddress, appName)',
      '@pyroscope/nodejs 0.6.4 (npm): dist/cjs/pyroscope-api-exporter.js (POST /ingest?format=pprof)',
      '@pyroscope/nodejs 0.6.4 (npm): dist/cjs/profilers/pyroscope-profiler.js (flush every 60 s)',
      'nodejs/node@v20.20.2:doc/api/cli.md (NODE_EXTRA_CA_CERTS)',
    ],
  },
  {
    name: 'go',
    title: 'Go (Pyroscope Go SDK)',
    sends: 'CPU and memory profiles, pushed to /ingest (pprof)',
    language: 'go',
    snippet: (url, app, _hostPort, caFile) =>
      [
        ...withCa(caFile, () => [
          '// the host trusts the stack CA (system trust store, see above): Go reads it from there',
        ]),
        '// go get github.com/grafana/pyroscope-go, then early in main():',
        'import "github.com/grafana/pyroscope-go"',
        '',
        'pyroscope.Start(pyroscope.Config{',
        `\tApplicationName: "${app}",`,
        `\tServerAddress:   "${url}",`,
        '})',
      ].join('\n'),
    sources: [
      'grafana/pyroscope-go@v1.4.2:api.go (ApplicationName, ServerAddress)',
      'grafana/pyroscope-go@v1.4.2:upstream/remote/remote.go (POST /ingest, multipart pprof)',
    ],
  },
  {
    name: 'python',
    title: 'Python (pyroscope-io)',
    sends: 'CPU profiles, pushed to /push.v1.PusherService/Push (protobuf)',
    language: 'python',
    snippet: (url, app, _hostPort, caFile) =>
      [
        ...withCa(caFile, () => ['# the host trusts the stack CA (system trust store, see above)']),
        '# pip install pyroscope-io, then at start-up:',
        'import pyroscope',
        '',
        'pyroscope.configure(',
        `    application_name="${app}",`,
        `    server_address="${url}",`,
        ')',
      ].join('\n'),
    sources: [
      'grafana/pyroscope-python@python-1.0.7:python/pyroscope/__init__.py (application_name, server_address)',
      'grafana/pyroscope-rs@lib-2.0.1:src/session.rs (POST /push.v1.PusherService/Push)',
    ],
  },
  {
    name: 'ruby',
    title: 'Ruby (pyroscope gem)',
    sends: 'CPU profiles, pushed to /push.v1.PusherService/Push (protobuf)',
    language: 'ruby',
    snippet: (url, app, _hostPort, caFile) =>
      [
        ...withCa(caFile, () => ['# the host trusts the stack CA (system trust store, see above)']),
        '# gem "pyroscope" in the Gemfile, then in an initializer:',
        'require "pyroscope"',
        '',
        'Pyroscope.configure do |config|',
        `  config.application_name = "${app}"`,
        `  config.server_address   = "${url}"`,
        'end',
      ].join('\n'),
    sources: [
      'grafana/pyroscope-ruby@ruby/1.1.1:lib/pyroscope.rb (application_name, server_address)',
      'grafana/pyroscope-ruby@ruby/1.1.1:ext/rbspy/src/session.rs (POST /push.v1.PusherService/Push)',
    ],
  },
  {
    name: 'java',
    title: 'Java (Pyroscope Java agent)',
    sends: 'profiles recorded with JFR, pushed to /ingest (format=jfr)',
    language: 'sh',
    snippet: (url, app, _hostPort, caFile) =>
      [
        '# with pyroscope.jar from github.com/grafana/pyroscope-java/releases',
        ...withCa(caFile, (ca) => [
          "# the JVM trusts its own store, not the system's: add the stack CA to the JDK's cacerts once",
          `keytool -importcert -noprompt -cacerts -storepass changeit -alias heal-pyroscope -file ${ca}`,
        ]),
        `export PYROSCOPE_APPLICATION_NAME=${app}`,
        `export PYROSCOPE_SERVER_ADDRESS=${url}`,
        'java -javaagent:pyroscope.jar -jar app.jar',
        '# or as system properties: -Dpyroscope.application.name=... -Dpyroscope.server.address=...',
      ].join('\n'),
    sources: [
      'grafana/pyroscope-java@v2.9.1:agent/src/main/java/io/pyroscope/javaagent/config/Config.java (PYROSCOPE_APPLICATION_NAME, PYROSCOPE_SERVER_ADDRESS)',
      'grafana/pyroscope-java@v2.9.1:agent/src/main/java/io/pyroscope/javaagent/impl/PropertiesConfigurationProvider.java (pyroscope.server.address)',
      'grafana/pyroscope-java@v2.9.1:agent/src/main/java/io/pyroscope/javaagent/impl/PyroscopeExporter.java (POST /ingest, format=jfr)',
    ],
  },
  {
    name: 'dotnet',
    title: '.NET (Pyroscope .NET profiler, Linux)',
    sends: 'profiles, pushed to /push.v1.PusherService/Push (protobuf)',
    language: 'sh',
    snippet: (url, app, _hostPort, caFile) =>
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
      ].join('\n'),
    sources: [
      'grafana/pyroscope-dotnet@pyroscope-1.4.0:profiler/src/ProfilerEngine/Datadog.Profiler.Native/EnvironmentVariables.h (PYROSCOPE_*)',
      'grafana/pyroscope-dotnet@pyroscope-1.4.0:profiler/src/ProfilerEngine/Datadog.Profiler.Native/DllMain.cpp (the profiler GUID)',
      'grafana/pyroscope-dotnet@pyroscope-1.4.0:integration-test.Dockerfile (CORECLR_*, LD_PRELOAD)',
      'grafana/pyroscope-dotnet@pyroscope-1.4.0:profiler/src/ProfilerEngine/Datadog.Profiler.Native/PyroscopePprofSink.cpp (POST /push.v1.PusherService/Push)',
    ],
  },
  {
    name: 'otel',
    title: 'OpenTelemetry SDKs (environment variables)',
    sends: 'traces over OTLP gRPC (the door speaks gRPC on 9940; OTLP over HTTP is not forwarded)',
    language: 'sh',
    snippet: (url, app, _hostPort, caFile) =>
      [
        `export OTEL_SERVICE_NAME=${app}`,
        'export OTEL_TRACES_EXPORTER=otlp',
        'export OTEL_EXPORTER_OTLP_PROTOCOL=grpc',
        `export OTEL_EXPORTER_OTLP_ENDPOINT=${url}`,
        ...withCa(caFile, (ca) => [`export OTEL_EXPORTER_OTLP_CERTIFICATE=${ca}`]),
      ].join('\n'),
    sources: [
      'open-telemetry/opentelemetry-specification@v1.60.0:specification/protocol/exporter.md (OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL: grpc, _CERTIFICATE)',
      'open-telemetry/opentelemetry-specification@v1.60.0:specification/configuration/sdk-environment-variables.md (OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER)',
      '@opentelemetry/otlp-grpc-exporter-base 0.223.1 (npm): build/src/configuration/otlp-grpc-env-configuration.js (reads OTEL_EXPORTER_OTLP_ENDPOINT and _CERTIFICATE; https:// means TLS)',
    ],
  },
];
