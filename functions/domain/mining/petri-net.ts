/**
 * A labelled Petri net with an initial and a final marking (an accepting Petri net, as PNML stores it): what
 * discovery produces, what PNML import/export reads and writes, and what conformance checking replays.
 */

export interface Place {
  id: string;
  name?: string;
}

export interface Transition {
  id: string;
  /** The activity it stands for, or null for a silent (tau) transition. */
  label: string | null;
}

export interface Arc {
  /** A place id and a transition id, in either direction. */
  source: string;
  target: string;
  /** Arc weight, default 1. */
  weight?: number;
}

/** Tokens per place id; places with no tokens are left out. */
export type Marking = Record<string, number>;

export interface PetriNet {
  id?: string;
  places: Place[];
  transitions: Transition[];
  arcs: Arc[];
  initialMarking: Marking;
  finalMarking: Marking;
}
