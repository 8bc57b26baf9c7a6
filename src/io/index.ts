export * from './safetensors.js';
export * from './save.js';
