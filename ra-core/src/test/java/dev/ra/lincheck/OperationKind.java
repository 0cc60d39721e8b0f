package dev.ra.lincheck;

/** The kinds of operation a client can perform on a key-value register. */
public enum OperationKind
{
    /** Returns the key's current value, or {@code null} when the key is absent. */
    READ,
    /** Unconditionally replaces the key's value. */
    WRITE,
    /** Compare-and-set: replaces the value with a new one iff the current value equals the expected one. */
    CAS
}
