import type { Rule } from '../types.js';
import { backpressureOrigin } from './backpressure-origin.js';
import { checkpointAnatomy } from './checkpoint-anatomy.js';
import { configSmells } from './config-smells.js';
import { coverage } from './coverage.js';
import { dataSkew } from './data-skew.js';
import { failures } from './failures.js';
import { gcPressure } from './gc-pressure.js';
import { trends } from './trends.js';

/** Every diagnosis rule, evaluated in this order (the order does not affect ranking). */
export const RULES: readonly Rule[] = [checkpointAnatomy, backpressureOrigin, gcPressure, dataSkew, trends, failures, configSmells, coverage];
