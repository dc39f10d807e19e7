export * from '../../src/scenarios/contract.js';
