/**
 * The standard alignment cost function in integers, as pm4py keeps it: a log move and a model move on a visible
 * transition cost DEVIATION_COST, a model move on a silent transition SILENT_COST (an epsilon beside it), a
 * synchronous move 0.
 */

/** Cost of a log move and of a model move on a visible transition. */
export const DEVIATION_COST = 10_000;
/** Cost of a model move on a silent transition. */
export const SILENT_COST = 1;
