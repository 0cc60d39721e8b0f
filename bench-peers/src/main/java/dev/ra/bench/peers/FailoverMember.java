package dev.ra.bench.peers;

import java.util.concurrent.CompletableFuture;

/**
 * One member of a 3-member group, alone in its JVM, for the failover comparison: the harness kills, stops and pauses
 * these JVMs and writes through the survivors (see {@link FailoverPeerNode}).
 */
interface FailoverMember extends AutoCloseable
{
    /**
     * Submit one put on this member.
     *
     * @param command 16-byte key followed by a 100-byte value.
     * @return completes once the put is committed and applied; fails if this member is not the leader.
     */
    CompletableFuture<?> put(byte[] command);

    /**
     * A linearizable read on this member (it must lead): the library's read-index protocol, the leader confirming its
     * leadership with a quorum before it answers.
     *
     * @return completes once the read may be served; fails if this library's member offers none here.
     */
    default CompletableFuture<?> read()
    {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no linearizable read here"));
    }

    /**
     * @return whether this member leads now.
     */
    boolean isLeader();

    /**
     * @return the highest log index applied to this member's machine.
     */
    long lastApplied();

    /**
     * Shut the member down the library's orderly way.
     */
    @Override
    void close() throws Exception;
}
