package dev.ra.lincheck;

import java.util.BitSet;

/**
 * Memo-table key of the WGL search: which operations are linearized and what the register holds. Two
 * paths reaching the same pair have identical futures, so the second one is pruned (Lowe's optimisation).
 * The bit set must not be mutated once the key is stored.
 */
record SearchState(BitSet linearized, int registerState)
{
}
