export { Module, assignInPlace } from './module.js';
