export * from './agent-token-secret';
export * from './tfc-agent-pool';
export * from './tfc-agent-release';
export * from './tfc-agents';
export * from './user-data';
