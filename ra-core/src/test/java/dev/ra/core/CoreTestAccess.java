package dev.ra.core;

/**
 * Test-only access to the core's deliberate bugs, so that tests outside this package can prove their checks catch
 * them.
 */
public final class CoreTestAccess
{
    /** The deliberate bugs tests can switch on; mirrors the package-private {@link Mutation}. */
    public enum Bug
    {
        /** Commit entries of earlier terms by counting replicas. */
        COMMIT_OLD_TERM_ENTRIES,
        /** Acknowledge entries before they are durable. */
        ACK_BEFORE_DURABLE,
        /** Vote without the up-to-date log check. */
        VOTE_WITHOUT_LOG_CHECK,
        /** Serve consistent queries without a quorum round. */
        READ_WITHOUT_QUORUM
    }

    private CoreTestAccess()
    {
    }

    /**
     * @param core to break.
     * @param bug  to switch on, or null for none.
     */
    public static void inject(final ServerCore core, final Bug bug)
    {
        core.mutation = null == bug ? Mutation.NONE : Mutation.valueOf(bug.name());
    }
}
