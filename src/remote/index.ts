// The transport's public surface: the only door through which the rest of heal-pyroscope reaches
// hosts (SSH commands, SFTP, TCP probes, Docker through the Engine). Everything else in src/remote is
// internal, dockerode included.

export type { SshTarget } from './target.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DOCKER_SOCKET,
  DEFAULT_READY_TIMEOUT_MS,
  describeTarget,
  sessionKey,
} from './target.js';
export type { TargetSpec, ResolveContext } from './resolve-target.js';
export { namedIdentityFiles, resolveContext, resolveTarget } from './resolve-target.js';
export type { SshConfigHost, SshConfigLookup } from './ssh-config.js';
export { jumpHopNames, lookupSshConfig, sshConfigSource } from './ssh-config.js';
export { checkIdentityFiles } from './identity-file.js';
export type { Interaction } from './interaction.js';
export { nonInteractive } from './interaction.js';
export type { ConnectOptions, HandshakeCount } from './connect-all.js';
export { Fleet, connectAll } from './connect-all.js';
export { RemoteHost } from './remote-host.js';
export type { HostHandle } from './host-handle.js';
export type * from './engine.js';
export type { SshSession } from './session.js';
export type { ExecOptions, ExecResult } from './exec.js';
export type { UploadSpec } from './sftp-upload.js';
export type { ProbeResult, ProbeState } from './port-probe.js';
export type { HttpGetOptions, HttpGetResult } from './http-get.js';
export { httpGet } from './http-get.js';
export type { GrpcCallOptions, GrpcCallResult } from './grpc-call.js';
export { grpcCall, grpcFrame } from './grpc-call.js';
export { tlsOver, type TlsTrust } from './tls-channel.js';
export type { HostKeyOutcome } from './host-key.js';
export { shellQuote } from './shell-quote.js';
export { sha256Fingerprint } from './fingerprint.js';
export { openSessionCount } from './lifecycle.js';
export type { LocalDocker } from './image-transfer.js';
export { describeLocalDocker, localEngine, saveImageFile } from './image-transfer.js';
export type { RootAccess, RootHelper } from './root-access.js';
export { HELPER_LABEL } from './root-access.js';
