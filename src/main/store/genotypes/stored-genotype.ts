// Genotype DTOs: a discrete architecture with how it was obtained and what it costs.
import type { Genotype } from '../../../shared/genotype';

export const GENOTYPE_METHODS = ['value', 'decorrelation', 'imported'] as const;
export type GenotypeMethod = (typeof GENOTYPE_METHODS)[number];

export interface StoredGenotype {
  id: number;
  /** The run that derived it (search or discretize); null for an imported one. */
  runId: number | null;
  /** The checkpoint whose α / weights it came from, while that record exists. */
  checkpointId: number | null;
  method: GenotypeMethod;
  name: string | null;
  /** The DARTS text format (`Genotype(normal=[...], ...)`). */
  text: string;
  genotype: Genotype;
  /** Method-specific scores (decorrelation similarity tables, α values …) as recorded. */
  scores: unknown;
  params: number | null;
  madds: number | null;
  createdAt: string;
}

export interface NewGenotype {
  runId?: number | null;
  checkpointId?: number | null;
  method: GenotypeMethod;
  name?: string | null;
  text: string;
  genotype: Genotype;
  scores?: unknown;
  params?: number | null;
  madds?: number | null;
}
