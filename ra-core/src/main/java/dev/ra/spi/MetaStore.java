package dev.ra.spi;

import dev.ra.ServerId;

/**
 * A server's small durable state: current term, vote, last applied index and its configuration.
 *
 * <p>Raft requires term and vote to be durable BEFORE a vote is granted or a campaign announced (§5.2, thesis §3.8),
 * hence {@link #storeTermAndVote} returns only once they are synced. Called for one server at a time: from its
 * event loop, or (term and vote, whose sync the loop does not wait for) from a writer thread of that loop.
 */
public interface MetaStore
{
    /**
     * @return the last stored term, 0 if none.
     */
    long currentTerm();

    /**
     * @return the server voted for in {@link #currentTerm()}, or null.
     */
    ServerId votedFor();

    /**
     * @return the last stored applied index, 0 if none.
     */
    long lastApplied();

    /**
     * Store term and vote durably; returns AFTER they are synced to stable storage.
     *
     * @param term     current term.
     * @param votedFor the candidate voted for in that term, or null.
     */
    void storeTermAndVote(long term, ServerId votedFor);

    /**
     * Record the applied index; may be written lazily (it only bounds which effects are discarded on replay).
     *
     * @param index last applied.
     */
    void storeLastApplied(long index);

    /**
     * Damage the storage found when it opened this server, or since recorded and not yet cleared: the log is shorter
     * than what the server had made durable (and may have acknowledged). The server must not vote or campaign until
     * its durable log reaches this index again.
     *
     * @return that index, or 0 if the log is whole.
     */
    default long damagedAcknowledgedIndex()
    {
        return 0;
    }

    /**
     * @return whether the storage found term and vote lost ({@link #currentTerm()} and {@link #votedFor()} then say
     *     nothing): the server must not vote or campaign until it has followed a leader.
     */
    default boolean termAndVoteLost()
    {
        return false;
    }

    /**
     * The server has recovered from the damage reported by {@link #damagedAcknowledgedIndex()} and
     * {@link #termAndVoteLost()}: forget it, durably (both then report nothing).
     */
    default void clearDamage()
    {
    }

    /**
     * @return the server configuration blob stored with {@link #storeServerConfig}, or null.
     */
    byte[] serverConfig();

    /**
     * Durably store the server's configuration (cluster name, machine, initial members), written once at creation.
     *
     * @param config encoded by the runtime.
     */
    void storeServerConfig(byte[] config);
}
