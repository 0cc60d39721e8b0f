package dev.ra.spi;

import dev.ra.ServerId;

/**
 * A server's small durable state: current term, vote, last applied index and its configuration.
 *
 * <p>Raft requires term and vote to be durable BEFORE a vote is granted or a campaign announced (§5.2, thesis §3.8),
 * hence {@link #storeTermAndVote} returns only once they are synced. Called from the owning server's thread.
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
