import type { SynthProgress } from './synthesis';

/** Where an application function reports to: lines for people, warnings and notes, synthesis progress. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  note(message: string): void;
  progress(): SynthProgress;
}
