import { defineProject } from 'vitest/config';
import { mdProject } from '../../vitest.shared.js';

export default defineProject(mdProject('observability'));
