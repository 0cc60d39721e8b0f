package dev.ra.examples.kv;

/**
 * The replies of the {@link KvMachine}. Revisions are Raft log indexes, so they are unique and increase with every
 * change, like etcd's revisions.
 */
public sealed interface KvReply
{
    /**
     * A put took effect.
     *
     * @param revision the log index of the put.
     * @param previous value the key had before, or {@code null} if it was absent.
     */
    record Written(long revision, String previous) implements KvReply
    {
    }

    /**
     * A delete was applied.
     *
     * @param revision the log index of the delete.
     * @param previous value the key had before, or {@code null} if it was absent (nothing changed).
     */
    record Deleted(long revision, String previous) implements KvReply
    {
    }

    /**
     * The outcome of a compare-and-set.
     *
     * @param swapped  whether the value matched and was replaced.
     * @param previous value the key had when the command was applied ({@code null} if absent); on failure this is the
     *                 value that did not match, so the caller can retry without another read.
     * @param revision the log index of the command.
     */
    record CasResult(boolean swapped, String previous, long revision) implements KvReply
    {
    }
}
