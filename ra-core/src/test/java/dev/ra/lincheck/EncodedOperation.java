package dev.ra.lincheck;

/**
 * An operation prepared for the search: register values are replaced by small integer ids so that the
 * model step and the memo table compare ints instead of strings.
 *
 * @param index         position within the key's checked operations; its bit in the linearized set
 * @param source        the original operation
 * @param indeterminate whether the outcome is UNKNOWN (output ignored, may be left unlinearized)
 * @param expected      CAS: id of the expected value
 * @param written       WRITE / CAS: id of the value installed
 * @param observed      READ: id of the value read
 */
record EncodedOperation(int index, Operation source, boolean indeterminate, int expected, int written, int observed)
{
    OperationKind kind()
    {
        return source.kind();
    }

    boolean casSucceeded()
    {
        return source.casSucceeded();
    }
}
