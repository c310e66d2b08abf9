/**
 * The skymesh package entry: the embedded router library (`import { Router } from 'skymesh'`).
 */
export * from './core';
