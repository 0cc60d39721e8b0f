package dev.ra.lincheck;

/** The answer of a linearizability check. */
public enum Verdict
{
    /** A linearization exists; the history is consistent with an atomic register. */
    LINEARIZABLE,
    /** The search was exhaustive and no linearization exists. */
    NOT_LINEARIZABLE,
    /** The search budget ran out before an answer was found; nothing can be concluded. */
    UNKNOWN
}
