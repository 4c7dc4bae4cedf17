// Vitest setup file of md's own projects: the folders `tempDir` made for a
// test file are removed after that file's tests (and after its own afterAll
// hooks, which close what uses them).
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp.js';

afterAll(removeTempDirs);
