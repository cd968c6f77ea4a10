export { runDoctor, renderDoctor } from './run-doctor.js';
export type { DoctorReport } from './run-doctor.js';
export type { Component } from './checks.js';
