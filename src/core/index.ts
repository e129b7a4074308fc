// The public API of the pure analysis core, for the panel, the background and the CLI.
export * from './model';
export * from './finding';
export * from './closeCodes';
export * from './intermediaries';
export * from './chains';
export * from './heartbeat';
export * from './diagnosis';
export * from './facts';
export * from './analysis';
export * from './format';
export * from './har';
export * from './headers';
export * from './handshakeMatch';
export * from './fingerprints';
export * from './handshakeStatus';
export * from './handshakeHar';
